"""Background work: the escalation job runs in the worker (`vigil db_worker --no-reload`)
and enqueues its own next run, so the ladder keeps climbing while the demo is served."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from vigil.actions.escalation import escalate_due

log = logging.getLogger(__name__)


@task()
def escalate_overdue_actions(reschedule: bool = True) -> dict[str, int]:
    run = escalate_due()
    log.info("escalation job: checked %s open overdue actions, recorded %s steps", run.checked, run.recorded)
    from vigil.partners.jobs import run_partner_jobs

    run_partner_jobs()  # MARAC action plans' ladder, on the same rhythm
    if reschedule:
        interval = dt.timedelta(seconds=settings.VIGIL_ESCALATION_INTERVAL_SECONDS)
        escalate_overdue_actions.using(run_after=timezone.now() + interval).enqueue(reschedule=True)
    return {"checked": run.checked, "recorded": run.recorded}
