"""Clare's Law in the live system, end to end: the page calls the service, the service runs the
policy, R13's `dvds_decision` is stored with its clock and ladder, and the decision closes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, UserFactory
from vigil.actions.escalation import escalate_due
from vigil.actions.models import Action
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case
from vigil.cases.services import assessment_record, case_open, report_record
from vigil.core import times
from vigil.core.constants import Role
from vigil.disclosure.models import DisclosureDecision, DisclosureRequest
from vigil.disclosure.services import disclosure_decide, disclosure_request_record
from vigil.orders.services import order_grant
from vigil.people.services import person_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(officer: Any, **people: Any) -> Case:
    victim = people.get("victim") or PersonFactory(full_name="Leah Trevanion")
    subject = people.get("subject") or PersonFactory(full_name="Gareth Pendry")
    return case_open(actor=officer, victim=victim, subject=subject, team=officer.team, allocate=[officer])


def _decision_action(case: Case) -> Action:
    return Action.objects.get(case=case, kind="dvds_decision")


def _stamp(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_a_right_to_ask_application_on_the_page_gets_a_decision_due_in_28_days(officer: Any) -> None:
    received = (times.now() - dt.timedelta(days=3)).replace(second=0, microsecond=0)
    response = _client(officer).post(
        reverse("disclosure_new"),
        {
            "route": "right_to_ask",
            "applicant_kind": "person_at_risk",
            "person_at_risk_name": "Carys Penhallow",
            "person_at_risk_born": "1991-06-14",
            "subject_name": "Declan Morrow",
            "subject_born": "1984",
            "subject_aliases": "Dec Morrow, D Morrow",
            "reported_at": _stamp(received),
            "concerns": "He will not say why his last relationship ended.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = DisclosureRequest.objects.get()
    case = request.case
    assert (case.victim.full_name, case.subject.full_name) == ("Carys Penhallow", "Declan Morrow")
    assert request.applicant == case.victim and request.recorded_by == officer
    action = _decision_action(case)
    assert action.rule == "R13" and action.status == "open" and action.priority == "medium"
    assert action.due_at == received + dt.timedelta(days=28)
    assert request.reference in action.reason
    assert action.owner == officer  # the officer who recorded it is allocated to the new case
    # The clock on the request page, the case page and the board.
    page = _client(officer).get(response["Location"]).content.decode()
    assert "Waiting for a decision" in page and timezone.localtime(action.due_at).strftime("%-d %b %Y") in page
    case_page = _client(officer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert request.reference in case_page and "Waiting for a decision" in case_page
    board = _client(officer).get(reverse("home")).content.decode()
    assert "Decide on the Clare&#x27;s Law disclosure" in board or "Decide on the Clare's Law disclosure" in board
    assert AuditEvent.objects.filter(action="disclosure.request", case_id=case.pk).count() == 1


@pytest.mark.parametrize(
    ("age", "level"), [(dt.timedelta(days=28) - dt.timedelta(minutes=1), 1), (dt.timedelta(days=28, minutes=1), 2)]
)
def test_the_28_day_boundary(officer: Any, age: dt.timedelta, level: int) -> None:
    case = _case(officer)
    received = times.now() - age
    disclosure_request_record(
        actor=officer, case=case, route="right_to_ask", applicant_kind="person_at_risk", reported_at=received
    )
    escalate_due()
    action = _decision_action(case)
    assert action.status == "open" and action.due_at == received + dt.timedelta(days=28)
    assert action.level == level
    steps = list(action.escalations.values_list("level", "at"))
    assert steps == ([] if level == 1 else [(2, received + dt.timedelta(days=28))])


def test_a_high_pair_gets_24_hours_and_climbs_the_ladder(officer: Any) -> None:
    case = _case(officer)
    t0 = times.now() - dt.timedelta(days=3)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0)
    answers = {n: ("yes" if n <= 15 else "no") for n in range(1, 25)}
    assessment_record(actor=officer, case=case, instrument="dash", answers=answers, completed_at=t0 + dt.timedelta(hours=1))
    case.refresh_from_db()
    assert case.risk_level == "high"
    received = times.now() - dt.timedelta(hours=30)
    disclosure_request_record(actor=officer, case=case, route="right_to_know", applicant_kind="", reported_at=received)
    action = _decision_action(case)
    assert action.due_at == received + dt.timedelta(hours=24) and action.priority == "high"
    assert action.level == 2 and "risk is high" in action.reason


def test_the_decision_panel_closes_the_action_and_keeps_the_checks(officer: Any) -> None:
    case = _case(officer)
    request = disclosure_request_record(
        actor=officer,
        case=case,
        route="right_to_ask",
        applicant_kind="third_party",
        third_party_name="Morwenna Trevanion",
        applicant_relationship="mother",
        reported_at=times.now() - dt.timedelta(days=2),
    )
    assert request.applicant.full_name == "Morwenna Trevanion"
    assert "applied for by Morwenna Trevanion" in _decision_action(case).reason
    response = _client(officer).post(
        reverse("disclosure_decide", args=[request.pk]),
        {
            "outcome": "disclose",
            "rationale": "Two earlier partners reported violence; disclosure is necessary and proportionate.",
        },
    )
    assert response.status_code == 302
    action = _decision_action(case)
    assert action.status == "done" and "decided disclose" in action.closing_reason
    decision = DisclosureDecision.objects.get(request=request)
    assert decision.decided_by == officer and decision.checks["linked"][0]["name"] == "Gareth Pendry"
    # A second decision is refused: the request has its answer.
    again = _client(officer).post(
        reverse("disclosure_decide", args=[request.pk]),
        {"outcome": "no_disclosure", "rationale": "A second decision on the same request."},
    )
    assert again.status_code == 400 and "has already been decided" in again.content.decode()


def test_no_disclosure_without_a_rationale_is_refused_on_the_page_and_the_clock_runs_on(officer: Any) -> None:
    case = _case(officer)
    request = disclosure_request_record(
        actor=officer, case=case, route="right_to_ask", applicant_kind="person_at_risk", reported_at=times.now()
    )
    response = _client(officer).post(
        reverse("disclosure_decide", args=[request.pk]), {"outcome": "no_disclosure", "rationale": " "}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "a decision not to disclose needs a reason" in page
    assert not DisclosureDecision.objects.exists()
    assert _decision_action(case).status == "open"


def test_a_recorded_no_disclosure_without_a_rationale_leaves_the_action_open(officer: Any) -> None:
    """As replay does: a decision written without its reason (an imported record) is kept in the
    facts, and the policy leaves the request's decision open."""
    case = _case(officer)
    request = disclosure_request_record(
        actor=officer,
        case=case,
        route="right_to_ask",
        applicant_kind="person_at_risk",
        reported_at=times.now() - dt.timedelta(days=1),
    )
    DisclosureDecision.objects.create(
        request=request, outcome="no_disclosure", rationale="", decided_at=times.now(), recorded_at=times.now()
    )
    from vigil.actions.live import policy_reevaluate

    policy_reevaluate(person_ids={case.victim_id})
    assert _decision_action(case).status == "open"
    with pytest.raises(Exception, match="Explain why nothing will be disclosed"):
        disclosure_decide(
            actor=officer, request=DisclosureRequest.objects.get(pk=request.pk), outcome="no_disclosure", rationale=""
        )


def test_no_disclosure_with_a_rationale_closes_it(officer: Any) -> None:
    case = _case(officer)
    request = disclosure_request_record(
        actor=officer,
        case=case,
        route="right_to_ask",
        applicant_kind="person_at_risk",
        reported_at=times.now() - dt.timedelta(days=1),
    )
    disclosure_decide(actor=officer, request=request, outcome="no_disclosure", rationale="Nothing is recorded against him.")
    action = _decision_action(case)
    assert action.status == "done" and "not to disclose" in action.closing_reason


def test_the_checks_count_other_victims_and_never_name_them(officer: Any) -> None:
    subject = person_create(actor=officer, full_name="Kieran Blackwood", born="1983-02-11")
    first = PersonFactory(full_name="Ffion Aldous")
    second = PersonFactory(full_name="Tamsin Roskilly")
    for victim in (first, second):
        earlier = case_open(actor=officer, victim=victim, subject=subject, team=officer.team)
        report_record(actor=officer, case=earlier, category="domestic_abuse", reported_at=times.now() - dt.timedelta(days=400))
    order_grant(
        actor=officer,
        reference="ORD-CL-1",
        order_type="restraining_order",
        subject=subject,
        protected=[first],
        starts_at=times.now() - dt.timedelta(days=300),
        expires_at=None,
        conditions=[{"kind": "no_contact"}],
    )
    # The new partner's request names him differently: the linker joins the records.
    new_subject = person_create(actor=officer, full_name="Kieran Blackwood", born="1983-02-11")
    case = _case(officer, subject=new_subject)
    request = disclosure_request_record(
        actor=officer, case=case, route="right_to_ask", applicant_kind="person_at_risk", reported_at=times.now()
    )
    page = _client(officer).get(reverse("disclosure_detail", args=[request.pk])).content.decode()
    assert "2 other victims" in page and "2 reports" in page
    assert "ORD-CL-1" in page and "protecting another person" in page
    assert "Ffion" not in page and "Tamsin" not in page
    assert AuditEvent.objects.filter(action="disclosure.view", object_id=str(request.pk)).count() == 1


def test_the_disclosure_meeting_records_the_safety_plan_and_completes_the_plan_action(officer: Any) -> None:
    case = _case(officer)
    t0 = times.now() - dt.timedelta(days=2)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0)
    answers = {n: ("yes" if n <= 11 else "no") for n in range(1, 25)}
    assessment_record(actor=officer, case=case, instrument="dash", answers=answers, completed_at=t0 + dt.timedelta(hours=1))
    assert Action.objects.filter(case=case, kind="safety_plan", status="open").exists()
    request = disclosure_request_record(
        actor=officer, case=case, route="right_to_ask", applicant_kind="person_at_risk", reported_at=t0 + dt.timedelta(hours=2)
    )
    disclosure_decide(
        actor=officer,
        request=request,
        outcome="disclose",
        rationale="History of violence to partners.",
        decided_at=times.now() - dt.timedelta(hours=1),
    )
    response = _client(officer).post(
        reverse("disclosure_meeting", args=[request.pk]),
        {
            "held_at": _stamp(times.now() - dt.timedelta(minutes=5)),
            "present": "PC Shah; Jo Marsh (IDVA)",
            "disclosed": "He has a conviction for assaulting a former partner.",
            "safety_plan": "Code word with her sister; 999 silent solution explained.",
            "completes_safety_plan": "on",
        },
    )
    assert response.status_code == 302
    assert Action.objects.get(case=case, kind="safety_plan").status == "done"
    page = _client(officer).get(reverse("disclosure_detail", args=[request.pk])).content.decode()
    assert "Code word with her sister" in page


def test_only_those_who_see_the_case_see_the_request(officer: Any, outsider: Any) -> None:
    case = _case(officer)
    request = disclosure_request_record(
        actor=officer, case=case, route="right_to_ask", applicant_kind="person_at_risk", reported_at=times.now()
    )
    assert _client(outsider).get(reverse("disclosure_detail", args=[request.pk])).status_code == 404
    assert request.reference not in _client(outsider).get(reverse("disclosure_list")).content.decode()
    idva = UserFactory(role=Role.IDVA, team=None)
    assert (
        _client(idva).post(reverse("disclosure_decide", args=[request.pk]), {"outcome": "disclose", "rationale": "x"}).status_code
        == 404
    )
    assert _decision_action(case).status == "open"
