"""Builders for board, warrant-board and chronology tests (synthetic people only).

`reported`, `assessed` and `warranted` record facts through the services and return the
actions the engine made of them (prefer these). `make_action` builds a row the way the policy
bridge stores one (a row plus a 'policy' audit row, its level and steps from the live
policy's ladder) without asking the engine: only for a test of how a page shows rows the
engine does not make on demand (a reason of the engine's longest length), with a kind, rule
and priority the policy gives (say why beside it)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.db import transaction
from django.utils import timezone

from tests.factories import PersonFactory
from vigil.actions.effects import policy_effects
from vigil.actions.engine_adapter import policy
from vigil.actions.models import Action, Escalation
from vigil.actions.reconcile import step_reason
from vigil.actions.services import action_complete
from vigil.audit.services import audit_record
from vigil.cases.models import Case
from vigil.cases.services import assessment_record, case_open, report_record
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus, Priority, RiskLevel
from vigil.policy import ladder
from vigil.warrants.services import warrant_issue

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
    rule: str = "R3",
    escalated: bool = True,
    reason: str = "",
    **fields: Any,
) -> Action:
    now = times.now()
    due_at = now + due_in
    # The level and the steps are the live policy's ladder's for an open action of this
    # priority due then, as the escalation job would have recorded them by now.
    # `escalated=False`: as stored before the job reached it (the job's own tests).
    climbed = ladder.ladder_steps(priority=priority, due_at=due_at, until=now, policy=policy()) if escalated else []
    level = max((lvl for _, lvl in climbed), default=1)
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
            due_at=due_at,
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
        for at, step in climbed:
            escalation = Escalation.objects.create(
                action=action, level=step, at=at, recorded_at=now, reason=step_reason(action, step)
            )
            audit_record(
                actor="policy",
                action="action.escalate",
                obj=escalation,
                case_id=case.pk,
                new={"action": action.pk, "level": step, "at": at},
            )
    return action


# --- Actions the engine makes from events -------------------------------------------------------
# Board and chronology tests record the facts an officer would and take the actions the live
# policy bridge stores for them (the engine's kinds, rules, reasons, priorities, due times and
# escalation steps), so a board never shows a row the policy could not have made. Use them under
# the `frozen_clock` fixture: a fact `ago` before the frozen moment has escalated as the ladder says.

_warrants = itertools.count(1)
# Yes answers in a DASH for each level (policies/default.toml: high = 14, medium = 10).
DASH_YES = {RiskLevel.HIGH: 14, RiskLevel.MEDIUM: 10, RiskLevel.STANDARD: 0}


def _made(record: Any) -> list[Action]:
    """The actions the policy created while `record()` stored a fact, oldest first."""
    with policy_effects() as effects:
        record()
    return sorted((Action.objects.get(pk=a.pk) for a in effects.created), key=lambda a: (a.created_at, a.pk))


def reported(case: Case, *, actor: Any, ago: dt.timedelta, category: str = "domestic_abuse") -> list[Action]:
    """A report of the pair `ago` before now: R1's risk assessment, checks and review."""
    at = times.now() - ago
    return _made(lambda: report_record(actor=actor, case=case, category=category, reported_at=at))


def assessed(case: Case, *, actor: Any, ago: dt.timedelta, level: str = RiskLevel.HIGH) -> list[Action]:
    """A DASH completed `ago` before now with the answers for `level` (R3 at high, R4 at medium)."""
    yes = DASH_YES[RiskLevel(level)]
    answers = {n: "yes" if n <= yes else "no" for n in range(1, 25)}
    at = times.now() - ago
    return _made(lambda: assessment_record(actor=actor, case=case, instrument="dash", answers=answers, completed_at=at))


def warranted(case: Case, *, actor: Any, ago: dt.timedelta, reference: str = "") -> list[Action]:
    """A warrant for the case's subject issued `ago` before now (R6: execute it, contact the victim)."""
    at = times.now() - ago
    reference = reference or f"W-TEST-{next(_warrants)}"
    return _made(
        lambda: warrant_issue(
            actor=actor, reference=reference, subject=case.subject, reason="Failed to appear", issued_at=at, reported_at=at
        )
    )


def of_kind(actions: list[Action], kind: str) -> Action:
    [action] = [a for a in actions if a.kind == kind]
    return action


def assessed_case(*, actor: Any, team: Any, risk: str = "", ago: dt.timedelta = dt.timedelta(hours=1), **kwargs: Any) -> Case:
    """A case the actor opened whose risk level the engine set from a DASH `ago` before now
    (none: not assessed). The DASH's actions are on it."""
    case = case_open(
        actor=actor,
        victim=kwargs.pop("victim", None) or PersonFactory(),
        subject=kwargs.pop("subject", None) or PersonFactory(),
        team=team,
        **kwargs,
    )
    if risk:
        assessed(case, actor=actor, ago=ago, level=risk)
        case.refresh_from_db()
        assert case.risk_level == risk
    return case


def complete_all_but(case: Case, keep: Action | None, *, actor: Any) -> None:
    """The officer completes every other open action of the case (the work that was done)."""
    for action in Action.objects.filter(case=case, status=ActionStatus.OPEN).exclude(pk=keep.pk if keep else None).order_by("pk"):
        if Action.objects.filter(pk=action.pk, status=ActionStatus.OPEN).exists():
            action_complete(actor=actor, action=action, note="Done.")
