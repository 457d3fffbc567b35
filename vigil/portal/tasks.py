"""Retrying portal submissions that could not be recorded (`vigil db_worker --no-reload`).

A failed submission gets a few automatic tries, further apart each time; after that it
waits, shown to officers, for `vigil portal-retry` or an officer. With a backend that cannot
defer (the immediate backend in tests) each failure gets exactly one immediate retry."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from vigil.portal.constants import SubmissionStatus
from vigil.portal.models import PortalSubmission

log = logging.getLogger(__name__)

# Minutes to wait before each automatic retry.
RETRY_DELAYS = (1, 5, 15, 60)


@task()
def retry_portal_submission(submission_id: int) -> str:
    from vigil.portal.services import portal_submission_process

    submission = PortalSubmission.objects.filter(pk=submission_id).first()
    if submission is None or submission.status not in (SubmissionStatus.RECEIVED, SubmissionStatus.FAILED):
        return "nothing to do"
    submission = portal_submission_process(submission=submission)
    if submission.status == SubmissionStatus.FAILED:
        schedule_retry(submission, deferred_only=True)
    return submission.status


def schedule_retry(submission: PortalSubmission, *, deferred_only: bool = False) -> bool:
    """Queue the next automatic retry of a failed submission. Returns whether one was queued."""
    backend = retry_portal_submission.get_backend()
    tries = submission.attempts
    if not backend.supports_defer:
        if deferred_only:
            return False
        retry_portal_submission.enqueue(submission.pk)
        return True
    if tries > len(RETRY_DELAYS):
        log.warning("portal submission %s: automatic retries used up; waiting for an officer", submission.reference)
        return False
    run_after = timezone.now() + dt.timedelta(minutes=RETRY_DELAYS[max(tries - 1, 0)])
    retry_portal_submission.using(run_after=run_after).enqueue(submission.pk)
    return True
