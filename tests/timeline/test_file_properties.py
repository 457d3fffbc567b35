"""Properties of `replay_file` over the public scenarios: the order events are written in, and
whether their times are written locally or with an offset, do not change the answer."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.timeline.helpers import scenario
from vigil.timeline.reader import parse_datetime
from vigil.timeline.replay import replay_file

NAMES = ["warrant-left-unexecuted", "household-repeat-callouts"]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load(name: str) -> dict[str, Any]:
    return json.loads(scenario(name).read_text(encoding="utf-8"))


def _answer(document: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "timeline.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        return replay_file(path)


@pytest.fixture(scope="module")
def originals() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    return {name: (_load(name), _answer(_load(name))) for name in NAMES}


@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.data())
def test_shuffling_the_file_does_not_change_the_answer(
    originals: dict[str, tuple[dict[str, Any], dict[str, Any]]], name: str, data: st.DataObject
) -> None:
    document, expected = originals[name]
    shuffled = dict(document, events=data.draw(st.permutations(document["events"])))
    assert _answer(shuffled) == expected


@SETTINGS
@given(
    name=st.sampled_from(NAMES),
    zone=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata", "Europe/London"]),
    data=st.data(),
)
def test_writing_times_with_an_offset_does_not_change_the_answer(
    originals: dict[str, tuple[dict[str, Any], dict[str, Any]]], name: str, zone: str, data: st.DataObject
) -> None:
    """Each event's `at` rewritten as the same instant with an explicit offset of another zone
    (or left local, as Hypothesis picks) gives the same answer."""
    document, expected = originals[name]
    local = ZoneInfo(document["timezone"])
    target = ZoneInfo(zone)
    events = []
    for event in document["events"]:
        if data.draw(st.booleans()):
            moment = parse_datetime(event["at"], local).astimezone(target)
            event = dict(event, at=moment.isoformat())
        events.append(event)
    assert _answer(dict(document, events=events)) == expected


def test_a_date_alone_means_0900_local() -> None:
    london = ZoneInfo("Europe/London")
    assert parse_datetime("2024-07-01", london).astimezone(dt.UTC) == dt.datetime(2024, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert parse_datetime("2024-12-01", london).astimezone(dt.UTC) == dt.datetime(2024, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert parse_datetime("2024-12-01T10:00+02:00", london).astimezone(dt.UTC) == dt.datetime(2024, 12, 1, 8, 0, tzinfo=dt.UTC)
