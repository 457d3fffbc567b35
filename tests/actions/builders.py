"""Builders for board, warrant-board and chronology tests (synthetic people only).

Actions are made here the way the policy bridge stores them (a row plus a 'policy' audit
row), so these tests do not depend on the engine, which other tests cover."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.db import transaction
from django.utils import timezone

from tests.factories import PersonFactory
from vigil.actions.models import Action, Escalation
from vigil.audit.services import audit_record
from vigil.cases.models import Case
from vigil.cases.services import case_open
from vigil.core.constants import ActionKind, Priority

_keys = itertools.count(1)


def make_case(*, actor: Any, team: Any, risk: str = "", victim: Any = None, subject: Any = None, **kwargs: Any) -> Case:
    case = case_open(actor=actor, victim=victim or PersonFactory(), subject=subject or PersonFactory(), team=team, **kwargs)
    if risk:
        # What the policy bridge does when a pair's level changes (only it writes risk_level).
        Case.objects.filter(pk=case.pk).update(risk_level=risk, risk_changed_at=timezone.now())
        case.refresh_from_db()
    return case


def make_action(
    case: Case,
    *,
    kind: str = ActionKind.SAFETY_PLAN,
    owner: Any = None,
    due_in: dt.timedelta = dt.timedelta(hours=24),
    age: dt.timedelta = dt.timedelta(hours=1),
    priority: str = Priority.HIGH,
    level: int = 1,
    rule: str = "R3",
    reason: str = "",
    **fields: Any,
) -> Action:
    now = timezone.now()
    with transaction.atomic():
        action = Action.objects.create(
            key=f"test:{next(_keys)}:{kind}",
            case=case,
            kind=kind,
            rule=rule,
            reason=reason or f"{ActionKind(kind).label} for case {case.reference}",
            victim=case.victim,
            subject=case.subject,
            created_at=now - age,
            due_at=now + due_in,
            priority=priority,
            level=level,
            owner=owner,
            team=case.team,
            **fields,
        )
        audit_record(
            actor="policy",
            action="action.create",
            obj=action,
            case_id=case.pk,
            new={"kind": kind, "rule": rule, "reason": action.reason, "due_at": action.due_at, "priority": priority},
        )
        for step in range(2, level + 1):
            escalation = Escalation.objects.create(
                action=action, level=step, at=action.due_at, recorded_at=now, reason=f"not done by its due time: level {step}"
            )
            audit_record(
                actor="policy",
                action="action.escalate",
                obj=escalation,
                case_id=case.pk,
                new={"action": action.pk, "level": step, "at": action.due_at},
            )
    return action
