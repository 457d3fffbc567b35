"""MARAC end to end: referral from the policy's refer_marac, the agenda, partner access, research,
the action plan and its ladder, the minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.marac.world import Marac, build_marac, high_risk_case
from tests.pdftext import pdf_text as _pdf_text
from vigil.actions.models import Action
from vigil.audit.models import AuditEvent
from vigil.cases.services import report_record
from vigil.core import times
from vigil.core.times import clock_at
from vigil.marac.models import MaracReferral, PlanAction
from vigil.marac.services import (
    agenda_circulate,
    escalate_plan_actions,
    marac_refer,
    plan_action_add,
    research_record,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def world(db: Any) -> Marac:
    return build_marac()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_completing_refer_marac_makes_a_referral_on_the_next_agenda(world: Marac) -> None:
    case = high_risk_case(world.officer)
    action = Action.objects.get(case=case, kind="refer_marac", status="open")
    page = _client(world.officer).get(reverse("action_detail", args=[action.pk])).content.decode()
    assert reverse("marac_refer", args=[case.pk]) in page and "Mark as done" not in page.split("Decline")[0]
    form = _client(world.officer).get(reverse("marac_refer", args=[case.pk])).content.decode()
    assert "Visible high risk" in form and "DASH: 15 of 24 answers yes" in form
    response = _client(world.officer).post(
        reverse("marac_refer", args=[case.pk]), {"reason": "Strangled her last week; two children at home.", "judgement": ""}
    )
    assert response.status_code == 302
    referral = MaracReferral.objects.get(case=case)
    assert referral.meeting == world.meetings[0] and referral.action == action
    assert referral.criteria_codes == ["visible_high_risk"] and referral.dash_score == 15 and not referral.repeat
    action.refresh_from_db()
    assert action.status == "done" and "Referred to MARAC" in action.rationale
    assert AuditEvent.objects.filter(action="marac.refer", case_id=case.pk).exists()
    # The coordinator sees it on the agenda; a second referral of the pair is refused.
    agenda = _client(world.coordinator).get(reverse("marac_meeting", args=[world.meetings[0].pk])).content.decode()
    assert "Imogen Rusk" in agenda and "Visible high risk" in agenda
    with pytest.raises(ValidationError, match="already on the agenda"):
        marac_refer(actor=world.officer, case=case, reason="again")


def test_no_criterion_needs_professional_judgement(world: Marac) -> None:
    from tests.factories import PersonFactory
    from vigil.cases.services import case_open

    case = case_open(actor=world.officer, victim=PersonFactory(), subject=PersonFactory(), team=world.officer.team)
    with pytest.raises(ValidationError, match="None of the SafeLives criteria apply"):
        marac_refer(actor=world.officer, case=case, reason="Worried.")
    referral = marac_refer(actor=world.officer, case=case, reason="Worried.", judgement="He has started following her to work.")
    assert referral.criteria == [{"code": "professional_judgement", "detail": "He has started following her to work."}]


def test_three_reports_in_a_year_is_potential_escalation(world: Marac) -> None:
    from tests.factories import PersonFactory
    from vigil.cases.services import case_open

    case = case_open(actor=world.officer, victim=PersonFactory(), subject=PersonFactory(), team=world.officer.team)
    for days in (300, 100, 2):
        report_record(actor=world.officer, case=case, category="harassment", reported_at=times.now() - dt.timedelta(days=days))
    referral = marac_refer(actor=world.officer, case=case, reason="Escalating calls.")
    assert "potential_escalation" in referral.criteria_codes
    assert "3 reports about the pair in the last 12 months" in referral.criteria[0]["detail"] + referral.criteria[-1]["detail"]


@pytest.mark.parametrize(("offset", "repeat"), [(dt.timedelta(days=-1), True), (dt.timedelta(days=1), False)])
def test_repeat_marac_within_12_months_of_the_last_listing(world: Marac, offset: dt.timedelta, repeat: bool) -> None:
    """Listed at a meeting 13 months ago; a new incident at 12 months minus a day is a repeat,
    at 12 months plus a day it is not."""
    from dateutil.relativedelta import relativedelta

    from vigil.marac.models import MaracMeeting

    listed = (times.now() - relativedelta(months=13)).replace(microsecond=0)
    with clock_at(listed - dt.timedelta(days=20)):
        case = high_risk_case(world.officer, at=listed - dt.timedelta(days=21))
        first = marac_refer(actor=world.officer, case=case, reason="First listing.")
    old = MaracMeeting.objects.create(area=world.area, held_at=listed, location="Civic Centre", created_at=listed)
    MaracReferral.objects.filter(pk=first.pk).update(meeting=old)
    incident = listed + relativedelta(months=12) + offset
    report_record(actor=world.officer, case=case, category="domestic_abuse", reported_at=incident)
    referral = marac_refer(actor=world.officer, case=case, reason="New incident.", judgement="" if repeat else "Still at risk.")
    assert referral.repeat is repeat
    assert ("repeat" in referral.criteria_codes) is repeat
    assert referral.last_listed_at == listed
    if repeat:
        agenda = _client(world.coordinator).get(reverse("marac_meeting", args=[referral.meeting_id])).content.decode()
        assert "Repeat" in agenda


def test_partners_see_agenda_cases_only_from_circulation_until_n_days_after(world: Marac) -> None:
    case = high_risk_case(world.officer)
    referral = marac_refer(actor=world.officer, case=case, reason="High risk.")
    url = reverse("marac_referral", args=[referral.pk])
    housing = _client(world.housing)
    assert housing.get(url).status_code == 404  # not circulated yet
    agenda_circulate(actor=world.coordinator, meeting=world.meetings[0])
    page = housing.get(url)
    assert page.status_code == 200 and "Imogen Rusk" in page.content.decode()
    assert AuditEvent.objects.filter(action="marac.referral.view", actor=world.housing, object_id=str(referral.pk)).count() == 1
    # An agency that does not attend, and every police case page, stay closed to partners.
    assert _client(world.health).get(url).status_code == 404
    assert housing.get(reverse("case_detail", args=[case.pk])).status_code == 404
    # After the meeting: open for VIGIL_MARAC_ACCESS_DAYS days, then closed.
    held = world.meetings[0].held_at
    with clock_at(held + dt.timedelta(days=27)):
        assert housing.get(url).status_code == 200
    with clock_at(held + dt.timedelta(days=29)):
        assert housing.get(url).status_code == 404
    with override_settings(VIGIL_MARAC_ACCESS_DAYS=60), clock_at(held + dt.timedelta(days=29)):
        assert housing.get(url).status_code == 200


def test_research_then_an_action_plan_that_climbs_its_own_ladder(world: Marac) -> None:
    case = high_risk_case(world.officer)
    referral = marac_refer(actor=world.officer, case=case, reason="High risk.")
    agenda_circulate(actor=world.coordinator, meeting=world.meetings[0])
    response = _client(world.housing).post(
        reverse("marac_research", args=[referral.pk]), {"text": "Joint tenancy; rent arrears since March."}
    )
    assert response.status_code == 302
    with pytest.raises(ValidationError, match="agency that attends"):
        research_record(actor=world.health, referral=referral, text="x")
    deadline = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = _client(world.coordinator).post(
        reverse("marac_plan", args=[referral.pk]),
        {"owner": world.housing.pk, "description": "Add a sanctuary scheme to the property.", "due_on": deadline},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = PlanAction.objects.get(referral=referral)
    assert plan.agency == world.agencies["housing"] and plan.level == 1
    board = _client(world.housing).get(reverse("marac_my_actions")).content.decode()
    assert "Add a sanctuary scheme" in board
    assert "Add a sanctuary scheme" not in _client(world.housing_lead).get(reverse("marac_my_actions")).content.decode()
    # At the deadline it reaches the housing lead; 72 hours later, the coordinator.
    assert escalate_plan_actions(at=plan.due_at - dt.timedelta(minutes=1)) == 0
    assert escalate_plan_actions(at=plan.due_at) == 1
    plan.refresh_from_db()
    assert plan.level == 2
    assert "Overdue: with the agency" in _client(world.housing_lead).get(reverse("marac_my_actions")).content.decode()
    assert "Add a sanctuary scheme" not in _client(world.coordinator).get(reverse("marac_my_actions")).content.decode()
    assert escalate_plan_actions(at=plan.due_at + dt.timedelta(hours=72)) == 1
    assert escalate_plan_actions(at=plan.due_at + dt.timedelta(hours=80)) == 0  # safe to run twice
    assert "Add a sanctuary scheme" in _client(world.coordinator).get(reverse("marac_my_actions")).content.decode()
    assert list(plan.escalations.values_list("level", flat=True)) == [2, 3]
    # The owner closes it; a decline needs a reason.
    close = reverse("marac_plan_close", args=[plan.pk])
    refused = _client(world.housing).post(close, {"outcome": "declined", "note": ""})
    assert refused.status_code == 400 and "Explain why it will not be done" in refused.content.decode()
    assert _client(world.health).post(close, {"outcome": "done"}).status_code == 404
    assert _client(world.housing).post(close, {"outcome": "done", "note": "Fitted."}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "done" and plan.closed_by == world.housing


def test_a_plan_owner_must_be_from_an_attending_agency(world: Marac) -> None:
    case = high_risk_case(world.officer)
    referral = marac_refer(actor=world.officer, case=case, reason="High risk.")
    agenda_circulate(actor=world.coordinator, meeting=world.meetings[0])
    with pytest.raises(ValidationError, match="agency that attends"):
        plan_action_add(
            actor=world.coordinator,
            referral=referral,
            owner=world.health,
            description="Visit.",
            due_at=times.now() + dt.timedelta(days=3),
        )


def test_the_minutes_pdf(world: Marac) -> None:
    case = high_risk_case(world.officer)
    referral = marac_refer(actor=world.officer, case=case, reason="She fears for the children.")
    agenda_circulate(actor=world.coordinator, meeting=world.meetings[0])
    research_record(actor=world.childrens, referral=referral, text="Both children on a child in need plan.")
    plan_action_add(
        actor=world.coordinator,
        referral=referral,
        owner=world.childrens,
        description="Strategy discussion within 48 hours.",
        due_at=times.now() + dt.timedelta(days=2),
    )
    response = _client(world.childrens).get(reverse("marac_minutes", args=[referral.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in (
        "MARAC minutes",
        case.reference,
        "Imogen Rusk",
        "child in need plan",
        "Strategy discussion",
        "Visible high risk",
    ):
        assert expected in text
    assert AuditEvent.objects.filter(action="marac.minutes.export", actor=world.childrens).count() == 1
