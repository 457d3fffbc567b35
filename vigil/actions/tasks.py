"""Background work: the escalation job runs in the worker (`vigil db_worker --no-reload`)
and queues its own next run, so the ladder keeps climbing while the demo is served. Only the
run that holds the chain may queue the next (vigil/actions/chain.py): one pending run at a
time, whatever was killed or run twice.

Each run, after the ladder and the partners' jobs, consumes the change marks: if a fact
changed outside the services (a `FactChange` left by an import, a data fix, the admin), a
cluster's next due time came (a time-based rule, a fact dated later), the policy or engine
changed, or the force was never evaluated (`reevaluation_due`, a few indexed reads), it runs
the incremental force-wide re-evaluation (`vigil.actions.bulk.reevaluate_open_cases`) under
the policy's name, so these are acted on with no operator; else it reads nothing more."""

from __future__ import annotations

import logging

from django_tasks import TaskContext, task

from vigil.actions.escalation import escalate_due, run_partner_jobs
from vigil.core import times

log = logging.getLogger(__name__)


@task(takes_context=True)
def escalate_overdue_actions(context: TaskContext, reschedule: bool = True) -> dict[str, int]:
    from vigil.actions.chain import escalation_chain_continue

    try:
        run = escalate_due(now=times.now())  # the services' clock, as the re-evaluation after it
        log.info("escalation job: checked %s open overdue actions, recorded %s steps", run.checked, run.recorded)
        run_partner_jobs()  # MARAC action plans' ladder, on the same rhythm
        reevaluated = reevaluate_if_waiting()
    finally:
        # Queued even if this run failed: one failed run must not stop the ladder for good.
        if reschedule:
            escalation_chain_continue(current=str(context.task_result.id))
    return {"checked": run.checked, "recorded": run.recorded, "reevaluated": reevaluated}


def reevaluate_if_waiting() -> int:
    """Run the incremental re-evaluation at the services' clock if anything waits for it;
    return how many clusters it evaluated."""
    from vigil.actions.bulk import reevaluate_open_cases
    from vigil.actions.incremental import reevaluation_due
    from vigil.actions.live import policy_now

    now = policy_now()
    why = reevaluation_due(now=now)
    if why is None:
        return 0
    run = reevaluate_open_cases(until=now)
    log.info(
        "re-evaluation (%s): %s of %s clusters evaluated, %s audit rows", why, run.clusters, run.force_clusters, run.audit_rows
    )
    return run.clusters
