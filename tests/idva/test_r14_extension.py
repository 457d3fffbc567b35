"""R14, a Vigil extension beyond POLICY.md: a partner agency's concern (`partner_concern`, a
live-system event) asks a supervisor to review the case. A vigil-timeline/1 file cannot hold
the event unless read with --extensions; `vigil policy show` names the rule as an extension;
a force's file without the table, or with it switched off, behaves as documented."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from vigil.policy.config import DEFAULT_POLICY_PATH, PolicyError, load_policy
from vigil.policy.facts import PartnerConcern
from vigil.policy.rules.r14_partner_concern import DEFAULT as R14_DEFAULT
from vigil.timeline.reader import TimelineError, parse_timeline
from vigil.timeline.replay import replay_file


def _document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "vigil-timeline/1",
        "id": "concern",
        "title": "a concern",
        "source": "synthetic",
        "timezone": "Europe/London",
        "people": [
            {"ref": "V1", "name": "Alys Prydderch", "aliases": [], "born": None, "sex": "female", "home": None},
            {"ref": "P1", "name": "Gethin Morcombe", "aliases": [], "born": None, "sex": "male", "home": None},
        ],
        "places": [],
        "relationships": [],
        "events": [
            {"at": "2025-03-01T10:00", "type": "report", "victim": "V1", "suspect": "P1", "category": "domestic_abuse"},
            *events,
        ],
        "replay_until": "2025-03-04T10:00",
    }


CONCERN = {"at": "2025-03-02T09:30", "type": "partner_concern", "victim": "V1", "subject": "P1", "agency": "Dee IDVA"}


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _reviews(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in answer["actions"] if a["rule"] == "R14"]


def test_a_format_file_cannot_hold_the_event_and_an_extension_read_acts_on_it(tmp_path: Path) -> None:
    with pytest.raises(TimelineError, match=r"events\[1\]\.type: unknown type 'partner_concern'"):
        parse_timeline(_document(CONCERN))
    [concern] = [e for e in parse_timeline(_document(CONCERN), extensions=True).events if isinstance(e, PartnerConcern)]
    assert (concern.victim, concern.subject, concern.agency) == ("V1", "P1", "Dee IDVA")
    with pytest.raises(TimelineError, match="victim"):
        parse_timeline(_document({**CONCERN, "victim": "V9"}), extensions=True)

    path = _write(tmp_path, _document(CONCERN))
    with pytest.raises(SystemExit):
        call_command("replay", str(path), "--json", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("replay", str(path), "--json", "--extensions", stdout=out)
    [review] = _reviews(json.loads(out.getvalue()))
    assert review["kind"] == "supervisor_review" and review["priority"] == "high" and review["status"] == "open"
    assert (review["victim"], review["subject"]) == ("V1", "P1")
    created, due = (dt.datetime.fromisoformat(review[k]) for k in ("created_at", "due_at"))
    assert due - created == dt.timedelta(hours=24) and created == dt.datetime.fromisoformat("2025-03-02T09:30:00+00:00")
    assert "Dee IDVA" in review["reason"]
    # Without the concern the same file has no R14 action: the rule acts on nothing else.
    assert _reviews(replay_file(_write(tmp_path, _document()), extensions=True)) == []


def test_a_forces_file_without_r14_gets_the_shipped_rule_and_may_switch_it_off(tmp_path: Path) -> None:
    shipped = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    start = shipped.index("[rules.R14]")
    end = shipped.index("\n[", start + 1)
    assert load_policy(DEFAULT_POLICY_PATH).rules.R14 == R14_DEFAULT
    older = tmp_path / "older.toml"
    older.write_text(shipped[:start] + shipped[end + 1 :], encoding="utf-8")
    assert load_policy(older).rules.R14 == R14_DEFAULT
    off = tmp_path / "off.toml"
    off.write_text(shipped[:start] + "[rules.R14]\nenabled = false\n" + shipped[end + 1 :], encoding="utf-8")
    policy = load_policy(off)
    assert policy.rules.R14 == dataclasses.replace(R14_DEFAULT, enabled=False)
    path = _write(tmp_path, _document(CONCERN))
    assert _reviews(replay_file(path, extensions=True, policy=policy)) == []
    bad = tmp_path / "bad.toml"
    r14_soon = shipped[start:].replace('review_priority = "high"', 'review_priority = "soon"', 1)
    bad.write_text(shipped[:start] + r14_soon, encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_policy(bad)
    assert error.value.key == "rules.R14.supervisor_review_priority" and "soon" in error.value.problem


def test_policy_show_names_r14_as_a_vigil_extension() -> None:
    out = io.StringIO()
    call_command("policy", "show", stdout=out)
    text = out.getvalue()
    extensions = text.index("Vigil extensions")
    assert text.index("R13 ") < extensions < text.index("R14 a partner agency's concern")
    assert "supervisor_review due 24 hours after the event (high)" in text
