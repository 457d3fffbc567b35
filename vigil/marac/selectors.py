"""Who may see what of MARAC. Every object is loaded here (404 otherwise), and reads of case
information are audited.

- the MARAC coordinator: every meeting and referral;
- police roles: meetings in their area (the superintendent: every area), and the referrals of
  cases they may see;
- partner agencies (children's services, health, housing, probation, the IDVA service): the
  meetings their agency attends, and the cases on those agendas only from the agenda's
  circulation until VIGIL_MARAC_ACCESS_DAYS after the meeting; an owner of an open plan action
  sees its referral while the action is open;
- anyone else: nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from vigil.audit.services import audit_record
from vigil.cases.access import cases_for_user
from vigil.core.access import WRITE_ROLES
from vigil.core.constants import Role
from vigil.core.times import now as clock_now
from vigil.marac.models import MaracMeeting, MaracReferral, PlanAction, PlanStatus
from vigil.partners.selectors import PARTNER_ROLES, agency_of

POLICE_ROLES = WRITE_ROLES


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_coordinator(user: Any) -> bool:
    return _active(user) and user.role == Role.MARAC_COORDINATOR


def access_window(now: dt.datetime | None = None) -> dt.datetime:
    """Meetings held at or after this moment still open their agenda's cases to partners."""
    return (now or clock_now()) - dt.timedelta(days=settings.VIGIL_MARAC_ACCESS_DAYS)


def meetings_for_user(user: Any) -> QuerySet[MaracMeeting]:
    if not _active(user):
        return MaracMeeting.objects.none()
    qs = MaracMeeting.objects.select_related("area", "coordinator")
    role = user.role
    if role == Role.MARAC_COORDINATOR or role in (Role.SUPERINTENDENT, Role.ADMIN):
        return qs
    if role in POLICE_ROLES:
        return qs.filter(area_id=user.team.area_id) if user.team_id else qs.none()
    if role in PARTNER_ROLES:
        agency = agency_of(user)
        return qs.filter(agencies=agency).distinct() if agency else qs.none()
    return qs.none()


def _partner_referrals_q(user: Any, now: dt.datetime) -> Q:
    agency = agency_of(user)
    if agency is None:
        return Q(pk__in=[])
    return Q(
        meeting__agencies=agency,
        meeting__circulated_at__isnull=False,
        meeting__circulated_at__lte=now,
        meeting__held_at__gte=access_window(now),
    )


def referrals_for_user(user: Any, *, now: dt.datetime | None = None) -> QuerySet[MaracReferral]:
    """The referrals this person may read (lists; not audited)."""
    if not _active(user):
        return MaracReferral.objects.none()
    now = now or clock_now()
    qs = MaracReferral.objects.select_related("case", "case__victim", "case__subject", "meeting", "meeting__area")
    role = user.role
    owner = Q(plan__owner_id=user.pk, plan__status=PlanStatus.OPEN)
    if role == Role.MARAC_COORDINATOR:
        return qs
    if role in POLICE_ROLES or role == Role.ADMIN:
        return qs.filter(Q(case__in=cases_for_user(user)) | owner).distinct()
    if role in PARTNER_ROLES:
        return qs.filter(_partner_referrals_q(user, now) | owner).distinct()
    return qs.none()


def _pk(pk: int | str, what: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}") from None


def _audit(user: Any, action: str, obj: Any, case_id: int | None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action=action, obj=obj, case_id=case_id)


def get_meeting_for_user(user: Any, pk: int | str, *, coordinate: bool = False, audit: bool = True) -> MaracMeeting:
    """A meeting this person may see (and run, with `coordinate=True`). Reading its agenda,
    which names the people on it, is audited."""
    if coordinate and not is_coordinator(user):
        raise Http404("No such meeting")
    meeting = meetings_for_user(user).filter(pk=_pk(pk, "meeting")).first()
    if meeting is None:
        raise Http404("No such meeting")
    if audit:
        _audit(user, "marac.meeting.view", meeting, None)
    return meeting


def get_referral_for_user(user: Any, pk: int | str, *, audit: bool = True, action: str = "marac.referral.view") -> MaracReferral:
    referral = referrals_for_user(user).filter(pk=_pk(pk, "referral")).first()
    if referral is None:
        raise Http404("No such referral")
    if audit:
        _audit(user, action, referral, referral.case_id)
    return referral


def agenda(meeting: MaracMeeting, user: Any) -> list[MaracReferral]:
    """The meeting's agenda as this person may see it: every item for the coordinator; for
    others, the items they may read (the rest are counted by the page, not shown)."""
    items = meeting.referrals.select_related("case", "case__victim", "case__subject").prefetch_related("research__agency")
    visible = set(referrals_for_user(user).filter(meeting=meeting).values_list("pk", flat=True))
    return [r for r in items.order_by("referred_at", "pk") if r.pk in visible]


def waiting_referrals(user: Any) -> QuerySet[MaracReferral]:
    """Referrals not yet on any meeting's agenda (no meeting set up in their area)."""
    return referrals_for_user(user).filter(meeting__isnull=True)


# --- plan actions -------------------------------------------------------------------------


def _plan_q(user: Any) -> Q:
    """The plan actions that are this person's work: their own; their agency's, once overdue,
    if they are its line; every one at the coordinator's level, for the coordinator."""
    mine = Q(owner_id=user.pk)
    if is_coordinator(user):
        return mine | Q(level__gte=3)
    from vigil.partners.models import AgencyMember

    led = AgencyMember.objects.filter(user_id=user.pk, lead=True).values("agency_id")
    return mine | Q(agency_id__in=led, level__gte=2)


def plan_board(user: Any) -> QuerySet[PlanAction]:
    """The open plan actions on this person's board, most urgent first."""
    if not _active(user):
        return PlanAction.objects.none()
    return (
        PlanAction.objects.filter(_plan_q(user), status=PlanStatus.OPEN)
        .select_related("referral", "referral__case", "referral__case__victim", "agency", "owner")
        .order_by("-level", "due_at", "pk")
    )


def get_plan_action_for_user(user: Any, pk: int | str) -> PlanAction:
    """A plan action: for its owner, its agency's line, the coordinator, and anyone who may read
    its referral."""
    if not _active(user):
        raise Http404("No such action")
    found = (
        PlanAction.objects.filter(pk=_pk(pk, "action"))
        .filter(
            Q(owner_id=user.pk)
            | Q(referral__in=referrals_for_user(user))
            | Q(pk__in=PlanAction.objects.filter(_plan_q(user)).values("pk"))
        )
        .select_related("referral", "referral__case", "referral__case__victim", "agency", "owner")
        .first()
    )
    if found is None:
        raise Http404("No such action")
    _audit(user, "marac.plan.view", found, found.referral.case_id)
    return found


def may_close_plan_action(user: Any, action: PlanAction) -> bool:
    from vigil.partners.selectors import is_lead

    return action.status == PlanStatus.OPEN and (
        action.owner_id == user.pk or is_coordinator(user) or is_lead(user, action.agency_id)
    )
