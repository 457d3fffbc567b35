"""One parser of the timeline document (issue 13): the live bridge reads the document it
builds from the database with the reader that reads files, with the three things only a
live document may hold, and nothing else let through."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vigil.actions.engine_adapter import evaluate_document, facts_from_document
from vigil.policy.facts import OrderVaried, Report, WarrantWithdrawn
from vigil.timeline.reader import TimelineError, parse_timeline, read_live_document

UNTIL = "2025-03-10T12:00:00+00:00"


def live_document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "vigil-timeline/1",
        "id": "live",
        "timezone": "Europe/London",
        "people": [{"ref": "P1", "name": "Ayla Brennan"}, {"ref": "P2", "name": "Conor Whitlow"}],
        "places": [{"ref": "L1", "label": "home", "kind": "home", "person": "P1", "lat": 51.5, "lon": -0.1}],
        "relationships": [],
        "events": list(events),
        "replay_until": UNTIL,
        "labels": {"O7": "NMO-7", "W3": "W-3"},
        "group_reasons": [],
    }


REPORT = {
    "at": "2025-03-01T10:00:00+00:00",
    "recorded": "2025-03-02T08:30:00+00:00",
    "row": 4,
    "type": "report",
    "victim": "P1",
    "suspect": "P2",
    "category": "domestic_abuse",
    "children_present": [],
}
ORDER = {
    "at": "2025-03-01T12:00:00+00:00",
    "type": "order_granted",
    "order": "O7",
    "order_type": "non_molestation_order",
    "protected": ["P1"],
    "subject": "P2",
    "conditions": [{"kind": "exclusion_zone", "place": None, "radius_m": 200.0}],
    "expires": None,
}
VARIED = {"at": "2025-03-03T09:00:00+00:00", "type": "order_varied", "order": "O7", "conditions": [], "expires": None}
WARRANT = {"at": "2025-03-02T09:00:00+00:00", "type": "warrant_issued", "warrant": "W3", "subject": "P2", "reason": ""}
WITHDRAWN = {"at": "2025-03-04T09:00:00+00:00", "type": "warrant_withdrawn", "warrant": "W3", "reason": "wrong man"}


def test_the_live_document_is_read_by_the_files_reader_with_what_only_it_may_hold() -> None:
    document = live_document(REPORT, ORDER, VARIED, WARRANT, WITHDRAWN)
    world, events = read_live_document(document)
    assert [e.index for e in events] == [0, 1, 2, 3, 4]  # the document's order, for its rows
    report = events[0]
    assert isinstance(report, Report) and report.recorded == dt.datetime(2025, 3, 2, 8, 30, tzinfo=dt.UTC)
    assert events[1].conditions[0].place is None  # type: ignore[attr-defined]  # a zone no distance reaches
    assert isinstance(events[2], OrderVaried) and isinstance(events[4], WarrantWithdrawn)
    assert world.places["L1"].person == "P1"

    world, events = facts_from_document(document, [["P1"]])
    assert world.labels["O7"] == "NMO-7" and list(world.groups) == [frozenset({"P1"})]


def test_a_file_may_not_hold_what_only_the_live_document_may() -> None:
    for event, key in ((ORDER, "events[0].conditions[0].place"), (VARIED, "events[1].type")):
        events = [event] if event is ORDER else [ORDER | {"conditions": []}, event]
        with pytest.raises(TimelineError) as refused:
            parse_timeline(live_document(*events), "force.json")
        assert refused.value.key == key


def test_a_live_document_the_reader_refuses_stops_the_re_evaluation_with_its_message() -> None:
    document = live_document(REPORT | {"category": "burglary"})
    with pytest.raises(TimelineError, match=r"live document: events\[0\]\.category: unknown category 'burglary'"):
        evaluate_document(document, groups=[], until=dt.datetime.fromisoformat(UNTIL))
