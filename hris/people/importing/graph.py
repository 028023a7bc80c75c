"""Reporting lines and department parents as maps key → parent key."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping


def nodes_on_cycles(parent_of: Mapping[Hashable, Hashable | None]) -> set[Hashable]:
    """Every key that lies on a cycle of the map, in one pass over it (each key has at
    most one parent, so the walk from any key either ends or runs into a cycle)."""
    done: set[Hashable] = set()
    on_cycle: set[Hashable] = set()
    for start in parent_of:
        if start in done:
            continue
        position_on_path: dict[Hashable, int] = {}
        path: list[Hashable] = []
        node: Hashable | None = start
        while node is not None and node not in done and node not in position_on_path:
            position_on_path[node] = len(path)
            path.append(node)
            node = parent_of.get(node)
        if node is not None and node in position_on_path:
            on_cycle.update(path[position_on_path[node] :])
        done.update(path)
    return on_cycle


def parents_first(keys: Iterable[Hashable], parent_of: Mapping[Hashable, Hashable | None]) -> list[Hashable]:
    """`keys` ordered so that a key comes after its parent whenever the parent is among
    `keys` too (the map must have no cycles among them)."""
    wanted = list(dict.fromkeys(keys))
    members = set(wanted)
    depth: dict[Hashable, int] = {}
    for key in wanted:
        chain: list[Hashable] = []
        node: Hashable | None = key
        while node is not None and node in members and node not in depth and node not in chain:
            chain.append(node)
            node = parent_of.get(node)
        base = depth.get(node, -1) if node is not None else -1
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset
    return sorted(wanted, key=lambda key: depth[key])
