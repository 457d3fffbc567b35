"""Partner work the background worker does on the escalation job's rhythm (every
VIGIL_ESCALATION_INTERVAL_SECONDS): the MARAC action plans' ladder, Operation Encompass
notices, the notifications read from the audit trail, retries and daily digests. Each job is
safe to run twice, and one failing does not stop the others."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from vigil.actions.escalation import register_partner_jobs
from vigil.marac.services import escalate_plan_actions
from vigil.notifications.producers import notify_from_audit
from vigil.notifications.services import send_digests, send_due
from vigil.schools.services import encompass_dispatch

log = logging.getLogger(__name__)


def run_partner_jobs(*, at: dt.datetime | None = None) -> dict[str, int]:
    jobs: dict[str, Callable[[], int]] = {
        "marac_steps": lambda: escalate_plan_actions(at=at),
        "school_notices": encompass_dispatch,
        "notifications": notify_from_audit,
        "retries": lambda: send_due(at=at),
        "digests": lambda: send_digests(at=at),
    }
    done: dict[str, int] = {}
    for name, job in jobs.items():
        try:
            done[name] = job()
        except Exception:
            log.exception("partner job %s failed; the others ran", name)
            done[name] = -1
    if any(done.values()):
        log.info("partner jobs: %s", ", ".join(f"{k} {v}" for k, v in done.items()))
    return done


register_partner_jobs(run_partner_jobs)
