"""The two public scenarios, end to end through `vigil replay FILE --json`."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from tests.timeline.helpers import actions, created_at, instant, local, replay_json, scenario, vigil
from vigil.policy import geo
from vigil.policy.vocabulary import ActionKind, ActionStatus, FlagKind, Priority

HOUR = dt.timedelta(hours=1)


def _common_checks(answer: dict[str, Any]) -> None:
    kinds = set(ActionKind.values)
    for action in answer["actions"]:
        assert action["kind"] in kinds
        assert action["priority"] in Priority.values
        assert action["status"] in ActionStatus.values
        assert action["reason"]
        assert (action["closed_at"] is None) == (action["status"] == "open")
        for step in action["escalations"]:
            instant(step["at"])
    for flag in answer["flags"]:
        assert flag["kind"] in FlagKind.values
    times = [instant(r["at"]) for r in answer["risk"]]
    assert times == sorted(times)


# --- warrant-left-unexecuted ----------------------------------------------------------------


@pytest.fixture(scope="module")
def warrant() -> dict[str, Any]:
    return replay_json(scenario("warrant-left-unexecuted"))


def test_warrant_answer_shape(warrant: dict[str, Any]) -> None:
    assert warrant["scenario"] == "warrant-left-unexecuted"
    assert instant(warrant["replayed_until"]) == local("2022-01-24T08:30")
    _common_checks(warrant)


def test_warrant_high_from_dash_although_officer_said_medium(warrant: dict[str, Any]) -> None:
    t = local("2021-09-21T11:00")
    first = warrant["risk"][0]
    assert (first["victim"], first["subject"], first["level"], first["source"]) == ("V1", "P1", "high", "dash")
    assert instant(first["at"]) == t
    assert any("14 of 24" in d for d in first["drivers"])
    [review] = created_at(warrant, "supervisor_review", t, victim="V1", subject="P1")
    assert "medium" in review["reason"]
    assert instant(review["due_at"]) - t == 24 * HOUR
    assert len(created_at(warrant, "refer_marac", t, victim="V1", subject="P1")) == 1
    assert all(r["level"] == "high" for r in warrant["risk"])


def test_warrant_proximity_of_the_homes(warrant: dict[str, Any]) -> None:
    homes = geo.distance_m(51.527, -0.187, 51.529, -0.189)
    assert 250 < homes < 275
    found = [f for f in warrant["flags"] if f["kind"] == "proximity" and instant(f["at"]) == local("2021-09-20T18:40")]
    assert len(found) == 1 and found[0]["refs"] == ["V1", "P1"]
    metres = [int(m) for m in re.findall(r"(\d+) m\b", found[0]["detail"])]
    assert round(homes) in metres


def test_warrant_breach_flags(warrant: dict[str, Any]) -> None:
    breaches = {instant(f["at"]) for f in warrant["flags"] if f["kind"] == "breach"}
    assert local("2021-11-14T19:10") in breaches
    assert local("2021-11-15T08:20") in breaches


def test_warrant_arrest_suspect_after_the_sighting(warrant: dict[str, Any]) -> None:
    t = local("2021-11-14T19:10")
    [arrest] = created_at(warrant, "arrest_suspect", t)
    assert arrest["priority"] == "immediate"
    assert instant(arrest["due_at"]) - t <= 4 * HOUR
    assert [s["level"] for s in arrest["escalations"]] == [2, 3, 4]
    assert arrest["status"] == "done"
    assert instant(arrest["closed_at"]) == local("2021-11-20T07:00")
    assert all(instant(s["at"]) <= instant(arrest["closed_at"]) for s in arrest["escalations"])


def test_warrant_execute_warrant_before_the_sighting() -> None:
    before = replay_json(scenario("warrant-left-unexecuted"), "--until", "2022-01-10T00:00")
    t = local("2022-01-04T11:00")
    [action] = created_at(before, "execute_warrant", t)
    assert action["priority"] == "high"
    assert instant(action["due_at"]) == local("2022-01-05T11:00")
    fourth = [s for s in action["escalations"] if s["level"] == 4]
    assert len(fourth) == 1 and instant(fourth[0]["at"]) <= local("2022-01-08T23:59")
    assert instant(before["replayed_until"]) == local("2022-01-10T00:00")


def test_warrant_execute_warrant_after_the_sighting(warrant: dict[str, Any]) -> None:
    [action] = actions(warrant, "execute_warrant")
    assert instant(action["created_at"]) == local("2022-01-04T11:00")
    assert action["priority"] == "immediate"
    assert instant(action["due_at"]) == local("2022-01-15T16:15")
    assert action["status"] == "open" and action["closed_at"] is None
    assert max(s["level"] for s in action["escalations"]) == 4


def test_warrant_victim_contact_when_issued(warrant: dict[str, Any]) -> None:
    contacts = actions(warrant, "victim_contact", rule="R6")
    assert [(c["victim"], instant(c["created_at"])) for c in contacts] == [("V1", local("2022-01-04T11:00"))]


def test_warrant_the_sons_sighting_gets_the_victim_called_back(warrant: dict[str, Any]) -> None:
    # R12 (issue 12's public expectation): the son's report of the sighting at 19:10 creates
    # a victim_contact, immediate, due by 20:10.
    t = local("2021-11-14T19:10")
    [contact] = created_at(warrant, "victim_contact", t)
    assert (contact["victim"], contact["subject"], contact["rule"]) == ("V1", "P1", "R12")
    assert contact["priority"] == "immediate"
    assert instant(contact["due_at"]) <= local("2021-11-14T20:10")
    # The later sightings by the son find it still open: none is added (R12), and R6's own
    # victim_contact for the warrant is the only other one.
    assert [(c["rule"], instant(c["created_at"])) for c in actions(warrant, "victim_contact")] == [
        ("R12", t),
        ("R6", local("2022-01-04T11:00")),
    ]


def test_warrant_no_school_for_an_adult_son(warrant: dict[str, Any]) -> None:
    assert actions(warrant, "notify_school") == []


# --- household-repeat-callouts ----------------------------------------------------------------


@pytest.fixture(scope="module")
def household() -> dict[str, Any]:
    return replay_json(scenario("household-repeat-callouts"))


def test_household_answer_shape(household: dict[str, Any]) -> None:
    assert household["scenario"] == "household-repeat-callouts"
    _common_checks(household)


def test_household_links(household: dict[str, Any]) -> None:
    groups = [set(link["refs"]) for link in household["links"]]
    assert {"P2", "P2b"} in groups
    assert all("N1" not in g for g in groups)
    assert all(link["reason"] for link in household["links"])


REPORTS = [
    (local("2024-11-08T22:30"), local("2024-11-11T09:00")),
    (local("2025-01-17T21:05"), local("2025-01-20T09:00")),
    (local("2025-03-02T02:10"), local("2025-03-03T09:00")),
]


@pytest.mark.parametrize("child", ["K1", "K2"])
def test_household_notify_school_after_each_report(household: dict[str, Any], child: str) -> None:
    notices = actions(household, "notify_school", victim=child)
    assert [(instant(a["created_at"]), instant(a["due_at"])) for a in notices] == REPORTS
    first = notices[0]
    assert first["status"] == "done" and instant(first["closed_at"]) < REPORTS[0][1]
    assert first["subject"] == "P2"


def test_household_risk_standard_through_january(household: dict[str, Any]) -> None:
    early = [r for r in household["risk"] if instant(r["at"]) < local("2025-02-01T00:00")]
    assert early and all(r["level"] == "standard" for r in early)
    assert all(r["victim"] == "V2" and r["subject"] == "P2" for r in household["risk"])


def test_household_third_report_is_a_repeat(household: dict[str, Any]) -> None:
    t = local("2025-03-02T02:10")
    repeats = [f for f in household["flags"] if f["kind"] == "repeat"]
    assert [instant(f["at"]) for f in repeats] == [t]
    assert set(repeats[0]["refs"]) >= {"V2", "P2"}
    assert len(created_at(household, "refer_marac", t, victim="V2", subject="P2")) == 1


def test_household_high_after_the_lethality_screen(household: dict[str, Any]) -> None:
    t = local("2025-03-02T03:30")
    changes = [r for r in household["risk"] if instant(r["at"]) == t]
    assert [(r["level"], r["source"]) for r in changes] == [("high", "lethality_screen")]
    assert household["risk"][-1]["level"] == "high"
    before = [r["level"] for r in household["risk"] if instant(r["at"]) < t]
    assert "high" not in before


def test_household_alarm_priority_response(household: dict[str, Any]) -> None:
    t = local("2025-03-12T23:40")
    [response] = created_at(household, "priority_response", t)
    assert response["priority"] == "immediate"
    assert instant(response["due_at"]) - t == dt.timedelta(minutes=15)
    assert response["victim"] == "V2"


def test_household_doorstep_sighting_breaks_the_dvpo(household: dict[str, Any]) -> None:
    t = local("2025-03-12T23:41")
    breaches = [f for f in household["flags"] if f["kind"] == "breach" and instant(f["at"]) == t]
    assert len(breaches) == 1
    assert "O-2" in breaches[0]["detail"] and "exclusion zone" in breaches[0]["detail"]
    [arrest] = created_at(household, "arrest_suspect", t)
    assert arrest["priority"] == "immediate"
    assert arrest["status"] == "done"
    assert instant(arrest["closed_at"]) == local("2025-03-13T00:30")
    assert arrest["escalations"] == []


def test_household_doorstep_sighting_gets_the_victim_called_back(household: dict[str, Any]) -> None:
    # R12 (issue 12's public expectation): the doorstep sighting at 23:41 creates a
    # victim_contact, immediate, due by 00:41; the arrest at 00:30 does not close it.
    t = local("2025-03-12T23:41")
    [contact] = created_at(household, "victim_contact", t)
    assert (contact["victim"], contact["subject"], contact["rule"]) == ("V2", "P2", "R12")
    assert contact["priority"] == "immediate"
    assert instant(contact["due_at"]) <= local("2025-03-13T00:41")
    assert contact["status"] == "open"


# --- the real program ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["warrant-left-unexecuted", "household-repeat-callouts"])
def test_the_vigil_program_gives_the_same_answer(name: str) -> None:
    path = scenario(name)
    done = vigil("replay", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == replay_json(path)


def test_the_chronology_names_events_and_actions() -> None:
    done = vigil("replay", str(scenario("warrant-left-unexecuted")))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "Chronology" in text and "warrant W1 issued" in text
    assert "execute_warrant" in text and "Actions still open" in text
