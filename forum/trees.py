"""Nested-set arithmetic for comment trees, independent of the ORM: the one layout.

`layout()` gives every node of a tree its lft/rght/level from parent links alone. The
importer lays out whole new trees with it (`path_layout()`, from number paths) and
existing trees that gain comments; `check_comment_trees` uses `problems()` to verify
stored trees and `layout()` again to repair them; the tests' bulk threads use
`path_layout()` too. Only `forum.threads` changes a stored tree any other way (mptt's
insert and move, under the post's row lock).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    id: Hashable
    parent_id: Hashable | None
    number: int | None = None
    lft: int = 0
    rght: int = 0
    level: int = 0


@dataclass(frozen=True, slots=True)
class Place:
    lft: int
    rght: int
    level: int


def number_order(node: Node) -> tuple[int, int, int]:
    """Repair order: numbered siblings by number, then unnumbered (pending) ones as they stood."""
    return (0, node.number, node.lft) if node.number is not None else (1, 0, node.lft)


def stored_order(node: Node) -> int:
    return node.lft


def layout(
    nodes: Iterable[Node], key: Callable[[Node], Any] = number_order
) -> dict[Hashable, Place]:
    """lft/rght/level for one tree from its parent links, siblings sorted by `key`.

    One iterative depth-first walk (threads can be deep; recursion is not needed).
    """
    children: dict[Hashable | None, list[Node]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    roots = children.get(None, [])
    if len(roots) != 1:
        raise ValueError(f"a tree needs exactly one root, found {len(roots)}")
    for kids in children.values():
        kids.sort(key=key)

    places: dict[Hashable, Place] = {}
    counter = 1
    lefts: dict[Hashable, int] = {}
    stack: list[tuple[Node, int, bool]] = [(roots[0], 0, False)]
    while stack:
        node, level, done = stack.pop()
        if done:
            places[node.id] = Place(lefts[node.id], counter, level)
            counter += 1
            continue
        lefts[node.id] = counter
        counter += 1
        stack.append((node, level, True))
        stack.extend((child, level + 1, False) for child in reversed(children.get(node.id, [])))
    return places


ROOT_PATH = ""


def path_layout(paths: Iterable[str]) -> dict[str, Place]:
    """The places of a new tree from its comments' number paths ('12', '12.1'), any
    order, under a root whose path is ROOT_PATH. Every parent must be among the paths."""
    nodes = [Node(ROOT_PATH, None)]
    for path in paths:
        parent, _, number = path.rpartition(".")
        nodes.append(Node(path, parent, int(number)))
    return layout(nodes)


def problems(nodes: list[Node]) -> list[str]:
    """Every broken invariant of one stored tree (nodes of a single tree_id, any order)."""
    found: list[str] = []
    roots = [n for n in nodes if n.parent_id is None]
    if len(roots) != 1:
        return [f"{len(roots)} root nodes (expected 1)"]
    by_id = {n.id: n for n in nodes}
    orphans = [n.id for n in nodes if n.parent_id is not None and n.parent_id not in by_id]
    if orphans:
        return [f"nodes whose parent is in another tree: {orphans[:5]}"]
    try:
        expected = layout(nodes, key=stored_order)
    except ValueError as error:
        return [str(error)]

    for node in sorted(nodes, key=lambda n: n.lft):
        want = expected[node.id]
        if (node.lft, node.rght, node.level) != (want.lft, want.rght, want.level):
            parent = by_id.get(node.parent_id)
            if parent is not None and node.level != parent.level + 1:
                found.append(f"node {node.id}: level {node.level}, parent's is {parent.level}")
            else:
                found.append(
                    f"node {node.id}: lft/rght/level {node.lft}/{node.rght}/{node.level}, "
                    f"expected {want.lft}/{want.rght}/{want.level}"
                )
    numbers: dict[Hashable, list[int]] = defaultdict(list)
    for node in sorted(nodes, key=stored_order):
        if node.number is not None and node.parent_id is not None:
            numbers[node.parent_id].append(node.number)
    for parent_id, seen in numbers.items():
        if seen != sorted(seen) or len(set(seen)) != len(seen):
            found.append(f"children of node {parent_id} out of number order: {seen[:12]}")
    return found
