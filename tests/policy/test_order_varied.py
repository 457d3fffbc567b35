"""An order varied (a live-system event): from the variation on, the policy reads the new
conditions and expiry; what was broken before it stays broken."""

from __future__ import annotations

from tests.policy.builders import DAY, HOUR, VICTIM_HOME, at, flags, kinds, point_at, report, run
from vigil.policy.facts import Condition, OrderGranted, OrderVaried, Sighting

T0 = at("2025-03-03 10:00")
ZONE = (Condition("exclusion_zone", "HV", 200.0),)


def _grant(expires_days: int | None = 30, conditions: tuple[Condition, ...] = ZONE) -> OrderGranted:
    return OrderGranted(
        at=T0 + HOUR,
        order="O1",
        order_type="restraining_order",
        protected=("V",),
        subject="P",
        conditions=conditions,
        expires=T0 + expires_days * DAY if expires_days is not None else None,
    )


def _seen(moment: object, metres: float = 150) -> Sighting:
    lat, lon = point_at(VICTIM_HOME, metres)
    return Sighting(at=moment, subject="P", lat=lat, lon=lon)  # type: ignore[arg-type]


def test_a_wider_zone_applies_from_the_variation_and_not_before() -> None:
    wider = (Condition("exclusion_zone", "HV", 500.0),)
    events = [
        report(T0),
        _grant(),
        _seen(T0 + 2 * DAY, metres=350),  # outside the 200 m zone: no breach
        OrderVaried(at=T0 + 3 * DAY, order="O1", conditions=wider, expires=T0 + 30 * DAY),
        _seen(T0 + 4 * DAY, metres=350),  # inside the 500 m zone: a breach
    ]
    outcome = run(events)
    assert [f.at for f in flags(outcome, "breach")] == [T0 + 4 * DAY]
    assert [a.created_at for a in kinds(outcome, "arrest_suspect")] == [T0 + 4 * DAY]


def test_a_condition_taken_away_stops_counting_but_an_earlier_breach_stays() -> None:
    events = [
        report(T0),
        _grant(),
        _seen(T0 + 2 * DAY),  # inside: a breach
        OrderVaried(at=T0 + 3 * DAY, order="O1", conditions=(Condition("no_contact"),), expires=T0 + 30 * DAY),
        _seen(T0 + 4 * DAY),  # the zone is gone; not near anyone: nothing
    ]
    outcome = run(events)
    assert [f.at for f in flags(outcome, "breach")] == [T0 + 2 * DAY]
    [arrest] = kinds(outcome, "arrest_suspect")
    assert arrest.status == "open"  # a variation is not an end: the arrest still stands


def test_an_extended_expiry_keeps_the_order_in_force() -> None:
    events = [
        report(T0),
        _grant(expires_days=10),
        OrderVaried(at=T0 + 5 * DAY, order="O1", conditions=ZONE, expires=T0 + 60 * DAY),
        _seen(T0 + 20 * DAY),
    ]
    assert len(flags(run(events), "breach")) == 1
    # Without the variation the order had expired by then.
    assert flags(run([report(T0), _grant(expires_days=10), _seen(T0 + 20 * DAY)]), "breach") == []


def test_a_variation_of_an_unknown_order_changes_nothing() -> None:
    events = [report(T0), OrderVaried(at=T0 + DAY, order="O9", conditions=ZONE), _seen(T0 + 2 * DAY)]
    assert flags(run(events), "breach") == []


def test_the_reader_takes_order_varied_from_the_live_system_only() -> None:
    import pytest

    from vigil.timeline.reader import TimelineError, parse_timeline

    document = {
        "format": "vigil-timeline/1",
        "id": "varied",
        "title": "t",
        "source": "s",
        "timezone": "Europe/London",
        "people": [
            {"ref": "V", "name": "Alex Victim", "aliases": [], "born": None, "sex": "female", "home": "H"},
            {"ref": "P", "name": "Sam Subject", "aliases": [], "born": None, "sex": "male", "home": None},
        ],
        "places": [{"ref": "H", "label": "home", "kind": "home", "lat": 53.8, "lon": -1.55, "person": None}],
        "relationships": [],
        "events": [
            {
                "at": "2025-03-03T10:00",
                "type": "order_granted",
                "order": "O1",
                "order_type": "spo",
                "protected": ["V"],
                "subject": "P",
                "conditions": [{"kind": "no_contact"}],
                "expires": None,
            },
            {
                "at": "2025-03-04T10:00",
                "type": "order_varied",
                "order": "O1",
                "conditions": [{"kind": "exclusion_zone", "place": "H", "radius_m": 300}],
                "expires": "2025-09-01T00:00",
            },
        ],
        "replay_until": "2025-03-05T10:00",
    }
    with pytest.raises(TimelineError, match="order_varied"):
        parse_timeline(document)
    timeline = parse_timeline(document, extensions=True)
    [varied] = [e for e in timeline.events if isinstance(e, OrderVaried)]
    assert varied.conditions == (Condition("exclusion_zone", "H", 300.0),) and varied.expires is not None
