"""The guided forms, through the views: a section per page, drafts, the check page, the
computed level before the grading, and the rationale rule. The policy bridge is stubbed
(see conftest); the engine's side is in test_risk_e2e.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.risk.conftest import dash_answers, login
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case, RiskAssessment
from vigil.risk.catalogue import all_instruments
from vigil.risk.models import AssessmentDraft

# Forms, scorer and pages: the engine is not asked (live_bridge; test_risk_e2e.py runs it).
pytestmark = [pytest.mark.django_db, pytest.mark.policy_offline]


def start(client: Client, case: Case, instrument: str) -> AssessmentDraft:
    response = client.post(reverse("risk_assessment_start", args=[case.pk]), {"instrument": instrument})
    assert response.status_code == 302
    return AssessmentDraft.objects.get(case=case, instrument=instrument, submitted_at__isnull=True)


def answer_all(client: Client, case: Case, draft: AssessmentDraft, answers: dict[int, str]) -> str:
    """Answer every section in turn, following the redirects; returns the last redirect."""
    location = ""
    for section in all_instruments()[draft.instrument].sections:
        data = {f"q{q.number}": answers[q.number] for q in section.questions}
        response = client.post(reverse("risk_assessment_section", args=[case.pk, draft.pk, section.slug]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        location = response["Location"]
    return location


def check_page(client: Client, case: Case, draft: AssessmentDraft) -> str:
    response = client.get(reverse("risk_assessment_check", args=[case.pk, draft.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_section_page_asks_each_question_with_three_distinct_answers(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "dash")
    response = client.get(reverse("risk_assessment_section", args=[case.pk, draft.pk, "incident"]))
    body = response.content.decode()
    assert "part 1 of 6" in body
    assert body.count('type="radio"') == 5 * 3
    for value in ("yes", "no", "not_known"):
        assert f'name="q1" type="radio" value="{value}"' in body
    assert "Not known" in body and "not the official wording" in body


def test_a_section_refuses_missing_answers_with_an_error_summary(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "dash")
    response = client.post(reverse("risk_assessment_section", args=[case.pk, draft.pk, "incident"]), {"q1": "yes"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and 'href="#q2"' in body
    assert "Answer question 2: choose yes, no or not known" in body
    draft.refresh_from_db()
    assert draft.answers == {}


def test_progress_is_saved_and_resumed(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "dash")
    data = {f"q{n}": "yes" for n in range(1, 6)}
    response = client.post(reverse("risk_assessment_section", args=[case.pk, draft.pk, "incident"]), data)
    assert response["Location"] == reverse("risk_assessment_section", args=[case.pk, draft.pk, "separation"])
    draft.refresh_from_db()
    assert draft.answers == {str(n): "yes" for n in range(1, 6)} and draft.current_section == "separation"
    assert AuditEvent.objects.filter(action="assessment_draft.save", object_id=str(draft.pk)).exists()
    # Starting again resumes the same draft where it stopped.
    response = client.post(reverse("risk_assessment_start", args=[case.pk]), {"instrument": "dash"})
    assert response["Location"].endswith("/separation/")
    assert AssessmentDraft.objects.filter(case=case).count() == 1
    assert "Continue the DASH risk checklist" in client.get(reverse("risk_assessment_start", args=[case.pk])).content.decode()
    # Answers already given are shown again.
    body = client.get(reverse("risk_assessment_section", args=[case.pk, draft.pk, "incident"])).content.decode()
    assert 'name="q1" type="radio" value="yes" checked' in body


@pytest.mark.parametrize(("yes", "level"), [(9, "standard"), (10, "medium"), (13, "medium"), (14, "high")])
def test_dash_boundaries_are_shown_before_the_grading(officer: Any, case: Case, yes: int, level: str) -> None:
    client = login(officer)
    draft = start(client, case, "dash")
    location = answer_all(client, case, draft, dash_answers(yes))
    assert location == reverse("risk_assessment_check", args=[case.pk, draft.pk])
    body = check_page(client, case, draft)
    assert f'id="computed-level" data-level="{level}"' in body
    assert f"{yes} of 24 answers yes" in body  # the engine's own words for the result
    # The computed level comes before the officer is asked for their own grading.
    assert body.index('id="computed-level"') < body.index("Your own grading")


@pytest.mark.parametrize(
    ("yes", "level"),
    [({1}, "high"), ({2}, "high"), ({3}, "high"), ({4, 5, 6}, "none"), ({4, 5, 6, 7}, "high"), (set(), "none")],
)
def test_lethality_boundaries_through_the_form(officer: Any, case: Case, yes: set[int], level: str) -> None:
    client = login(officer)
    draft = start(client, case, "lethality_screen")
    answer_all(client, case, draft, {n: "yes" if n in yes else "no" for n in range(1, 12)})
    body = check_page(client, case, draft)
    assert f'data-level="{level}"' in body
    if level == "none":
        assert "it sets no level" in body


def test_not_known_is_a_gap_on_the_check_page_and_does_not_count(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "dash")
    answer_all(client, case, draft, dash_answers(9, not_known=6))
    body = check_page(client, case, draft)
    assert body.count('data-answer="not_known"') == 6
    assert "a gap: not counted" in body
    assert "questions 10, 11, 12, 13, 14, 15" in body
    assert 'data-level="standard"' in body


def test_unanswered_questions_block_the_grading(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "sdash")
    client.post(reverse("risk_assessment_section", args=[case.pk, draft.pk, "victim"]), {"q1": "yes", "q2": "no"})
    body = check_page(client, case, draft)
    assert "Not answered" in body and "Your own grading" not in body
    response = client.post(reverse("risk_assessment_check", args=[case.pk, draft.pk]), {"officer_level": "high"})
    assert response.status_code == 200
    assert not RiskAssessment.objects.exists()


def test_change_link_returns_to_the_check_page(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "sdash")
    answer_all(client, case, draft, dict.fromkeys(range(1, 12), "no"))
    url = reverse("risk_assessment_section", args=[case.pk, draft.pk, "behaviour"])
    assert 'name="return" value="check"' in client.get(url + "?return=check").content.decode()
    data = {"q3": "yes", "q4": "no", "q5": "no", "q6": "no", "return": "check"}
    response = client.post(url, data)
    assert response["Location"] == reverse("risk_assessment_check", args=[case.pk, draft.pk])
    assert "damaged the victim&#x27;s property" in check_page(client, case, draft)


def test_grading_below_the_computed_level_needs_a_rationale(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "dash")
    answer_all(client, case, draft, dash_answers(14))
    url = reverse("risk_assessment_check", args=[case.pk, draft.pk])
    response = client.post(url, {"officer_level": "medium", "officer_rationale": "  "})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and "Explain why you grade the risk lower than high" in body
    assert not RiskAssessment.objects.exists()

    response = client.post(url, {"officer_level": "medium", "officer_rationale": "Subject now in custody on remand."})
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[case.pk])
    assessment = RiskAssessment.objects.get()
    assert (assessment.instrument, assessment.officer_level) == ("dash", "medium")
    assert assessment.officer_rationale == "Subject now in custody on remand."
    assert {a.question: a.answer for a in assessment.answers.all()} == dash_answers(14)
    draft.refresh_from_db()
    assert draft.submitted_at is not None and draft.assessment == assessment


def test_grading_above_the_computed_level_needs_no_rationale(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "dash")
    answer_all(client, case, draft, dash_answers(3))
    response = client.post(reverse("risk_assessment_check", args=[case.pk, draft.pk]), {"officer_level": "high"})
    assert response.status_code == 302
    assert RiskAssessment.objects.get().officer_level == "high"


def test_the_grading_itself_is_required(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "dash")
    answer_all(client, case, draft, dash_answers(3))
    response = client.post(reverse("risk_assessment_check", args=[case.pk, draft.pk]), {})
    assert "Choose your own grading of the risk" in response.content.decode()
    assert not RiskAssessment.objects.exists()


def test_grading_below_the_level_the_case_already_holds_needs_a_rationale(officer: Any, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(risk_level="high")  # as the policy would have set it
    client = login(officer)
    draft = start(client, case, "lethality_screen")
    answer_all(client, case, draft, dict.fromkeys(range(1, 12), "no"))
    response = client.post(reverse("risk_assessment_check", args=[case.pk, draft.pk]), {"officer_level": "standard"})
    assert "Explain why you grade the risk lower than high: the case is already at high" in response.content.decode()


def test_a_submitted_draft_cannot_be_submitted_again(officer: Any, case: Case) -> None:
    client = login(officer)
    draft = start(client, case, "sdash")
    answer_all(client, case, draft, dict.fromkeys(range(1, 12), "no"))
    url = reverse("risk_assessment_check", args=[case.pk, draft.pk])
    assert client.post(url, {"officer_level": "standard"}).status_code == 302
    assert client.post(url, {"officer_level": "standard"}).status_code == 404
    assert RiskAssessment.objects.count() == 1


def test_another_teams_officer_gets_404_everywhere(officer: Any, outsider: Any, case: Case) -> None:
    draft = start(login(officer), case, "dash")
    client = login(outsider)
    assert client.get(reverse("risk_assessment_start", args=[case.pk])).status_code == 404
    assert client.get(reverse("risk_assessment_section", args=[case.pk, draft.pk, "incident"])).status_code == 404
    assert client.get(reverse("risk_assessment_check", args=[case.pk, draft.pk])).status_code == 404


def test_a_colleagues_draft_is_not_theirs_to_continue(officer: Any, supervisor: Any, case: Case) -> None:
    draft = start(login(officer), case, "dash")
    assert login(supervisor).get(reverse("risk_assessment_check", args=[case.pk, draft.pk])).status_code == 404


def test_start_page_lists_every_instrument_and_refuses_no_choice(officer: Any, case: Case) -> None:
    client = login(officer)
    body = client.get(reverse("risk_assessment_start", args=[case.pk])).content.decode()
    for name in ("DASH risk checklist", "S-DASH stalking screening", "Lethality Screen"):
        assert name in body
    response = client.post(reverse("risk_assessment_start", args=[case.pk]), {})
    assert "Choose which assessment to complete" in response.content.decode()
    assert not AssessmentDraft.objects.exists()
