"""Writes for MARAC. Each service runs in one transaction, validates, and writes the audit trail.

A referral completes the case's open `refer_marac` action through the actions service, so the
policy sees the completion as it sees any other (an `action_completed` fact)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.actions.models import Action
from vigil.audit.services import audit_record, create_audited, update_audited
from vigil.cases.models import Case
from vigil.core.actors import user_of
from vigil.core.constants import ActionKind, ActionStatus
from vigil.core.models import Area
from vigil.core.services import require_aware
from vigil.core.times import check_moment, now, words
from vigil.marac.criteria import pending_referral, safelives_criteria
from vigil.marac.models import AgencyResearch, MaracMeeting, MaracReferral, PlanAction, PlanEscalation, PlanStatus
from vigil.partners.models import Agency, AgencyMember

POLICY_ACTOR = "policy"


def _user(actor: Any) -> Any:
    return user_of(actor)


# --- meetings -----------------------------------------------------------------------------


def meetings_schedule(
    *,
    actor: Any,
    area: Area,
    first_at: dt.datetime,
    every_days: int,
    count: int,
    location: str,
    agencies: Iterable[Agency],
) -> list[MaracMeeting]:
    """Set up `count` meetings in an area, `every_days` apart from `first_at` (14 for a
    fortnightly MARAC). Referrals waiting for a meeting in the area join the first."""
    if not 1 <= count <= 52:
        raise ValidationError({"count": "Set up between 1 and 52 meetings at a time"})
    if not 1 <= every_days <= 92:
        raise ValidationError({"every_days": "Meetings must be between 1 and 92 days apart"})
    if first_at <= now():
        raise ValidationError({"first_at": "The first meeting must be in the future"})
    attending = list(agencies)
    if not attending:
        raise ValidationError({"agencies": "Select the agencies that attend"})
    if not location.strip():
        raise ValidationError({"location": "Enter where the meetings are held, or how to join"})
    with transaction.atomic():
        made: list[MaracMeeting] = []
        for n in range(count):
            meeting = MaracMeeting(
                area=area,
                held_at=first_at + dt.timedelta(days=every_days * n),
                location=location.strip(),
                coordinator=_user(actor),
                created_at=now(),
                created_by=_user(actor),
            )
            create_audited(meeting, actor=actor, action="marac.meeting.create")
            meeting.agencies.set(attending)
            made.append(meeting)
        first = made[0]
        for referral in MaracReferral.objects.filter(meeting__isnull=True, case__team__area=area).select_related("case"):
            update_audited(
                referral, actor=actor, action="marac.referral.list", changes={"meeting": first}, case_id=referral.case_id
            )
        return made


def next_meeting(area_id: int, *, at: dt.datetime) -> MaracMeeting | None:
    """The next meeting in the area whose agenda has not yet gone out."""
    return (
        MaracMeeting.objects.filter(area_id=area_id, held_at__gt=at, circulated_at__isnull=True).order_by("held_at", "pk").first()
    )


def agenda_circulate(*, actor: Any, meeting: MaracMeeting) -> MaracMeeting:
    """Send the agenda to the agencies: from now their members may read its cases."""
    if meeting.circulated_at is not None:
        raise ValidationError({"meeting": "The agenda has already been circulated"})
    if not meeting.referrals.exists():
        raise ValidationError({"meeting": "The agenda is empty: there is nothing to circulate"})
    with transaction.atomic():
        return update_audited(
            meeting, actor=actor, action="marac.agenda.circulate", changes={"circulated_at": now(), "circulated_by": _user(actor)}
        )


# --- referrals ----------------------------------------------------------------------------


def open_refer_action(case: Case) -> Action | None:
    return (
        Action.objects.filter(case=case, kind=ActionKind.REFER_MARAC, status=ActionStatus.OPEN).order_by("due_at", "pk").first()
    )


def marac_refer(*, actor: Any, case: Case, reason: str, judgement: str = "", at: dt.datetime | None = None) -> MaracReferral:
    """Refer the case to MARAC with the SafeLives criteria that apply, onto the next meeting's
    agenda in its area, and complete its open `refer_marac` action."""
    at = at or now()
    check_moment("at", "The time of the referral", at)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the case is referred: what the agencies need to know"})
    if case.subject_id is None:
        raise ValidationError(
            {"reason": "A MARAC referral is about a victim and the person who harms them: the case has no subject"}
        )
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()  # one referral at a time per case
        waiting = pending_referral(case, at=at)
        if waiting is not None:
            where = f"the agenda of {waiting.meeting}" if waiting.meeting else "the list waiting for a meeting"
            raise ValidationError({"reason": f"The case is already on {where}: add what is new as research there"})
        found = safelives_criteria(case, at=at, judgement=judgement)
        if not found.criteria:
            raise ValidationError(
                {
                    "judgement": "None of the SafeLives criteria apply on what Vigil holds: explain your professional"
                    " judgement to refer, or decline the action with a reason"
                }
            )
        action = open_refer_action(case)
        referral = MaracReferral(
            case=case,
            action=action,
            meeting=next_meeting(case.team.area_id, at=at),
            referred_at=at,
            referred_by=_user(actor),
            reason=reason.strip(),
            criteria=found.criteria,
            judgement=judgement.strip(),
            repeat=found.repeat.repeat,
            last_listed_at=found.repeat.last_listed_at,
            dash_score=found.dash_score,
            recorded_at=now(),
        )
        create_audited(referral, actor=actor, action="marac.refer", case_id=case.pk)
        if action is not None:
            from vigil.actions.services import action_complete

            where = f"the agenda of {referral.meeting}" if referral.meeting else "the list waiting for a meeting in the area"
            action_complete(actor=actor, action=action, note=f"Referred to MARAC: on {where}.", at=at)
        return referral


def _meeting_of(referral: MaracReferral) -> MaracMeeting | None:
    """The referral's meeting as it stands now (its agenda may have gone out since it was read)."""
    return MaracMeeting.objects.filter(pk=referral.meeting_id).first() if referral.meeting_id else None


def research_record(*, actor: Any, referral: MaracReferral, text: str) -> AgencyResearch:
    """An agency's research before the meeting, recorded for the agency the person acts for."""
    membership = AgencyMember.objects.select_related("agency").filter(user_id=getattr(actor, "pk", 0)).first()
    meeting = _meeting_of(referral)
    if membership is None or meeting is None or not meeting.agencies.filter(pk=membership.agency_id).exists():
        raise ValidationError({"text": "Only an agency that attends the meeting records research for it"})
    if meeting.held_at <= now():
        raise ValidationError({"text": "The meeting has taken place: research is recorded before it"})
    if not text.strip():
        raise ValidationError({"text": "Enter what your agency's records hold"})
    with transaction.atomic():
        research = AgencyResearch(
            referral=referral, agency=membership.agency, text=text.strip(), recorded_by=actor, recorded_at=now()
        )
        return create_audited(research, actor=actor, action="marac.research", case_id=referral.case_id)


def discussion_record(*, actor: Any, referral: MaracReferral, text: str) -> MaracReferral:
    """The minutes of the case's discussion, by the coordinator, once the agenda is out."""
    meeting = _meeting_of(referral)
    if meeting is None or meeting.circulated_at is None:
        raise ValidationError({"text": "The case is discussed at a meeting whose agenda has gone out"})
    if not text.strip():
        raise ValidationError({"text": "Enter the minutes of the discussion"})
    with transaction.atomic():
        return update_audited(
            referral,
            actor=actor,
            action="marac.discussion",
            case_id=referral.case_id,
            changes={"discussion": text.strip(), "discussed_at": now()},
        )


# --- the action plan ----------------------------------------------------------------------


def plan_action_add(*, actor: Any, referral: MaracReferral, owner: Any, description: str, due_at: dt.datetime) -> PlanAction:
    """An action of the meeting's plan: owned by a member of an attending agency, by a deadline."""
    meeting = _meeting_of(referral)
    if meeting is None or meeting.circulated_at is None:
        raise ValidationError({"description": "Actions are agreed at a meeting whose agenda has gone out"})
    membership = AgencyMember.objects.select_related("agency").filter(user_id=getattr(owner, "pk", 0)).first()
    if membership is None or not meeting.agencies.filter(pk=membership.agency_id).exists():
        raise ValidationError({"owner": "Choose someone from an agency that attends the meeting"})
    if not description.strip():
        raise ValidationError({"description": "Enter what is to be done"})
    require_aware("due_at", due_at)
    if due_at <= now():
        raise ValidationError({"due_at": "The deadline must be in the future"})
    with transaction.atomic():
        action = PlanAction(
            referral=referral,
            agency=membership.agency,
            owner=owner,
            description=description.strip(),
            due_at=due_at,
            created_at=now(),
            created_by=_user(actor),
        )
        return create_audited(action, actor=actor, action="marac.plan.add", case_id=referral.case_id)


def plan_action_close(*, actor: Any, action: PlanAction, outcome: str, note: str = "") -> PlanAction:
    """Done, or declined with a reason."""
    if outcome not in (PlanStatus.DONE, PlanStatus.DECLINED):
        raise ValidationError({"outcome": "Select whether it was done"})
    if outcome == PlanStatus.DECLINED and not note.strip():
        raise ValidationError({"note": "Explain why it will not be done"})
    with transaction.atomic():
        locked = PlanAction.objects.select_for_update().get(pk=action.pk)
        if locked.status != PlanStatus.OPEN:
            raise ValidationError({"outcome": f"This action is already {locked.get_status_display().lower()}"})
        return update_audited(
            locked,
            actor=actor,
            action=f"marac.plan.{outcome}",
            case_id=locked.referral.case_id,
            changes={"status": outcome, "closed_at": now(), "closed_by": _user(actor), "note": note.strip()},
        )


def plan_steps(action: PlanAction) -> list[tuple[dt.datetime, int]]:
    """The ladder of a plan action: the agency's line at its deadline, the coordinator later."""
    return [
        (action.due_at, 2),
        (action.due_at + dt.timedelta(hours=settings.VIGIL_MARAC_COORDINATOR_HOURS), 3),
    ]


def escalate_plan_actions(*, at: dt.datetime | None = None) -> int:
    """Record every ladder step of open plan actions that has fallen due (safe to run twice).
    Returns how many steps were recorded."""
    at = at or now()
    recorded = 0
    with transaction.atomic():
        due = PlanAction.objects.select_for_update().filter(status=PlanStatus.OPEN, level__lt=3, due_at__lte=at).order_by("pk")
        for action in due:
            for step_at, level in plan_steps(action):
                if step_at > at or level <= action.level:
                    continue
                step = PlanEscalation.objects.create(plan_action=action, level=level, at=step_at, recorded_at=at)
                who = "the agency's line" if level == 2 else "the MARAC coordinator"
                audit_record(
                    actor=POLICY_ACTOR,
                    action="marac.plan.escalate",
                    obj=step,
                    case_id=action.referral.case_id,
                    new={"plan_action": action.pk, "level": level, "at": step_at, "to": who, "due": words(action.due_at)},
                )
                PlanAction.objects.filter(pk=action.pk).update(level=level)
                action.level = level
                recorded += 1
    return recorded
