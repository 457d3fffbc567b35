"""An officer completes a full DASH in the browser, then reads the risk history chart.

The policy bridge is stubbed here (as in tests/risk), so the test does not wait on the
engine: the risk history rows that the engine would write are created directly, to draw
the chart. The engine's own rows are checked in tests/risk/test_risk_e2e.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import PersonFactory
from vigil.cases.models import Case, Report, RiskAssessment, RiskChange, Sighting
from vigil.cases.services import case_open
from vigil.risk.catalogue import all_instruments

# The form's behaviour: the engine is not asked (live_bridge).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.policy_offline]


def signed_in(page: Any, base_url: str, user: Any) -> None:
    """A session made by Django's test client (which counts as having passed the second
    factor in the test settings), handed to the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


def test_an_officer_completes_a_full_dash_and_sees_the_history_chart(
    page: Any, live_server: Any, officer: Any, artifacts: Path
) -> None:
    case: Case = case_open(
        actor=officer,
        victim=PersonFactory(full_name="Rhiannon Calloway"),
        subject=PersonFactory(full_name="Bernard Ashdown"),
        team=officer.team,
    )
    signed_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("text=Assess the risk")
    page.check("label:has-text('DASH risk checklist')")
    page.click("button:has-text('Start')")

    dash = all_instruments()["dash"]
    yes = {1, 2, 3, 4, 6, 8, 10, 11, 12, 13, 14, 15, 17, 21}  # 14 yes: high
    not_known = {18, 24}
    for step, section in enumerate(dash.sections, start=1):
        assert f"part {step} of {len(dash.sections)}" in page.locator(".govuk-caption-l").inner_text()
        assert page.locator("h1").inner_text() == section.title
        if step == 1:
            # Nothing answered: the error summary names the first question.
            page.click("button:has-text('Save and continue')")
            assert "Answer question 1" in page.locator(".govuk-error-summary").inner_text()
        for question in section.questions:
            value = "yes" if question.number in yes else "not_known" if question.number in not_known else "no"
            target = f"#q{question.number}" if value == "yes" else f"#q{question.number}-{value}"
            page.check(target)
        page.click("button:has-text('Save and continue')")

    assert page.locator("h1").inner_text() == "Check your answers"
    assert page.locator("[data-answer=not_known]").count() == 2
    computed = page.locator("#computed-level")
    assert computed.get_attribute("data-level") == "high"
    assert "14 of 24 answers yes" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "risk-check-answers.png"), full_page=True)

    # A lower grading without reasons is refused, with the reason in the error summary.
    page.check("#officer_level-medium")
    page.click("button:has-text('Submit the assessment')")
    assert "Explain why you grade the risk lower than high" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error:")
    page.check("#officer_level-medium")
    page.fill("#officer_rationale", "He was remanded in custody this morning.")
    page.click("button:has-text('Submit the assessment')")
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert "The DASH risk checklist was recorded" in page.locator(".govuk-notification-banner").inner_text()
    assessment = RiskAssessment.objects.get(case=case)
    assert assessment.officer_level == "medium" and assessment.answers.filter(answer="yes").count() == 14

    # The rows the engine writes for this history, created directly to draw the chart.
    now = timezone.now()
    for days, level, source, drivers in [
        (60, "standard", "dash", ["4 yes answers of 24"]),
        (30, "medium", "policy", ["three reports within 12 months"]),
        (0, "high", "dash", ["threat to kill believed", "attempted strangulation or choking"]),
    ]:
        at = now - dt.timedelta(days=days, minutes=1)
        RiskChange.objects.create(case=case, at=at, level=level, source=source, drivers=drivers, key=f"{level}@{at}")
    for days in (58, 35, 31):
        at = now - dt.timedelta(days=days)
        Report.objects.create(case=case, category="domestic_abuse", reported_at=at, victim_record=case.victim, recorded_at=now)
    Sighting.objects.create(
        subject=case.subject, reported_at=now - dt.timedelta(days=12), summary="near the victim's work", recorded_at=now
    )

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    chart = page.locator("svg.vigil-risk-chart")
    assert chart.get_attribute("role") == "img"
    assert chart.locator("title").first.text_content() == "Risk level over time"
    assert page.locator("g.vigil-marker--report").count() == 3
    assert page.locator("g.vigil-marker--sighting").count() == 1
    assert "threat to kill believed" in page.locator("#risk-history").inner_text()
    page.locator("#risk").scroll_into_view_if_needed()
    chart.screenshot(path=str(artifacts / "risk-history-chart.png"))
    page.screenshot(path=str(artifacts / "risk-history.png"), full_page=True)
    assert (artifacts / "risk-history-chart.png").stat().st_size > 5_000
