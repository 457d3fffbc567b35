"""Connected groups of ids (union-find): identity groups of person records joined by links,
and clusters of people joined by cases and links."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


class DisjointSets:
    """Ids joined in pairs; `find` gives each id's group representative."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb

    def groups(self) -> dict[int, set[int]]:
        """Every id seen, by its representative."""
        found: dict[int, set[int]] = defaultdict(set)
        for x in list(self.parent):
            found[self.find(x)].add(x)
        return found


def linked_groups(pairs: Iterable[tuple[int, int]]) -> list[set[int]]:
    """The groups of two or more ids that `pairs` join."""
    sets = DisjointSets()
    for a, b in pairs:
        sets.union(a, b)
    return [g for g in sets.groups().values() if len(g) > 1]
