"""The vectorised zone check finds exactly the (fix, zone) pairs a plain loop finds, measures
as the policy engine does, and never pairs a fix with another subject's zone."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.monitoring.zones import ZoneIndex, distance_m
from vigil.policy import geo


def _brute(
    zones: list[tuple[int, float, float, float]], fixes: list[tuple[int, float, float]], margin: float
) -> set[tuple[int, int, bool]]:
    found = set()
    for f, (subject, lat, lon) in enumerate(fixes):
        for z, (zs, zlat, zlon, radius) in enumerate(zones):
            if zs == subject:
                d = geo.distance_m(lat, lon, zlat, zlon)
                if d <= radius + margin:
                    found.add((f, z, d <= radius))
    return found


def test_the_distance_is_the_engine_s_to_a_millimetre() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        lat, lon = rng.uniform(49.9, 58.7), rng.uniform(-6.0, 1.8)
        d, azimuth = rng.uniform(1, 5000), rng.uniform(0, 360)
        lat2, lon2 = geo.destination(lat, lon, azimuth, d)
        assert abs(distance_m(lat2, lon2, lat, lon) - d) < 0.001


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_zones=st.integers(0, 40),
    n_fixes=st.integers(0, 300),
    margin=st.sampled_from([0.0, 50.0, 100.0, 500.0]),
)
def test_the_index_finds_what_a_loop_finds(seed: int, n_zones: int, n_fixes: int, margin: float) -> None:
    rng = np.random.default_rng(seed)
    # A small patch of London so that fixes fall in, near and far from zones.
    zones = [
        (int(rng.integers(0, 5)), rng.uniform(51.50, 51.52), rng.uniform(-0.13, -0.10), rng.uniform(20, 800))
        for _ in range(n_zones)
    ]
    fixes = [(int(rng.integers(0, 6)), rng.uniform(51.49, 51.53), rng.uniform(-0.14, -0.09)) for _ in range(n_fixes)]
    index = ZoneIndex([z[0] for z in zones], [z[1] for z in zones], [z[2] for z in zones], [z[3] for z in zones], margin_m=margin)
    hits = index.check([f[0] for f in fixes], [f[1] for f in fixes], [f[2] for f in fixes])
    got = set(zip(hits.fix.tolist(), hits.zone.tolist(), hits.inside.tolist(), strict=True))
    expected = _brute(zones, fixes, margin)
    # Pairs within a millimetre of an edge may fall either side; none other may differ.
    edge = {(f, z) for f, z, _ in got ^ expected if _near_edge(fixes[f], zones[z], margin)}
    assert {(f, z, i) for f, z, i in got if (f, z) not in edge} == {(f, z, i) for f, z, i in expected if (f, z) not in edge}


def _near_edge(fix: tuple[int, float, float], zone: tuple[int, float, float, float], margin: float) -> bool:
    d = geo.distance_m(fix[1], fix[2], zone[1], zone[2])
    return min(abs(d - zone[3]), abs(d - zone[3] - margin)) < 0.001


def test_a_fix_far_from_its_own_zones_costs_no_distance_and_other_subjects_zones_never_count() -> None:
    index = ZoneIndex([1], [51.5], [-0.1], [200.0])
    hits = index.check([2, 1, 1], [51.5, 51.5, 51.6], [-0.1, -0.1, -0.1])
    assert hits.fix.tolist() == [1] and hits.inside.tolist() == [True]


def test_a_zone_on_a_grid_corner_is_found_from_every_cell_it_touches() -> None:
    # A zone centred on a cell corner reaches into four cells.
    index = ZoneIndex([0], [51.5], [0.0], [500.0], margin_m=0)
    lat, lon = geo.destination(51.5, 0.0, 225, 499.0)
    assert index.check([0], [lat], [lon]).inside.tolist() == [True]
    lat, lon = geo.destination(51.5, 0.0, 45, 501.0)
    assert index.check([0], [lat], [lon]).fix.tolist() == []
