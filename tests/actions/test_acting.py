from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.actions.builders import assessed, of_kind, reported, warranted
from tests.conftest import PASSWORD
from tests.factories import PersonFactory
from vigil.actions.models import Action, Decision
from vigil.actions.services import action_decline, action_signoff
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case
from vigil.cases.services import case_open
from vigil.core.constants import ActionKind, ActionStatus, SignOff

# Acting on actions the engine made from recorded facts (the live bridge on), at a held clock.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
HOUR = dt.timedelta(hours=1)


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _case(officer: Any) -> Case:
    return case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team)


@pytest.fixture
def warrant_action(officer: Any) -> Action:
    """R6's execute-the-warrant for a subject whose victim is at high risk (a report, a DASH at
    high risk, then the warrant)."""
    case = _case(officer)
    reported(case, actor=officer, ago=3 * HOUR)
    assessed(case, actor=officer, ago=2 * HOUR)
    return of_kind(warranted(case, actor=officer, ago=HOUR), ActionKind.EXECUTE_WARRANT)


def _plan(warrant_action: Action) -> Action:
    """The safety plan R3 asked for when the DASH found the pair at high risk."""
    return Action.objects.get(case=warrant_action.case, kind=ActionKind.SAFETY_PLAN, status=ActionStatus.OPEN)


@pytest.mark.parametrize("rationale", ["", "   \n  "])
def test_a_decline_without_a_rationale_is_refused(officer: Any, warrant_action: Action, rationale: str) -> None:
    before = AuditEvent.objects.count()
    response = _client(officer).post(reverse("action_decline", args=[warrant_action.pk]), {"rationale": rationale})
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body and "Explain why this action will not be done" in body
    assert "<title>Error:" in body
    warrant_action.refresh_from_db()
    assert warrant_action.status == ActionStatus.OPEN
    assert not Decision.objects.exists()
    assert AuditEvent.objects.count() == before


def test_the_service_refuses_an_empty_rationale_too(officer: Any, warrant_action: Action) -> None:
    with pytest.raises(ValidationError) as error:
        action_decline(actor=officer, action=warrant_action, rationale="  ")
    assert "rationale" in error.value.message_dict


def test_a_decline_of_a_high_risk_action_waits_for_the_supervisor_who_signs_it_off(
    officer: Any, supervisor: Any, warrant_action: Action
) -> None:
    board = reverse("home")
    response = _client(officer).post(
        reverse("action_decline", args=[warrant_action.pk]),
        {"rationale": "Subject arrested by another force this morning; warrant executed there.", "next": board},
    )
    assert response.status_code == 302 and response["Location"] == board
    warrant_action.refresh_from_db()
    assert warrant_action.status == ActionStatus.DECLINED and warrant_action.signoff == SignOff.AWAITING
    assert AuditEvent.objects.filter(action="action.decline", object_id=str(warrant_action.pk), actor=officer).exists()

    supervisor_client = _client(supervisor)
    page = supervisor_client.get(reverse("action_detail", args=[warrant_action.pk])).content.decode()
    assert "Sign off the decline" in page
    response = supervisor_client.post(
        reverse("action_signoff", args=[warrant_action.pk]), {"signoff-note": "Checked with the other force."}
    )
    assert response.status_code == 302
    warrant_action.refresh_from_db()
    assert warrant_action.signoff == SignOff.SIGNED_OFF and warrant_action.signoff_by == supervisor
    assert AuditEvent.objects.filter(action="action.signoff", actor=supervisor).exists()


def test_an_officer_cannot_sign_off_their_own_decline(officer: Any, warrant_action: Action) -> None:
    action_decline(actor=officer, action=warrant_action, rationale="Victim declined further contact today.")
    page = _client(officer).get(reverse("action_detail", args=[warrant_action.pk])).content.decode()
    assert "Sign off the decline" not in page
    response = _client(officer).post(reverse("action_signoff", args=[warrant_action.pk]), {"signoff-note": ""})
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        action_signoff(actor=officer, action=warrant_action)


def test_a_supervisor_sends_a_decline_back_with_a_reason(officer: Any, supervisor: Any, warrant_action: Action) -> None:
    action_decline(actor=officer, action=warrant_action, rationale="Too busy this shift.")
    client = _client(supervisor)
    refused = client.post(reverse("action_send_back", args=[warrant_action.pk]), {"send_back-note": ""})
    assert refused.status_code == 400 and "Say why the action is sent back" in refused.content.decode()
    response = client.post(
        reverse("action_send_back", args=[warrant_action.pk]), {"send_back-note": "Not a reason: do it today."}
    )
    assert response.status_code == 302
    warrant_action.refresh_from_db()
    assert warrant_action.status == ActionStatus.OPEN and warrant_action.signoff == SignOff.SENT_BACK
    assert Decision.objects.get(action=warrant_action).withdrawn


def test_reassign_to_a_member_of_the_team_only(officer: Any, colleague: Any, outsider: Any, warrant_action: Action) -> None:
    client = _client(officer)
    page = client.get(reverse("action_detail", args=[warrant_action.pk])).content.decode()
    assert str(colleague) in page and str(outsider) not in page
    refused = client.post(reverse("action_reassign", args=[warrant_action.pk]), {"owner": outsider.pk})
    assert refused.status_code == 400 and "Choose a member of the team" in refused.content.decode()
    response = client.post(reverse("action_reassign", args=[warrant_action.pk]), {"owner": colleague.pk})
    assert response.status_code == 302
    warrant_action.refresh_from_db()
    assert warrant_action.owner == colleague
    assert AuditEvent.objects.filter(action="action.reassign", object_id=str(warrant_action.pk)).count() == 1


def test_complete_from_the_board_returns_to_the_board(officer: Any, warrant_action: Action) -> None:
    plan = _plan(warrant_action)
    response = _client(officer).post(
        reverse("action_complete", args=[plan.pk]), {"note": "Plan made with her.", "next": "/board/"}
    )
    assert response.status_code == 302 and response["Location"] == "/board/"
    plan.refresh_from_db()
    assert plan.status == ActionStatus.DONE


def test_a_warrant_is_not_marked_done_with_a_note_alone(officer: Any, warrant_action: Action) -> None:
    """Executing a warrant is done by recording the arrest (tests/actions/test_custody_e2e.py)."""
    response = _client(officer).post(reverse("action_complete", args=[warrant_action.pk]), {"note": "Arrested at home."})
    assert response.status_code == 400 and "Enter the custody reference" in response.content.decode()
    warrant_action.refresh_from_db()
    assert warrant_action.status == ActionStatus.OPEN


def test_next_cannot_send_people_off_site(officer: Any, warrant_action: Action) -> None:
    plan = _plan(warrant_action)
    response = _client(officer).post(reverse("action_complete", args=[plan.pk]), {"note": "", "next": "https://example.com/"})
    assert response["Location"] == reverse("case_detail", args=[plan.case_id])


def test_another_team_cannot_act(outsider: Any, warrant_action: Action) -> None:
    client = _client(outsider)
    assert client.get(reverse("action_detail", args=[warrant_action.pk])).status_code == 404
    assert client.post(reverse("action_decline", args=[warrant_action.pk]), {"rationale": "x"}).status_code == 404
    assert client.post(reverse("action_reassign", args=[warrant_action.pk]), {"owner": outsider.pk}).status_code == 404


def test_a_risk_assessment_action_leads_to_the_assessment(officer: Any, warrant_action: Action) -> None:
    action = of_kind(reported(_case(officer), actor=officer, ago=HOUR), ActionKind.COMPLETE_RISK_ASSESSMENT)
    client = _client(officer)
    start = reverse("risk_assessment_start", args=[action.case_id])
    assert f'href="{start}"' in client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert client.get(start).status_code == 200
    assert f'href="{start}"' not in client.get(reverse("action_detail", args=[warrant_action.pk])).content.decode()


def test_a_role_that_may_not_change_a_case_is_not_offered_the_buttons(officer: Any, warrant_action: Action, team: Any) -> None:
    from tests.factories import UserFactory
    from vigil.core.constants import Role

    admin = UserFactory(username="admin-reader", role=Role.ADMIN, team=team)
    reader, writer = _client(admin), _client(officer)
    case_page = reverse("case_detail", args=[warrant_action.case_id])
    action_page = reverse("action_detail", args=[warrant_action.pk])
    assert reader.get(case_page).status_code == 200 and reader.get(action_page).status_code == 200
    facts = f'href="{reverse("fact_menu", args=[warrant_action.case_id])}"'
    assert facts not in reader.get(case_page).content.decode()
    complete = f'action="{reverse("action_complete", args=[warrant_action.pk])}"'  # for a warrant: record the arrest
    assert complete not in reader.get(action_page).content.decode()
    assert facts in writer.get(case_page).content.decode()
    assert complete in writer.get(action_page).content.decode()
