"""The risk part of the case page, the chart, the next review, and tamper resistance."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.contrib import admin
from django.forms import modelform_factory
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.risk.conftest import login
from vigil.actions.models import Action
from vigil.cases.models import Case, Report, RiskChange
from vigil.core.constants import ActionKind, Role
from vigil.risk.chart import LevelPoint, Marker, render_risk_chart

# Forms, scorer and pages: the engine is not asked (live_bridge; test_risk_e2e.py runs it).
pytestmark = [pytest.mark.django_db, pytest.mark.policy_offline]
SVG = "{http://www.w3.org/2000/svg}"


def risk_change(case: Case, at: dt.datetime, level: str, source: str, drivers: list[str]) -> RiskChange:
    return RiskChange.objects.create(case=case, at=at, level=level, source=source, drivers=drivers, key=f"{level}@{at}:{source}")


def dash(officer: Any, case: Case, at: dt.datetime, yes: int = 14) -> None:
    """A DASH recorded through the service with the policy bridge on: the engine makes the
    review_risk actions the section shows (R3 at high, every 7 days)."""
    from vigil.cases.services import assessment_record

    answers = {n: "yes" if n <= yes else "no" for n in range(1, 25)}
    assessment_record(actor=officer, case=case, instrument="dash", answers=answers, completed_at=at)


def test_history_shows_every_change_with_source_and_drivers(officer: Any, case: Case) -> None:
    now = timezone.now()
    risk_change(case, now - dt.timedelta(days=20), "medium", "dash", ["11 yes answers of 24"])
    risk_change(case, now - dt.timedelta(days=5), "high", "policy", ["threat to kill believed", "lives 260 m away"])
    Report.objects.create(
        case=case, category="stalking", reported_at=now - dt.timedelta(days=6), victim_record=case.victim, recorded_at=now
    )
    body = login(officer).get(reverse("case_detail", args=[case.pk])).content.decode()
    history = body[body.index('id="risk-history"') :]
    assert "DASH checklist" in history and "Policy (escalator or repeat floor)" in history
    assert "threat to kill believed" in history and "lives 260 m away" in history
    assert history.index("11 yes answers") < history.index("threat to kill believed")
    assert 'role="img"' in body and '<title id="risk-chart-title">Risk level over time</title>' in body
    table = body[body.index('id="risk-chart-table"') :]
    assert "Level high (Policy (escalator or repeat floor))" in table and "Report: Stalking" in table
    assert f'href="/cases/{case.pk}/risk/assess/"' in body


def test_a_case_without_history_says_so_and_draws_no_chart(officer: Any, case: Case) -> None:
    body = login(officer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "No risk assessment has been recorded yet." in body
    assert "No risk review is scheduled." in body
    assert "<svg" not in body


def test_next_review_shows_the_earliest_open_review_with_its_rule(
    officer: Any, case: Case, live_bridge: Any, frozen_clock: dt.datetime
) -> None:
    live_bridge.on = True
    dash(officer, case, frozen_clock - dt.timedelta(days=10))
    dash(officer, case, frozen_clock - dt.timedelta(days=4))  # reviews the risk: the first review is done
    reviews = Action.objects.filter(case=case, kind=ActionKind.REVIEW_RISK).order_by("due_at")
    assert [r.status for r in reviews] == ["done", "open"]
    due = reviews[1].due_at
    assert due == frozen_clock + dt.timedelta(days=3)
    body = login(officer).get(reverse("case_detail", args=[case.pk])).content.decode()
    section = body[body.index('id="next-review"') :]
    assert timezone.localtime(due).strftime("%-d %b %Y") in section
    assert f"{reviews[1].reason[:1].upper()}{reviews[1].reason[1:]} (rule R3)" in section
    assert "Overdue" not in section[: section.index("</dl>")]


def test_an_overdue_review_shows_overdue_with_its_escalation_level(
    officer: Any, case: Case, live_bridge: Any, frozen_clock: dt.datetime
) -> None:
    live_bridge.on = True
    dash(officer, case, frozen_clock - dt.timedelta(days=9))  # the review fell due 2 days ago
    review = Action.objects.get(case=case, kind=ActionKind.REVIEW_RISK)
    assert review.level == 3  # the ladder: level 2 at the due time, level 3 a day later
    body = login(officer).get(reverse("case_detail", args=[case.pk])).content.decode()
    section = body[body.index('id="next-review"') : body.index("</dl>", body.index('id="next-review"'))]
    assert "Overdue" in section and "overdue by 2 days" in section and "Level 3" in section


def test_chart_is_valid_accessible_svg_with_markers() -> None:
    now = timezone.now()
    points = [
        LevelPoint(now - dt.timedelta(days=40), "standard", "DASH checklist"),
        LevelPoint(now - dt.timedelta(days=10), "high", "Policy"),
    ]
    markers = [
        Marker(now - dt.timedelta(days=30), "report", "Stalking"),
        Marker(now - dt.timedelta(days=12), "breach", "of order <X1>"),
        Marker(now - dt.timedelta(days=11), "sighting", "seen near the school"),
    ]
    svg = render_risk_chart(points, markers, now=now)
    root = ET.fromstring(str(svg))  # noqa: S314 - our own output, parsed to check it is well formed
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "risk-chart-title risk-chart-desc"
    assert root.find(f"{SVG}title").text == "Risk level over time"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "standard from" in desc and "It is high now" in desc and "1 report, 1 breach, 1 sighting" in desc
    classes = [g.get("class") for g in root.iter(f"{SVG}g")]
    assert classes.count("vigil-risk-change") == 2
    assert {
        "vigil-marker vigil-marker--report",
        "vigil-marker vigil-marker--breach",
        "vigil-marker vigil-marker--sighting",
    } <= set(classes)
    assert "<X1>" not in str(svg) and "&lt;X1&gt;" in str(svg)
    assert "style=" not in str(svg)  # the content security policy forbids inline styles
    # The step line goes up from the standard band to the high band.
    line = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "vigil-risk-line")
    assert ",150 " in (line.get("d") or "") and (line.get("d") or "").endswith(",40")


# Tamper resistance: the level changes only through an assessment, a policy fact or a recorded judgement.


def test_the_risk_level_field_is_not_editable() -> None:
    assert Case._meta.get_field("risk_level").editable is False
    assert Case._meta.get_field("risk_changed_at").editable is False
    assert "risk_level" not in modelform_factory(Case, fields="__all__")().fields


def test_admin_shows_the_case_read_only_and_a_post_cannot_change_the_level(case: Case) -> None:
    admin_user = UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[Case]
    request = type("R", (), {"user": admin_user})()
    assert not model_admin.has_change_permission(request, case)  # type: ignore[arg-type]
    assert not model_admin.has_add_permission(request)  # type: ignore[arg-type]
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:cases_case_change", args=[case.pk])
    response = client.post(url, {"risk_level": "high", "reference": case.reference, "team": case.team_id})
    assert response.status_code in (302, 403)
    case.refresh_from_db()
    assert case.risk_level == ""
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="risk_level"' not in page.content.decode()


def test_no_risk_form_field_sets_the_level(officer: Any, case: Case) -> None:
    client = login(officer)
    response = client.post(reverse("risk_assessment_start", args=[case.pk]), {"instrument": "sdash", "risk_level": "high"})
    draft_url = response["Location"]
    section = draft_url.rstrip("/").rsplit("/", 1)[-1]
    assert section == "victim"
    client.post(draft_url, {"q1": "no", "q2": "no", "risk_level": "high", "computed_level": "high"})
    case.refresh_from_db()
    assert case.risk_level == ""
    response = client.post(reverse("report_new", args=[case.pk]), {"category": "", "risk_level": "high"})
    case.refresh_from_db()
    assert case.risk_level == ""
