"""What the worker does besides running tasks: recover work that a crash left behind.

- A task left RUNNING by a worker that died (kill -9, an out-of-memory kill, a power cut) is
  never finished by anyone: after VIGIL_TASK_STUCK_SECONDS it is put back in the queue (and
  after MAX_RUNS starts it is marked failed instead, so a task that kills its worker does not
  loop). Vigil's tasks are safe to run twice: the escalation job records only steps not yet
  recorded, and a portal retry locks its submission and records it once.
- A portal submission still "received" VIGIL_PORTAL_SWEEP_SECONDS after it arrived means the
  web process died between storing it and recording it (the report is safe, but nothing would
  record it): it is recorded now, through the same locked service.
- An escalation chain that was started but whose holding run is no longer queued or running
  (marked failed above, or removed) is started again (vigil/actions/chain.py), so the
  ladder never stops for good.

`vigil db_worker` runs this every VIGIL_HOUSEKEEPING_SECONDS in a thread beside the tasks;
`vigil housekeeping` runs it once.
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

log = logging.getLogger(__name__)

# A task started this many times without finishing is not tried again.
MAX_RUNS = 3


@dataclass(frozen=True)
class Housekeeping:
    requeued: int
    failed: int
    swept: int
    revived: bool = False


def recover_stuck_tasks(*, now: dt.datetime | None = None, older_than: dt.timedelta | None = None) -> tuple[int, int]:
    """Requeue tasks RUNNING for longer than the limit. Returns (requeued, marked failed)."""
    now = now or timezone.now()
    older_than = older_than or dt.timedelta(seconds=settings.VIGIL_TASK_STUCK_SECONDS)
    requeued = failed = 0
    with transaction.atomic():
        stuck = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - older_than
        )
        for result in stuck:
            if len(result.worker_ids) >= MAX_RUNS:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = "vigil.worker.housekeeping.StuckTask"
                result.traceback = f"Started {len(result.worker_ids)} times without finishing; not tried again."
                result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                failed += 1
                log.error("task %s (%s) never finished in %s runs: marked failed", result.id, result.task_path, MAX_RUNS)
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued += 1
                log.warning("task %s (%s) was left running by a worker that stopped: queued again", result.id, result.task_path)
    return requeued, failed


def sweep_received_submissions(*, now: dt.datetime | None = None, older_than: dt.timedelta | None = None) -> int:
    """Record portal submissions that were stored but never recorded. Returns how many were tried."""
    from vigil.portal.constants import SubmissionStatus
    from vigil.portal.models import PortalSubmission
    from vigil.portal.services import portal_submission_process

    now = now or timezone.now()
    older_than = older_than or dt.timedelta(seconds=settings.VIGIL_PORTAL_SWEEP_SECONDS)
    waiting = PortalSubmission.objects.filter(status=SubmissionStatus.RECEIVED, received_at__lt=now - older_than).order_by("pk")
    swept = 0
    for submission in waiting:
        log.warning("portal submission %s was stored but not recorded: recording it now", submission.reference)
        portal_submission_process(submission=submission)
        swept += 1
    return swept


def housekeeping(*, now: dt.datetime | None = None) -> Housekeeping:
    from vigil.actions.chain import escalation_chain_revive

    requeued, failed = recover_stuck_tasks(now=now)
    swept = sweep_received_submissions(now=now)
    revived = escalation_chain_revive()
    if revived:
        log.warning("the escalation chain's run was no longer queued or running: started it again")
    return Housekeeping(requeued=requeued, failed=failed, swept=swept, revived=revived)
