"""The escalation ladder, live: record every step that has fallen due for open actions.

The steps come from the engine's own ladder computation (`vigil.policy.ladder`) and the live
policy's ladder, so each escalation carries the moment the step fell due, not the moment the
job noticed it, and equals the step replay records. Running it twice records nothing new: one
row per action and level (a unique constraint), and levels only rise, up to the top of the
policy's ladder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from vigil.actions.engine_adapter import policy
from vigil.actions.models import Action, Escalation
from vigil.audit.services import audit_record
from vigil.core import times
from vigil.core.constants import ActionStatus
from vigil.policy import ladder

POLICY_ACTOR = "policy"


@dataclass(frozen=True)
class EscalationRun:
    checked: int
    recorded: int


def escalate_action(action: Action, *, now: dt.datetime) -> int:
    """Record the steps of one open action that are due by `now`. Returns how many were new."""
    from vigil.actions.reconcile import step_reason

    recorded = 0
    level = action.level
    # A step never comes before the last one recorded (after a new due time or priority,
    # the engine's steps continue from there too).
    last = Escalation.objects.filter(action=action).order_by("-at").values_list("at", flat=True).first()
    steps = ladder.ladder_steps(
        priority=action.priority, due_at=action.due_at, until=now, policy=policy(), current_level=level, last_at=last
    )
    for at, step_level in steps:
        if step_level <= level:
            continue
        step = Escalation.objects.create(
            action=action, level=step_level, at=at, recorded_at=now, reason=step_reason(action, step_level)
        )
        audit_record(
            actor=POLICY_ACTOR,
            action="action.escalate",
            obj=step,
            case_id=action.case_id,
            new={"action": action.pk, "level": step_level, "at": at},
        )
        level = step_level
        recorded += 1
    if level != action.level:
        Action.objects.filter(pk=action.pk).update(level=level)
        action.level = level
    return recorded


def escalate_due(*, now: dt.datetime | None = None, batch_size: int = 500) -> EscalationRun:
    now = now or times.now()
    top = ladder.top_level(policy())  # an action at the top of the ladder has no step left
    checked = recorded = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            chunk = list(
                Action.objects.select_for_update()
                .filter(status=ActionStatus.OPEN, due_at__lte=now, level__lt=top, pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            if not chunk:
                break
            for action in chunk:
                checked += 1
                recorded += escalate_action(action, now=now)
            last_pk = chunk[-1].pk
    return EscalationRun(checked=checked, recorded=recorded)


# The partners' work done on the escalation job's rhythm (the MARAC plans' ladder, Encompass
# notices, notifications): `vigil.worker.jobs.run_partner_jobs`, registered when the worker app
# is ready. Passed in because those apps build on this one.
PartnerJobs = Callable[..., dict[str, int]]
_PARTNER_JOBS: list[PartnerJobs] = []


def register_partner_jobs(jobs: PartnerJobs) -> None:
    _PARTNER_JOBS[:] = [jobs]


def run_partner_jobs(*, at: dt.datetime | None = None) -> dict[str, int]:
    """Run the registered partner jobs; an error if none are (the worker app is not installed)."""
    if not _PARTNER_JOBS:
        raise LookupError("no partner jobs registered: is vigil.worker installed and ready?")
    return _PARTNER_JOBS[0](at=at)
