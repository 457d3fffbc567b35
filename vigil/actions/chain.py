"""The escalation job's chain: one pending run at a time, enforced by the database.

`escalate_overdue_actions` queues its own next run. Without a guard, a run that queued its
successor and was then killed before the worker marked it finished is left RUNNING; the
housekeeping queues it again, it runs again and queues a second successor, and from then on
two chains climb the ladder side by side (and `vigil enqueue-escalation`, run at every start,
added one more each time).

The guard is a lease row (`EscalationChain`, a single row): it names the run that holds the
chain. A run queues its successor and moves the lease to it in one transaction, with a
conditional UPDATE `... SET task_id = <successor> WHERE id = 1 AND task_id = <this run>`. Only
the holder's UPDATE matches; any other run (a killed run run again after it had already
passed the lease on, or a second worker running a stale copy) matches no row, and its queued
successor is rolled back with the transaction. On PostgreSQL two such UPDATEs at once are
serialised by the row lock and the second re-reads the row after the first commits, so there
is no window between a read and a write.

The escalation work itself is safe to run twice (one step per action and level, under the
action's row lock: vigil/actions/escalation.py); only the queueing of the next run is guarded.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vigil.actions.models import EscalationChain

log = logging.getLogger(__name__)

PENDING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


@dataclass(frozen=True)
class ChainStart:
    task_id: str
    started: bool  # False: a pending run already held the chain, and nothing was queued


def _lease() -> EscalationChain:
    # The migration makes the row; a test database flushed between tests may have lost it.
    return EscalationChain.objects.get_or_create(id=1)[0]


def _holder_pending(task_id: str) -> bool:
    if not task_id:
        return False
    return DBTaskResult.objects.filter(id=task_id, status__in=PENDING).exists()


def _queue_and_take(*, expected: str, run_after: dt.datetime | None) -> str | None:
    """Queue a run and move the lease from `expected` to it, or neither. Returns its id, or
    None if the lease no longer names `expected` (someone else moved it first)."""
    from vigil.actions.tasks import escalate_overdue_actions

    with transaction.atomic():
        job = escalate_overdue_actions.using(run_after=run_after) if run_after else escalate_overdue_actions
        queued = str(job.enqueue(reschedule=True).id)
        moved = EscalationChain.objects.filter(id=1, task_id=expected).update(
            task_id=queued, run_after=run_after, moved_at=timezone.now()
        )
        if moved != 1:
            transaction.set_rollback(True)  # the queued run goes with the transaction
            return None
    return queued


def escalation_chain_continue(*, current: str, now: dt.datetime | None = None) -> str | None:
    """Queue the run after `current` (the run now executing), if `current` holds the chain.
    Returns the queued run's id, or None when `current` does not hold it: the chain has
    already moved on (this is a copy run again after a kill, or a stray run) and nothing is
    queued."""
    _lease()
    interval = dt.timedelta(seconds=settings.VIGIL_ESCALATION_INTERVAL_SECONDS)
    queued = _queue_and_take(expected=current, run_after=(now or timezone.now()) + interval)
    if queued is None:
        log.warning("escalation run %s does not hold the chain (it has moved on): no next run queued", current)
    return queued


def escalation_chain_start() -> ChainStart:
    """Start the chain unless a pending run already holds it (`vigil enqueue-escalation`,
    run at every start of the demo, and the housekeeping after a chain died: its holder
    failed or was removed). Two starts at once queue one run: both expect the same holder,
    and the conditional UPDATE lets one of them through."""
    lease = _lease()
    while not _holder_pending(lease.task_id):
        queued = _queue_and_take(expected=lease.task_id, run_after=None)
        if queued is not None:
            return ChainStart(task_id=queued, started=True)
        lease = _lease()  # someone else moved it meanwhile: look at their run
    return ChainStart(task_id=lease.task_id, started=False)


def escalation_chain_revive() -> bool:
    """Start the chain again if it was started once and its holder is no longer pending
    (it failed, or was marked failed after killing its worker MAX_RUNS times, or was
    removed). Returns True if a run was queued. A chain never started stays unstarted."""
    if not _lease().task_id:
        return False
    return escalation_chain_start().started
