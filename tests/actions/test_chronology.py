from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import PersonFactory, UserFactory, aware
from tests.pdftext import pdf_text
from vigil.actions.models import Action
from vigil.actions.services import action_complete, action_decline
from vigil.audit.chronology import ChronologyFilter, case_audit_rows, case_chronology
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case
from vigil.cases.services import assessment_record, case_open, report_record
from vigil.core.constants import ActionKind, Role
from vigil.core.times import Happened
from vigil.warrants.services import warrant_issue

# The chronology of a case whose actions the engine made from the facts recorded (the live
# bridge on), at a held clock: on 12 March 2025 the warrant's action has climbed the ladder.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
NOW = dt.datetime(2025, 3, 12, 12, 0, tzinfo=dt.UTC)

RATIONALE = "Victim is in a refuge out of the area; the local force has taken over the safety plan."
HIGH_DASH = {n: "yes" if n <= 14 else "no" for n in range(1, 25)}


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def case(officer: Any) -> Case:
    """A case with a report, a DASH at high risk, a warrant for the subject; the policy's
    execute-the-warrant action (escalated) completed and its safety plan declined with a rationale."""
    case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team)
    report_record(
        actor=officer,
        case=case,
        category="stalking",
        reported_at=aware(2025, 3, 2, 2, 10),
        happened=Happened.on(dt.date(2025, 2, 27), dt.date(2025, 3, 1)),
        summary="Waited outside.",
    )
    assessment_record(actor=officer, case=case, instrument="dash", answers=HIGH_DASH, completed_at=aware(2025, 3, 2, 10, 0))
    warrant_issue(
        actor=officer,
        reference="W-TEST-1",
        subject=case.subject,
        reason="Failed to appear",
        issued_at=aware(2025, 3, 3, 9, 0),
        reported_at=aware(2025, 3, 3, 11, 30),
    )
    warrant = Action.objects.get(case=case, kind=ActionKind.EXECUTE_WARRANT, status="open")
    plan = Action.objects.get(case=case, kind=ActionKind.SAFETY_PLAN, status="open")
    assert warrant.level > 1  # the ladder raised it
    action_complete(actor=officer, action=warrant, note="Arrested at his mother's address.")
    action_decline(actor=officer, action=plan, rationale=RATIONALE)
    return case


def test_the_chronology_lists_events_actions_escalations_and_decisions(case: Case, officer: Any) -> None:
    entries = case_chronology(case)
    actions = [e.audit_action for e in entries]
    for expected in (
        "case.open",
        "report.record",
        "warrant.issue",
        "action.create",
        "action.escalate",
        "decision.completed",
        "action.complete",
        "decision.declined",
        "action.decline",
    ):
        assert expected in actions, expected
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    decline = next(e for e in entries if e.audit_action == "action.decline")
    assert decline.rationale == RATIONALE and officer.username in decline.by and "Make a safety plan" in decline.done
    create = next(e for e in entries if e.audit_action == "action.create" and "Execute the warrant" in e.asked)
    assert create.by == "the policy (automatic)" and "W-TEST-1" in create.asked
    assert any("W-TEST-1" in e.known for e in entries)


def test_the_case_page_shows_the_timeline_and_filters_by_kind_and_date(case: Case, officer: Any) -> None:
    client = _client(officer)
    body = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'class="moj-timeline"' in body and body.count('class="moj-timeline__item"') >= 9
    assert RATIONALE in body
    assert "Download for review (CSV)" in body

    decisions = client.get(reverse("case_detail", args=[case.pk]), {"kind": "decision"}).content.decode()
    kinds = set(re.findall(r'moj-timeline__item" data-kind="(\w+)"', decisions))
    assert kinds == {"decision"}

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    empty = client.get(reverse("case_detail", args=[case.pk]), {"from": tomorrow}).content.decode()
    assert 'class="moj-timeline__item"' not in empty and "Nothing in the chronology" in empty
    bad = client.get(reverse("case_detail", args=[case.pk]), {"from": "2025-02-30"}).content.decode()
    assert "From date must be a real date" in bad


def test_a_fact_says_when_it_happened_beside_when_it_was_recorded(case: Case, officer: Any) -> None:
    body = _client(officer).get(reverse("case_detail", args=[case.pk])).content.decode()
    # Greenwich time in March: the report the police took at 02:10 on 2 March 2025 of what
    # happened some day from 27 February to 1 March (a day is never shown as midnight).
    assert (
        "Police told 2 March 2025 at 02:10; happened between 27 February 2025 and 1 March 2025 (time not known); recorded "
        in body
    )
    # The warrant, issued at 09:00 and made known to the police at 11:30.
    assert "Police told 3 March 2025 at 11:30; happened 3 March 2025 at 09:00; recorded " in body


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_export_parses_and_matches_the_audit_rows(case: Case, officer: Any) -> None:
    expected = list(case_audit_rows(case))
    response = _client(officer).get(
        reverse("chronology_export", args=[case.pk, "csv"]), {"kind": ["fact", "policy", "escalation", "decision", "access"]}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response.content)
    assert [int(r["Audit row"]) for r in rows] == [e.seq for e in expected]
    assert [r["Audit hash"] for r in rows] == [e.hash for e in expected]
    decline = next(r for r in rows if r["Rationale"] == RATIONALE)
    assert decline["By whom"].endswith(f"({officer.username})") and decline["What was done"]
    assert any(r["What the policy asked"].startswith("Execute the warrant") for r in rows)
    assert all(r["Date and time"] for r in rows)

    export = AuditEvent.objects.filter(action="chronology.export").get()
    assert export.actor == officer and export.case_id == case.pk
    assert export.new["format"] == "csv" and export.new["rows"] == len(rows)


def test_the_export_range_is_recorded_and_applied(case: Case, officer: Any) -> None:
    AuditEvent.objects.filter(case_id=case.pk)  # rows exist today only
    today = timezone.localdate().isoformat()
    response = _client(officer).get(
        reverse("chronology_export", args=[case.pk, "csv"]), {"from": "2020-01-01", "to": "2020-12-31"}
    )
    assert _csv_rows(response.content) == []
    export = AuditEvent.objects.get(action="chronology.export")
    assert export.new["from"] == "2020-01-01" and export.new["to"] == "2020-12-31" and export.new["rows"] == 0
    response = _client(officer).get(reverse("chronology_export", args=[case.pk, "csv"]), {"from": today, "to": today})
    assert len(_csv_rows(response.content)) > 5


def test_the_pdf_export_contains_every_entry(case: Case, officer: Any) -> None:
    expected = list(case_audit_rows(case))
    response = _client(officer).get(reverse("chronology_export", args=[case.pk, "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert f"Chronology of case {case.reference}" in text
    for event in expected:
        if event.action != "case.view":
            assert event.hash[:12] in text, event.action
    assert "refuge out of the area" in text
    assert AuditEvent.objects.filter(action="chronology.export", new__format="pdf").count() == 1


@pytest.mark.parametrize("role", [Role.IDVA, Role.ANALYST])
def test_advisers_and_analysts_cannot_export(case: Case, officer: Any, role: str) -> None:
    user = UserFactory(role=role, team=officer.team)
    assert _client(user).get(reverse("chronology_export", args=[case.pk, "csv"])).status_code == 404
    assert not AuditEvent.objects.filter(action="chronology.export").exists()


def test_another_team_cannot_export(case: Case, outsider: Any) -> None:
    assert _client(outsider).get(reverse("chronology_export", args=[case.pk, "csv"])).status_code == 404


def test_the_command_exports_csv_and_pdf_for_a_permitted_user(case: Case, officer: Any, tmp_path: Path) -> None:
    out = tmp_path / "chronology.csv"
    call_command("chronology", case.reference, "--format", "csv", "--user", officer.username, "--output", str(out))
    rows = _csv_rows(out.read_bytes())
    assert [int(r["Audit row"]) for r in rows] == [e.seq for e in case_audit_rows(case) if e.action != "chronology.export"]
    pdf = tmp_path / "chronology.pdf"
    call_command(
        "chronology",
        str(case.pk),
        "--format",
        "pdf",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--user",
        officer.username,
        "--output",
        str(pdf),
    )
    assert pdf.read_bytes().startswith(b"%PDF-")
    exports = AuditEvent.objects.filter(action="chronology.export", actor=officer).order_by("seq")
    assert [e.new["format"] for e in exports] == ["csv", "pdf"]
    assert exports[1].new["from"] == "2000-01-01"


def test_the_command_needs_a_user_who_can_see_the_case(case: Case, outsider: Any) -> None:
    with pytest.raises(CommandError, match="No case"):
        call_command("chronology", case.reference, "--user", outsider.username)
    with pytest.raises(CommandError):
        call_command("chronology", case.reference)
    analyst = UserFactory(role=Role.ANALYST)
    with pytest.raises(CommandError, match="may not export"):
        call_command("chronology", case.reference, "--user", analyst.username)


def test_filter_reads_dates_and_kinds() -> None:
    f = ChronologyFilter.from_params({"from": "2025-03-01", "to": "2025-02-01", "kind": ["decision", "bogus"]})
    assert f.start == dt.date(2025, 3, 1) and f.kinds == ("decision",)
    assert f.errors == ("To date must be the same as or after the from date",)
