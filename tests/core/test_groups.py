"""The one union-find the identity groups and the re-evaluation clusters share."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vigil.core.groups import DisjointSets, linked_groups


def test_chains_join_and_singletons_are_left_out() -> None:
    assert sorted(map(sorted, linked_groups([(1, 2), (3, 4), (2, 5), (6, 6)]))) == [[1, 2, 5], [3, 4]]
    sets = DisjointSets()
    sets.find(9)
    assert sets.groups() == {9: {9}}


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), max_size=40))
def test_groups_are_the_connected_components(pairs: list[tuple[int, int]]) -> None:
    groups = linked_groups(pairs)
    where = {x: i for i, g in enumerate(groups) for x in g}
    assert sum(len(g) for g in groups) == len(where)  # disjoint
    for a, b in pairs:
        if a != b:
            assert where[a] == where[b]
    # Nothing is joined without a chain of pairs: each group is reachable from one member.
    for g in groups:
        start = next(iter(g))
        seen, frontier = {start}, [start]
        while frontier:
            x = frontier.pop()
            for a, b in pairs:
                for y, z in ((a, b), (b, a)):
                    if y == x and z not in seen:
                        seen.add(z)
                        frontier.append(z)
        assert seen == g
