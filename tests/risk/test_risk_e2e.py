"""End to end through the real policy bridge (vigil.actions.live.policy_reevaluate): these
need the engine and its bridge, and run after integration. The form-level behaviour is
tested without the engine in test_forms.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tests.risk.conftest import dash_answers, login
from vigil.actions.models import Action
from vigil.cases.models import Case, RiskAssessment
from vigil.cases.services import assessment_record
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus
from vigil.risk.catalogue import all_instruments
from vigil.risk.models import AssessmentDraft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def submit_through_the_forms(officer: Any, case: Case, instrument: str, answers: dict[int, str], **grading: str) -> Any:
    client = login(officer)
    client.post(reverse("risk_assessment_start", args=[case.pk]), {"instrument": instrument})
    draft = AssessmentDraft.objects.get(case=case, instrument=instrument, submitted_at__isnull=True)
    for section in all_instruments()[instrument].sections:
        data = {f"q{q.number}": answers[q.number] for q in section.questions}
        client.post(reverse("risk_assessment_section", args=[case.pk, draft.pk, section.slug]), data)
    return client.post(reverse("risk_assessment_check", args=[case.pk, draft.pk]), grading)


@pytest.mark.parametrize(("yes", "level"), [(9, "standard"), (10, "medium"), (13, "medium"), (14, "high")])
def test_dash_bands_through_the_form_and_the_engine(officer: Any, case: Case, yes: int, level: str) -> None:
    # Keep the escalator questions (8 stalking, 14 threat to kill, 15 strangulation) at no.
    chosen = [n for n in range(1, 25) if n not in (8, 14, 15)][:yes]
    answers = {n: "yes" if n in chosen else "no" for n in range(1, 25)}
    response = submit_through_the_forms(officer, case, "dash", answers, officer_level="standard", officer_rationale="x")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.risk_level == level
    change = case.risk_changes.last()
    assert change is not None and change.level == level


@pytest.mark.parametrize(("yes", "level"), [({1}, "high"), ({2}, "high"), ({3}, "high"), ({4, 6, 7, 8}, "high")])
def test_lethality_screen_high_through_the_engine(officer: Any, case: Case, yes: set[int], level: str) -> None:
    answers = {n: "yes" if n in yes else "no" for n in range(1, 12)}
    submit_through_the_forms(officer, case, "lethality_screen", answers, officer_level="high")
    case.refresh_from_db()
    assert case.risk_level == level
    assert case.risk_changes.filter(source="lethality_screen", level="high").exists()


def test_lethality_screen_with_three_yes_among_4_to_11_sets_no_level(officer: Any, case: Case) -> None:
    answers = {n: "yes" if n in (4, 6, 8) else "no" for n in range(1, 12)}
    assessment_record(actor=officer, case=case, instrument="lethality_screen", answers=answers, completed_at=times.now())
    case.refresh_from_db()
    assert not case.risk_changes.filter(source="lethality_screen").exists()


def test_a_lower_grading_is_a_recorded_disagreement_with_a_supervisor_review(officer: Any, case: Case) -> None:
    response = submit_through_the_forms(
        officer, case, "dash", dash_answers(14), officer_level="medium", officer_rationale="Subject remanded in custody."
    )
    assert response.status_code == 302
    assessment = RiskAssessment.objects.get()
    assert (assessment.officer_level, assessment.officer_rationale) == ("medium", "Subject remanded in custody.")
    case.refresh_from_db()
    assert case.risk_level == "high"  # a grading may raise, never lower
    assert Action.objects.filter(case=case, kind=ActionKind.SUPERVISOR_REVIEW, status=ActionStatus.OPEN).exists()


def test_a_higher_grading_raises_the_level_as_professional_judgement(officer: Any, case: Case) -> None:
    submit_through_the_forms(officer, case, "dash", dash_answers(3), officer_level="high")
    case.refresh_from_db()
    assert case.risk_level == "high"
    assert case.risk_changes.filter(level="high", source="professional_judgement").exists()


def test_a_later_lower_assessment_does_not_lower_the_level_while_an_escalator_holds(officer: Any, case: Case) -> None:
    now = times.now()
    first = dash_answers(4)  # questions 1-4 yes; add a believed threat to kill (E2)
    first[14] = "yes"
    assessment_record(
        actor=officer, case=case, instrument="dash", answers=first, completed_at=now - dt.timedelta(days=10), officer_level="high"
    )
    case.refresh_from_db()
    assert case.risk_level == "high"
    later = dash_answers(2)
    assessment_record(
        actor=officer,
        case=case,
        instrument="dash",
        answers=later,
        completed_at=now - dt.timedelta(days=2),
        officer_level="high",
    )
    case.refresh_from_db()
    assert case.risk_level == "high"
    latest = case.risk_changes.order_by("at", "id").last()
    assert latest is not None and latest.level == "high"
    drivers = " ".join(d for c in case.risk_changes.all() for d in c.drivers).lower()
    assert "kill" in drivers


def test_the_case_page_shows_the_engines_history_and_next_review(officer: Any, case: Case) -> None:
    submit_through_the_forms(officer, case, "dash", dash_answers(14), officer_level="high")
    body = login(officer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="risk-history"' in body and "DASH checklist" in body
    assert Action.objects.filter(case=case, kind=ActionKind.REVIEW_RISK, status=ActionStatus.OPEN).exists()
    assert "No risk review is scheduled." not in body


@pytest.mark.parametrize(
    ("instrument", "yes_count", "expected"),
    [("dash", 13, "medium"), ("dash", 14, "high"), ("dash", 9, "standard"), ("sdash", 11, "")],
)
def test_the_instrument_level_is_stored_beside_the_officers_grading(
    officer: Any, case: Case, instrument: str, yes_count: int, expected: str
) -> None:
    answers = {n: "yes" if n <= yes_count else "no" for n in range(1, 25 if instrument == "dash" else 12)}
    assessment = assessment_record(
        actor=officer, case=case, instrument=instrument, answers=answers, completed_at=times.now(), officer_level="medium"
    )
    assessment.refresh_from_db()
    assert assessment.computed_level == expected
    assert assessment.officer_level == "medium"


def test_the_check_page_shows_the_level_an_escalator_in_the_answers_sets_and_asks_why_for_a_lower_grading(
    officer: Any, case: Case
) -> None:
    """A DASH with 11 yes answers, one of them strangulation (question 15): the count gives
    medium, the policy sets high (E3). The page says so, and grading medium needs a reason."""
    chosen = [15, *[n for n in range(1, 25) if n not in (8, 14, 15)][:10]]
    answers = {n: "yes" if n in chosen else "no" for n in range(1, 25)}
    response = submit_through_the_forms(officer, case, "dash", answers)
    body = response.content.decode()
    assert "Computed level:" in body and "Level the policy sets:" in body
    assert "Attempted strangulation or choking holds the risk at high for 90 days (E3)" in body
    refused = submit_through_the_forms(officer, case, "dash", answers, officer_level="medium", officer_rationale="")
    assert refused.status_code == 200 and "Explain why you grade the risk lower than high" in refused.content.decode()
    assert not RiskAssessment.objects.exists()
