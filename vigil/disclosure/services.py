"""Writes for Clare's Law. Each service runs in one transaction, validates, audits, and re-runs
the policy for the pair, so R13's `dvds_decision` is created, and closed, as replay says."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.actions.live import policy_reevaluate
from vigil.actions.models import Action
from vigil.audit.services import create_audited
from vigil.cases.models import Case
from vigil.cases.services import case_for_pair
from vigil.core.actors import user_of
from vigil.core.constants import ActionKind, ActionStatus
from vigil.core.models import Team
from vigil.core.rationale import NO_DISCLOSURE
from vigil.core.times import check_moment, now
from vigil.disclosure.models import Applicant, DisclosureDecision, DisclosureMeeting, DisclosureRequest, Outcome, Route
from vigil.disclosure.selectors import disclosure_checks
from vigil.people.models import Person
from vigil.people.services import person_create


def _reference() -> str:
    while True:
        reference = f"CL-{secrets.token_hex(3).upper()}"
        if not DisclosureRequest.objects.filter(reference=reference).exists():
            return reference


def _user(actor: Any) -> Any:
    return user_of(actor)


def _not_future(name: str, moment: dt.datetime, words: str) -> None:
    check_moment(name, words, moment)


def _pair_people(case: Case) -> set[int]:
    return {pid for pid in (case.victim_id, case.subject_id) if pid}


def disclosure_request_record(
    *,
    actor: Any,
    case: Case,
    route: str,
    applicant_kind: str,
    reported_at: dt.datetime,
    third_party_name: str = "",
    applicant_relationship: str = "",
    concerns: str = "",
) -> DisclosureRequest:
    """Record a Right to Ask application or a Right to Know on the pair's case. The person at
    risk is the case's victim, the subject its subject. A third party who applied is recorded
    as a person, as they gave their name."""
    _not_future("reported_at", reported_at, "When the application was made")
    if case.subject_id is None:
        raise ValidationError({"subject": "Clare's Law is about a named person: the case has no subject"})
    if route not in Route.values:
        raise ValidationError({"route": "Select whether it is Right to Ask or Right to Know"})
    if route == Route.RIGHT_TO_KNOW:
        applicant_kind, applicant_relationship = Applicant.POLICE, ""
    elif applicant_kind == Applicant.PERSON_AT_RISK:
        applicant_relationship = ""
    elif applicant_kind == Applicant.THIRD_PARTY:
        if not third_party_name.strip():
            raise ValidationError({"third_party_name": "Enter the name of the person who applied"})
        if not applicant_relationship.strip():
            raise ValidationError({"third_party_relationship": "Enter how the person who applied knows the person at risk"})
    else:
        raise ValidationError({"applicant_kind": "Select who applied"})
    with transaction.atomic():
        applicant: Person | None = None
        if applicant_kind == Applicant.PERSON_AT_RISK:
            applicant = case.victim
        elif applicant_kind == Applicant.THIRD_PARTY:
            applicant = person_create(actor=actor, full_name=third_party_name)
        request = DisclosureRequest(
            reference=_reference(),
            case=case,
            route=route,
            applicant_kind=applicant_kind,
            applicant=applicant,
            applicant_relationship=applicant_relationship.strip(),
            reported_at=reported_at,
            concerns=concerns.strip(),
            recorded_by=_user(actor),
            recorded_at=now(),
        )
        create_audited(request, actor=actor, action="disclosure.request", case_id=case.pk)
        people = _pair_people(case) | ({applicant.pk} if applicant else set())
        policy_reevaluate(person_ids=people)
        return request


def disclosure_application_open(
    *,
    actor: Any,
    team: Team,
    route: str,
    applicant_kind: str,
    reported_at: dt.datetime,
    person_at_risk_name: str,
    subject_name: str,
    person_at_risk_born: str = "",
    subject_born: str = "",
    subject_aliases: Sequence[str] = (),
    third_party_name: str = "",
    third_party_relationship: str = "",
    concerns: str = "",
) -> DisclosureRequest:
    """A new application about people written down for the first time: records the person at
    risk, the subject (and a third-party applicant) as they were given, which lets the linker
    find the subject's other records; opens the pair's case in the officer's team; records the
    request. All or nothing."""
    if not person_at_risk_name.strip():
        raise ValidationError({"person_at_risk_name": "Enter the name of the person at risk"})
    if not subject_name.strip():
        raise ValidationError({"subject_name": "Enter the name of the person they are worried about"})
    with transaction.atomic():
        at_risk = person_create(actor=actor, full_name=person_at_risk_name, born=person_at_risk_born or None)
        subject = person_create(actor=actor, full_name=subject_name, born=subject_born or None, aliases=subject_aliases)
        case = case_for_pair(actor=actor, victim=at_risk, subject=subject, team=team)
        if _user(actor) is not None:
            from vigil.cases.models import CaseAccess

            if not CaseAccess.objects.filter(case=case, user=actor).exists():
                create_audited(
                    CaseAccess(case=case, user=actor, granted_at=now(), granted_by=actor),
                    actor=actor,
                    action="case.allocate",
                    case_id=case.pk,
                )
        return disclosure_request_record(
            actor=actor,
            case=case,
            route=route,
            applicant_kind=applicant_kind,
            reported_at=reported_at,
            third_party_name=third_party_name,
            applicant_relationship=third_party_relationship,
            concerns=concerns,
        )


def no_disclosure_needs_reason() -> bool:
    """R13 as the force's policy file says: a decision not to disclose rests on a reason."""
    from vigil.actions.engine_adapter import policy

    return bool(policy().rules.R13.rationale_required)


def disclosure_decide(
    *,
    actor: Any,
    request: DisclosureRequest,
    outcome: str,
    rationale: str,
    decided_at: dt.datetime | None = None,
    as_written: bool = False,
) -> DisclosureDecision:
    """Record the decision with a snapshot of the checks; a request has one decision. A
    decision not to disclose needs a reason that is a sentence, as an action's decline does
    (vigil.core.rationale; R13 `no_disclosure_rationale_required`, on by default). One read
    from a timeline file (`as_written`) was taken elsewhere and keeps its own words, as
    replay keeps them: only a blank reason is refused, and none when the policy asks none."""
    decided_at = decided_at or now()
    _not_future("decided_at", decided_at, "The time of the decision")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Select whether to disclose"})
    if outcome == Outcome.NO_DISCLOSURE:
        required = no_disclosure_needs_reason()
        if required or not as_written:
            rationale = NO_DISCLOSURE.clean(rationale, as_written=as_written or not required)
    if decided_at < request.reported_at:
        raise ValidationError({"decided_at": "The decision cannot come before the request"})
    with transaction.atomic():
        locked = DisclosureRequest.objects.select_for_update().get(pk=request.pk)
        if locked.decisions.exists():
            raise ValidationError({"outcome": f"Request {request.reference} has already been decided"})
        decision = DisclosureDecision(
            request=locked,
            outcome=outcome,
            rationale=rationale.strip(),
            decided_at=decided_at,
            decided_by=_user(actor),
            checks=disclosure_checks(locked, now=decided_at).as_json(),
            recorded_at=now(),
        )
        create_audited(decision, actor=actor, action=f"disclosure.{outcome}", case_id=locked.case_id)
        policy_reevaluate(person_ids=_pair_people(locked.case))
        return decision


def disclosure_meeting_record(
    *,
    actor: Any,
    request: DisclosureRequest,
    held_at: dt.datetime,
    present: str,
    disclosed: str,
    safety_plan: str,
    completes_safety_plan: bool = False,
) -> DisclosureMeeting:
    """Record the meeting at which the disclosure was made and the safety plan agreed. With
    `completes_safety_plan`, the plan also completes the pair's open `safety_plan` action."""
    _not_future("held_at", held_at, "The date of the meeting")
    decision = request.decisions.order_by("-decided_at").first()
    if decision is None or decision.outcome != Outcome.DISCLOSE:
        raise ValidationError({"held_at": "A disclosure meeting follows a decision to disclose"})
    if held_at < decision.decided_at:
        raise ValidationError({"held_at": "The meeting cannot come before the decision to disclose"})
    for name, value, words in (
        ("present", present, "Enter who was at the meeting"),
        ("disclosed", disclosed, "Enter what was disclosed"),
        ("safety_plan", safety_plan, "Enter the safety plan agreed"),
    ):
        if not value.strip():
            raise ValidationError({name: words})
    with transaction.atomic():
        if DisclosureMeeting.objects.filter(request=request).exists():
            raise ValidationError({"held_at": "The disclosure meeting has already been recorded"})
        meeting = DisclosureMeeting(
            request=request,
            held_at=held_at,
            present=present.strip(),
            disclosed=disclosed.strip(),
            safety_plan=safety_plan.strip(),
            recorded_by=_user(actor),
            recorded_at=now(),
        )
        create_audited(meeting, actor=actor, action="disclosure.meeting", case_id=request.case_id)
        if completes_safety_plan:
            from vigil.actions.services import action_complete

            case = request.case
            plan = (
                Action.objects.filter(case=case, kind=ActionKind.SAFETY_PLAN, status=ActionStatus.OPEN).order_by("due_at").first()
            )
            if plan is not None:
                action_complete(
                    actor=actor, action=plan, note=f"Safety plan agreed at the Clare's Law disclosure meeting ({request})."
                )
        return meeting
