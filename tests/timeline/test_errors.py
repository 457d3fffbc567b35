"""Bad input to `vigil replay`: exit status 2, a message naming the file, the event index and
the key, and nothing on standard output (FORMAT.md)."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.timeline.helpers import replay_json, vigil

BASE: dict[str, Any] = {
    "format": "vigil-timeline/1",
    "id": "bad-input",
    "title": "a small valid timeline, broken one way per test",
    "source": "tests",
    "timezone": "Europe/London",
    "people": [
        {"ref": "V", "name": "Alex Victim", "aliases": [], "born": "1990-03-01", "sex": "female", "home": "H"},
        {"ref": "P", "name": "Sam Subject", "aliases": [], "born": "1988-07-07", "sex": "male", "home": None},
    ],
    "places": [{"ref": "H", "label": "victim's home", "kind": "home", "lat": 53.8, "lon": -1.55, "person": None}],
    "relationships": [{"a": "V", "b": "P", "kind": "ex_partner", "since": "2010-01-01", "until": "2020-01-01"}],
    "events": [
        {
            "at": "2024-05-01T10:00",
            "type": "report",
            "victim": "V",
            "suspect": "P",
            "category": "stalking",
            "reported_by": "V",
            "place": "H",
            "children_present": [],
        },
        {
            "at": "2024-05-02T10:00",
            "type": "risk_assessment",
            "victim": "V",
            "suspect": "P",
            "instrument": "dash",
            "answers": {"1": True, "2": False},
            "officer_level": None,
        },
        {"at": "2024-05-03T10:00", "type": "sighting", "subject": "P", "near": "V", "place": "H", "reported_by": "V"},
        {
            "at": "2024-05-04T10:00",
            "type": "action_declined",
            "action": "database_checks",
            "victim": "V",
            "subject": "P",
            "rationale": "done by another team",
        },
    ],
    "replay_until": "2024-05-10T10:00",
}


def _write(tmp_path: Path, document: Any, name: str = "timeline.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def test_the_base_timeline_is_valid(tmp_path: Path) -> None:
    answer = replay_json(_write(tmp_path, BASE))
    assert answer["scenario"] == "bad-input"
    assert any(a["status"] == "declined" for a in answer["actions"])


@pytest.mark.parametrize("rationale", ["", "  ", None, "missing"])
def test_a_decline_written_down_without_a_rationale_is_read_not_refused(tmp_path: Path, rationale: str | None) -> None:
    """Not an input error in FORMAT.md, and the very failure inquiries name: the decline is
    kept in the chronology, the action stays open and keeps rising."""
    document = copy.deepcopy(BASE)
    if rationale == "missing":
        del document["events"][3]["rationale"]
    else:
        document["events"][3]["rationale"] = rationale
    path = _write(tmp_path, document)
    answer = replay_json(path)
    [checks] = [a for a in answer["actions"] if a["kind"] == "database_checks"]
    assert (checks["status"], checks["closed_at"]) == ("open", None)
    assert [step["level"] for step in checks["escalations"]] == [2, 3, 4]
    out = io.StringIO()
    call_command("replay", str(path), stdout=out)
    assert "a decline without a rationale is not accepted: the action stays open" in out.getvalue()


def test_a_birth_date_with_day_and_month_swapped_into_no_date_is_read_swapped(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    document["people"].append(
        {"ref": "K", "name": "Robin Victim", "aliases": [], "born": "2015-23-04", "sex": "female", "home": "H"}
    )
    answer = replay_json(_write(tmp_path, document))
    [school] = [a for a in answer["actions"] if a["kind"] == "notify_school"]
    assert school["victim"] == "K" and "aged 9" in school["reason"]


def _set(index: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["events"][index][key] = value

    return change


def _delete(index: int, key: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        del doc["events"][index][key]

    return change


CASES = {
    "missing key": (_delete(0, "category"), "events[0].category", "missing"),
    "missing victim": (_delete(1, "victim"), "events[1].victim", "missing"),
    "wrong type of ref": (_set(0, "victim", 5), "events[0].victim", "5"),
    "wrong type of answers": (_set(1, "answers", ["yes"]), "events[1].answers", "answers"),
    "wrong type of an answer": (_set(1, "answers", {"3": "yes"}), "events[1].answers.3", "true or false"),
    "answer out of range": (_set(1, "answers", {"25": True}), "events[1].answers.25", "25"),
    "unknown event type": (_set(2, "type", "burglary"), "events[2].type", "burglary"),
    "unknown category": (_set(0, "category", "burglary"), "events[0].category", "burglary"),
    "unknown instrument": (_set(1, "instrument", "oasys"), "events[1].instrument", "oasys"),
    "unknown person ref": (_set(1, "suspect", "P9"), "events[1].suspect", "P9"),
    "unknown place ref": (_set(2, "place", "Z1"), "events[2].place", "Z1"),
    "bad timestamp": (_set(2, "at", "2024-13-45T10:00"), "events[2].at", "2024-13-45"),
    "not a timestamp": (_set(2, "at", 20240503), "events[2].at", "20240503"),
    "after replay_until": (_set(3, "at", "2024-06-01T10:00"), "events[3].at", "replay_until"),
    "rationale not text": (_set(3, "rationale", 12), "events[3].rationale", "string"),
    "unknown officer level": (_set(1, "officer_level", "critical"), "events[1].officer_level", "critical"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_event_through_the_command(tmp_path: Path, case: str) -> None:
    change, key, word = CASES[case]
    document = copy.deepcopy(BASE)
    change(document)
    path = _write(tmp_path, document)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("replay", str(path), "--json", stdout=out, stderr=err)
    assert exit_.value.code == 2
    assert out.getvalue() == ""
    message = err.getvalue()
    assert str(path) in message
    assert key in message, message
    assert word in message, message


# R13's events, appended to the base timeline as events[4] and events[5].
DISCLOSURE = [
    {
        "at": "2024-05-05T10:00",
        "type": "disclosure_request",
        "request": "D1",
        "route": "right_to_ask",
        "subject": "P",
        "person_at_risk": "V",
        "applicant": "V",
    },
    {"at": "2024-05-06T10:00", "type": "disclosure_decision", "request": "D1", "decision": "disclose", "rationale": ""},
]

DISCLOSURE_CASES = {
    "unknown route": (_set(4, "route", "right_to_guess"), "events[4].route", "right_to_guess"),
    "undefined person at risk": (_set(4, "person_at_risk", "Q9"), "events[4].person_at_risk", "Q9"),
    "undefined subject": (_delete(4, "subject"), "events[4].subject", "missing"),
    "applicant not a ref": (_set(4, "applicant", 7), "events[4].applicant", "7"),
    "request without an id": (_delete(4, "request"), "events[4].request", "missing"),
    "decision on an undefined request": (_set(5, "request", "D9"), "events[5].request", "D9"),
    "unknown decision": (_set(5, "decision", "maybe"), "events[5].decision", "maybe"),
    "rationale not text": (_set(5, "rationale", ["no"]), "events[5].rationale", "string"),
}


def test_the_disclosure_events_are_read(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    document["events"].extend(copy.deepcopy(DISCLOSURE))
    answer = replay_json(_write(tmp_path, document))
    [decision] = [a for a in answer["actions"] if a["kind"] == "dvds_decision"]
    assert (decision["victim"], decision["subject"], decision["status"]) == ("V", "P", "done")


@pytest.mark.parametrize("case", sorted(DISCLOSURE_CASES))
def test_bad_disclosure_event(tmp_path: Path, case: str) -> None:
    change, key, word = DISCLOSURE_CASES[case]
    document = copy.deepcopy(BASE)
    document["events"].extend(copy.deepcopy(DISCLOSURE))
    change(document)
    path = _write(tmp_path, document)
    done = vigil("replay", str(path), "--json") if case == "unknown route" else None
    if done is not None:  # once through the real program: exit 2, nothing on standard output
        assert (done.returncode, done.stdout) == (2, "")
        assert str(path) in done.stderr and key in done.stderr and word in done.stderr
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("replay", str(path), "--json", stdout=out, stderr=err)
    assert exit_.value.code == 2
    assert out.getvalue() == ""
    message = err.getvalue()
    assert str(path) in message and key in message and word in message, message


@pytest.mark.parametrize(
    ("case", "json_flag"),
    [
        ("missing key", True),
        ("wrong type of ref", True),
        ("unknown event type", True),
        ("unknown person ref", True),
        ("bad timestamp", False),
    ],
)
def test_bad_event_through_the_program(tmp_path: Path, case: str, json_flag: bool) -> None:
    change, key, word = CASES[case]
    document = copy.deepcopy(BASE)
    change(document)
    path = _write(tmp_path, document, f"{case.replace(' ', '-')}.json")
    done = vigil("replay", str(path), *(["--json"] if json_flag else []))
    assert done.returncode == 2
    assert done.stdout == ""
    assert str(path) in done.stderr and key in done.stderr and word in done.stderr
    assert "Traceback" not in done.stderr


def test_invalid_json(tmp_path: Path) -> None:
    text = json.dumps(BASE)[:-40]
    path = _write(tmp_path, text, "truncated.json")
    done = vigil("replay", str(path), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert str(path) in done.stderr and "JSON" in done.stderr
    assert "line 1" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("replay", str(path), "--json", stdout=out, stderr=err)
    assert exit_.value.code == 2 and out.getvalue() == "" and str(path) in err.getvalue()


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda d: d.__setitem__("format", "vigil-timeline/2"), "format"),
        (lambda d: d.__setitem__("timezone", "Europe/Atlantis"), "timezone"),
        (lambda d: d.__setitem__("people", {"V": {}}), "people"),
        (lambda d: d["people"][1].__setitem__("born", "07/07/1988"), "people[1].born"),
        (lambda d: d["people"][1].__setitem__("born", "1988-13-13"), "people[1].born"),
        (lambda d: d["places"][0].__setitem__("lat", 123), "places[0].lat"),
        (lambda d: d["relationships"][0].__setitem__("kind", "enemy"), "relationships[0].kind"),
        (lambda d: d.__delitem__("replay_until"), "replay_until"),
    ],
)
def test_bad_top_level(tmp_path: Path, change: Callable[[dict[str, Any]], None], key: str) -> None:
    document = copy.deepcopy(BASE)
    change(document)
    path = _write(tmp_path, document)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("replay", str(path), stdout=out, stderr=err)
    assert exit_.value.code == 2 and out.getvalue() == ""
    assert f"{path}: {key}" in err.getvalue()


def test_bad_until_option(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("replay", str(path), "--json", "--until", "yesterday", stdout=out, stderr=err)
    assert exit_.value.code == 2 and out.getvalue() == ""
    assert "--until" in err.getvalue()
