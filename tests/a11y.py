"""What the accessibility tests measure in a page: axe-core's verdict, reflow, contrast.

axe-core is the npm package pinned in package-lock.json, installed by `make install`
(`npm ci`) into node_modules/; it is injected into each page as a script, so it checks
what the reader's browser rendered (both colour schemes, any width).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: what the site promises (issue 20).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = ("light", "dark")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
NARROWEST = {"width": 320, "height": 640}  # WCAG 1.4.10: 1280 CSS px at 400% zoom


def axe_source() -> str:
    """axe.min.js, or a skip (a failure under REQUIRE_BROWSER=1, as CI runs) without it."""
    if not AXE_JS.exists():
        message = f"{AXE_JS} is missing: run `make install` (npm ci installs axe-core)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text()


def axe_violations(page, source: str) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations in the page as it is now, one line per
    element: rule, impact, what is wrong and where."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
        # Colours are checked as they end up, not halfway through a transition started
        # by switching the colour scheme (the admin's links fade over 0.15 s).
        page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    result = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        WCAG_TAGS,
    )
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']} at {' '.join(node['target'])}: "
        f"{node['html'][:160]}"
        for rule in result["violations"]
        for node in rule["nodes"]
    ]


def horizontal_overflow(page) -> int:
    """CSS pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two computed CSS colours ('rgb(…)' or 'rgba(…)', opaque)."""
    lum = sorted((relative_luminance(parse_rgb(c)) for c in (one, other)), reverse=True)
    return (lum[0] + 0.05) / (lum[1] + 0.05)


def parse_rgb(css: str) -> tuple[float, float, float]:
    inside = css[css.index("(") + 1 : css.index(")")].replace(",", " ").split()
    return float(inside[0]), float(inside[1]), float(inside[2])
