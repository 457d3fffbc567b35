"""Background work: the escalation job runs in the worker (`vigil db_worker --no-reload`)
and queues its own next run, so the ladder keeps climbing while the demo is served. Only the
run that holds the chain may queue the next (vigil/actions/chain.py): one pending run at a
time, whatever was killed or run twice."""

from __future__ import annotations

import logging

from django_tasks import TaskContext, task

from vigil.actions.escalation import escalate_due

log = logging.getLogger(__name__)


@task(takes_context=True)
def escalate_overdue_actions(context: TaskContext, reschedule: bool = True) -> dict[str, int]:
    from vigil.actions.chain import escalation_chain_continue

    try:
        run = escalate_due()
        log.info("escalation job: checked %s open overdue actions, recorded %s steps", run.checked, run.recorded)
        from vigil.partners.jobs import run_partner_jobs

        run_partner_jobs()  # MARAC action plans' ladder, on the same rhythm
    finally:
        # Queued even if this run failed: one failed run must not stop the ladder for good.
        if reschedule:
            escalation_chain_continue(current=str(context.task_result.id))
    return {"checked": run.checked, "recorded": run.recorded}
