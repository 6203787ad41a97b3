"""Run every benchmark script beside this file (`bench_*.py`), one after another.

Each script prints its own table and writes JSON under bench-results/. Benchmarks are
never part of the test suite: they measure, they do not assert timings.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if len(sys.argv) > 1 and not any(name in script.name for name in sys.argv[1:]):
            continue
        print(f"\n=== {script.name}", flush=True)
        if subprocess.call([sys.executable, str(script)], cwd=HERE.parent.parent) != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
