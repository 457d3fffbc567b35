"""Tag fixes at an exclusion zone's edge: one breach, not a storm (the hysteresis rule in
vigil/monitoring/services.py), and each breach a sighting the policy acts on (R5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vigil.actions.models import Action
from vigil.cases.models import Sighting
from vigil.core import times
from vigil.monitoring.models import ZonePresence
from vigil.monitoring.services import Fix, Rule, fixes_record
from vigil.orders.services import order_end, order_grant
from vigil.people.services import place_create
from vigil.policy import geo

from .world import HOME, NOW, make_zone

pytestmark = pytest.mark.django_db
RULE = Rule(max_accuracy_m=100, margin_m=100, rearm=dt.timedelta(minutes=10))


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with times.clock_at(NOW):
        yield


@pytest.fixture
def zone(officer: Any) -> Any:
    return make_zone(officer)


def _fix(order: Any, index: int, minutes_ago: float, metres: float, accuracy: float = 10, bearing: float = 90) -> Fix:
    lat, lon = geo.destination(HOME[0], HOME[1], bearing, metres)
    return Fix(index, order.subject_id, NOW - dt.timedelta(minutes=minutes_ago), lat, lon, accuracy)


def _record(order: Any, track: list[tuple[float, float]], **kwargs: Any) -> Any:
    fixes = [_fix(order, i, minutes, metres, **kwargs) for i, (minutes, metres) in enumerate(track)]
    return fixes_record(actor="api:em-test", fixes=fixes, rule=RULE)


def test_jitter_at_the_edge_is_one_breach_and_r5_acts_on_it(zone: Any) -> None:
    # Thirty fixes a minute apart wandering 190-260 m from her home: in, out, in, out.
    track = [(60 - m, [190, 210, 260, 195, 205, 250][m % 6]) for m in range(30)]
    result = _record(zone, track)
    assert len(result.breaches) == 1 and result.breaches[0].fix.index == 0
    sighting = Sighting.objects.get()
    assert (
        sighting.subject_id == zone.subject_id and sighting.lat is not None and sighting.seen_at == NOW - dt.timedelta(minutes=60)
    )
    arrest = Action.objects.get(kind="arrest_suspect")
    assert arrest.rule == "R5" and arrest in result.breaches[0].effects.created
    assert ZonePresence.objects.get().inside


def test_leaving_for_longer_than_the_rearm_time_then_coming_back_is_a_second_breach(zone: Any) -> None:
    track = [(60, 150), (55, 400), (50, 500), (44, 450), (40, 150)]  # 16 minutes beyond the margin
    result = _record(zone, track)
    assert [b.fix.index for b in result.breaches] == [0, 4] and Sighting.objects.count() == 2
    assert len(result.left) == 1


def test_a_short_step_outside_or_a_fix_in_the_band_keeps_it_one_breach(zone: Any) -> None:
    track = [(60, 150), (55, 400), (50, 250), (45, 500), (40, 450), (37, 150)]  # the band fix at 50 stops the clock
    result = _record(zone, track)
    assert [b.fix.index for b in result.breaches] == [0]


def test_the_state_carries_over_to_the_next_batch(zone: Any) -> None:
    assert len(_record(zone, [(60, 100)]).breaches) == 1
    assert len(_record(zone, [(30, 120), (20, 180)]).breaches) == 0
    assert len(_record(zone, [(19, 900), (5, 900), (1, 100)]).breaches) == 1
    assert Sighting.objects.count() == 2


def test_inaccurate_fixes_are_ignored_and_a_late_fix_inside_is_still_a_breach(zone: Any) -> None:
    result = _record(zone, [(30, 50)], accuracy=150)
    assert result.ignored == 1 and not result.breaches
    _record(zone, [(10, 900)])
    late = _record(zone, [(20, 50)])  # taken before the last fix, sent after it
    assert len(late.breaches) == 1 and Sighting.objects.get().seen_at == NOW - dt.timedelta(minutes=20)


def test_no_breach_of_an_order_that_has_ended(zone: Any, officer: Any) -> None:
    order_end(actor=officer, order=zone, at=NOW - dt.timedelta(hours=1), reason="Revoked by the court")
    assert not _record(zone, [(30, 50)]).breaches and not Sighting.objects.exists()


def test_a_fix_entering_two_zones_at_once_is_one_sighting(zone: Any, officer: Any) -> None:
    near = place_create(actor=officer, address="2 Test Road", kind="other", lat=HOME[0], lon=HOME[1] + 0.001)
    order_grant(
        actor=officer,
        reference="DVPO-2",
        order_type="dvpo",
        subject=zone.subject,
        protected=list(zone.protected.all()),
        starts_at=NOW - dt.timedelta(days=1),
        reported_at=NOW - dt.timedelta(days=1),
        conditions=[{"kind": "exclusion_zone", "place": near, "radius_m": 300}],
    )
    result = _record(zone, [(5, 20)])
    assert len(result.breaches) == 1 and result.breaches[0].orders == ["DVPO-1", "DVPO-2"]
    assert Sighting.objects.count() == 1 and ZonePresence.objects.filter(inside=True).count() == 2
