"""One door to every object: every page, export and command loads cases through here.

Anyone without access gets a 404, never a 403, so that a restricted case's existence does
not leak. Reads of personal records are audited by the `get_*` helpers.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from vigil.audit.services import audit_record
from vigil.cases.models import Case, CaseAccess
from vigil.core.constants import Role

WRITE_ROLES = {Role.OFFICER, Role.SUPERVISOR, Role.INSPECTOR, Role.SUPERINTENDENT}
IDENTIFIABLE_ROLES = WRITE_ROLES | {Role.IDVA, Role.ADMIN}


def _named(user: Any) -> Exists:
    return Exists(CaseAccess.objects.filter(case=OuterRef("pk"), user_id=user.pk))


def cases_for_user(user: Any) -> QuerySet[Case]:
    """The cases this person may see by need to know: their team, their area, or the force,
    and, for restricted cases and partner-agency advisers, only where they are named."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    role = user.role
    qs = Case.objects.all()
    named = _named(user)
    if role == Role.IDVA:
        return qs.filter(named, referred_with_consent=True)
    if role == Role.ANALYST:
        return qs.none()
    if role in (Role.SUPERINTENDENT, Role.ADMIN):
        scope = Q()
    elif role == Role.INSPECTOR:
        scope = Q(team__area_id=user.team.area_id) if user.team_id else Q(pk__in=[])
    else:
        scope = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    return qs.filter((scope & Q(sensitive=False)) | Q(named))


def _load(user: Any, pk: int | str, *, write: bool, audit: bool) -> Case:
    try:
        case_pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such case") from None
    qs = cases_for_user(user)
    if write and user.role not in WRITE_ROLES:
        raise Http404("No such case")
    case = qs.select_related("victim", "subject", "team").filter(pk=case_pk).first()
    if case is None:
        raise Http404("No such case")
    if audit:
        with transaction.atomic():
            audit_record(actor=user, action="case.view", obj=case, case_id=case.pk)
    return case


def get_case_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Case:
    return _load(user, pk, write=False, audit=audit)


def get_rw_case_for_user(user: Any, pk: int | str) -> Case:
    return _load(user, pk, write=True, audit=False)


def is_allocated(user: Any, case: Case) -> bool:
    return CaseAccess.objects.filter(case=case, user_id=user.pk, allocated=True).exists()


def get_action_for_user(user: Any, pk: int | str, *, write: bool = False) -> Any:
    """An action, if its case is visible to the user (and writable, for `write=True`)."""
    from vigil.actions.models import Action

    try:
        action_pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such action") from None
    if write and user.role not in WRITE_ROLES:
        raise Http404("No such action")
    action = (
        Action.objects.select_related("case", "case__victim", "case__subject", "owner", "victim", "subject")
        .filter(pk=action_pk, case__in=cases_for_user(user))
        .first()
    )
    if action is None:
        raise Http404("No such action")
    return action
