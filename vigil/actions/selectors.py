"""Reads about actions for the action board. Scoped through `cases_for_user`, the one door.

Who sees what on the board (the issue and POLICY.md's ladder):
- everyone: the actions they own;
- a supervisor (level 2): their team's actions at level 2 or above;
- an inspector (level 3): their area's actions at level 3 or above;
- a superintendent (level 4): the force's actions at level 4;
- anything declined for a high-risk pair that waits for sign-off at their level in their scope
  (a decline waiting for sign-off is at least level 2, whatever level it had reached).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from vigil.actions.models import Action
from vigil.cases.access import cases_for_user
from vigil.core.constants import ActionStatus, Priority, RiskLevel, Role, SignOff
from vigil.core.models import Team

PRIORITY_ORDER = [Priority.IMMEDIATE, Priority.HIGH, Priority.MEDIUM, Priority.LOW]
RISK_ORDER = [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.STANDARD]
AWAITING = Q(status=ActionStatus.DECLINED, signoff=SignOff.AWAITING)


def _scope_q(user: Any) -> Q | None:
    """The part of the force whose escalated actions this person answers for, or None."""
    level = getattr(user, "escalation_level", 1)
    if level >= 4:
        return Q()
    if level == 3:
        return Q(team__area_id=user.team.area_id) if user.team_id else None
    if level == 2:
        return Q(team_id=user.team_id) if user.team_id else None
    return None


def board_visibility_q(user: Any) -> Q:
    """Which actions belong on this person's board (before the case-access check)."""
    visible = Q(owner_id=user.pk)
    scope = _scope_q(user)
    if scope is not None:
        level = user.escalation_level
        visible |= scope & Q(level__gte=level)
        # A decline waiting for sign-off counts as level 2 at least (R11).
        visible |= (scope & AWAITING & Q(level__gte=level)) if level > 2 else (scope & AWAITING)
    return visible


def actions_for_user(user: Any) -> QuerySet[Action]:
    """Every action on this person's board, whatever its status (filter by status afterwards)."""
    if not getattr(user, "is_authenticated", False):
        return Action.objects.none()
    return Action.objects.filter(board_visibility_q(user), case__in=cases_for_user(user))


def teams_for_board(user: Any) -> QuerySet[Team]:
    """The teams this person can filter the board by."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    if user.role in (Role.SUPERINTENDENT, Role.ADMIN):
        return Team.objects.select_related("area").order_by("area__name", "name")
    if user.role == Role.INSPECTOR and user.team_id:
        return Team.objects.filter(area_id=user.team.area_id).select_related("area").order_by("name")
    return Team.objects.filter(pk=user.team_id).select_related("area")


def _rank(field: str, order: list[Any]) -> When_:
    whens = [When(**{field: value}, then=Value(i)) for i, value in enumerate(order)]
    return When_(*whens, default=Value(len(order)), output_field=IntegerField())


def board_order(qs: QuerySet[Action], *, now: dt.datetime) -> QuerySet[Action]:
    """Overdue (and waiting for sign-off) first, then priority, then the case's risk level,
    then how long it has been open (oldest first)."""
    attention = When_(
        When(status=ActionStatus.OPEN, due_at__lt=now, then=Value(0)),
        When(AWAITING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.annotate(
        attention=attention,
        priority_rank=_rank("priority", PRIORITY_ORDER),
        risk_rank=_rank("case__risk_level", RISK_ORDER),
        shown_level=Greatest("level", When_(When(AWAITING, then=Value(2)), default=Value(1), output_field=IntegerField())),
    ).order_by("attention", "priority_rank", "risk_rank", "created_at", "pk")
