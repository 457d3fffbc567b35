"""The worker's housekeeping (issue 14, defect 9): a task a killed worker left RUNNING is run
again, and a report stored by a web process that died before recording it is recorded.
The kill -9 itself, under load, is in tests/security/test_faults.py."""

from __future__ import annotations

import datetime as dt
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.portal.conftest import World, issue
from vigil.cases.models import Sighting
from vigil.portal.constants import SubmissionStatus
from vigil.portal.models import PortalSubmission
from vigil.portal.services import portal_submission_receive
from vigil.worker.housekeeping import MAX_RUNS, housekeeping

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _stored(officer: Any, world: World, *, minutes_ago: float) -> PortalSubmission:
    """A report stored as the web process stores it, and then nothing more (it died)."""
    access = issue(officer, world).access
    submission = portal_submission_receive(
        access=access, kind="sighting", happened_at=timezone.now() - dt.timedelta(hours=1), where="By the shop", details="Seen"
    )
    PortalSubmission.objects.filter(pk=submission.pk).update(received_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    return submission


def test_a_stored_report_never_recorded_is_swept(world: World, officer: Any) -> None:
    old = _stored(officer, world, minutes_ago=5)
    fresh = _stored(officer, world, minutes_ago=0)  # the web request may still be recording it
    done = housekeeping()
    assert done.swept == 1
    assert PortalSubmission.objects.get(pk=old.pk).status == SubmissionStatus.RECORDED
    assert PortalSubmission.objects.get(pk=fresh.pk).status == SubmissionStatus.RECEIVED
    assert Sighting.objects.count() == 1
    assert housekeeping().swept == 0  # nothing twice
    assert Sighting.objects.count() == 1


# Transactional: the worker closes its connection between tasks (close_old_connections), which
# on PostgreSQL would end a test's surrounding transaction.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_task_left_running_by_a_killed_worker_is_run_again(world: World, officer: Any) -> None:
    from vigil.portal.tasks import retry_portal_submission

    submission = _stored(officer, world, minutes_ago=0)
    result = retry_portal_submission.enqueue(submission.pk)
    # What a worker killed with -9 in the middle of the task leaves behind.
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=timezone.now() - dt.timedelta(hours=1), worker_ids=["killed-worker"]
    )
    done = housekeeping()
    assert (done.requeued, done.failed) == (1, 0)
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    call_command("db_worker", "--batch", "--no-startup-delay", "--housekeeping-interval", "0", verbosity=0, stdout=StringIO())
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert PortalSubmission.objects.get(pk=submission.pk).status == SubmissionStatus.RECORDED
    assert Sighting.objects.count() == 1


@override_settings(TASKS=DATABASE_TASKS, VIGIL_TASK_STUCK_SECONDS=600)
def test_a_task_still_within_its_time_or_that_keeps_killing_workers_is_not_requeued(world: World, officer: Any) -> None:
    from vigil.portal.tasks import retry_portal_submission

    submission = _stored(officer, world, minutes_ago=0)
    recent = retry_portal_submission.enqueue(submission.pk)
    DBTaskResult.objects.filter(pk=recent.id).update(status="RUNNING", started_at=timezone.now() - dt.timedelta(minutes=2))
    doomed = retry_portal_submission.enqueue(submission.pk)
    DBTaskResult.objects.filter(pk=doomed.id).update(
        status="RUNNING", started_at=timezone.now() - dt.timedelta(hours=1), worker_ids=[f"w{n}" for n in range(MAX_RUNS)]
    )
    assert housekeeping().requeued == 0
    assert DBTaskResult.objects.get(pk=recent.id).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=doomed.id).status == "FAILED"


def test_the_command_says_what_it_did(world: World, officer: Any) -> None:
    _stored(officer, world, minutes_ago=10)
    out = StringIO()
    call_command("housekeeping", stdout=out)
    assert "portal reports recorded: 1" in out.getvalue()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, VIGIL_TASK_STUCK_SECONDS=60, VIGIL_PORTAL_SWEEP_SECONDS=60)
def test_the_worker_does_both_by_itself_after_their_timeouts(world: World, officer: Any) -> None:
    """The housekeeping thread `vigil db_worker` runs beside the tasks (no command, no officer):
    what is past its timeout is recovered, what is within it is left alone."""
    from vigil.portal.tasks import retry_portal_submission
    from vigil.worker.management.commands.db_worker import Housekeeper

    old, fresh = _stored(officer, world, minutes_ago=5), _stored(officer, world, minutes_ago=0)
    stuck = retry_portal_submission.enqueue(fresh.pk)
    DBTaskResult.objects.filter(pk=stuck.id).update(
        status="RUNNING", started_at=timezone.now() - dt.timedelta(minutes=5), worker_ids=["killed-worker"]
    )
    running = retry_portal_submission.enqueue(fresh.pk)
    DBTaskResult.objects.filter(pk=running.id).update(status="RUNNING", started_at=timezone.now(), worker_ids=["alive"])
    keeper = Housekeeper(interval=0.1)
    keeper.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            DBTaskResult.objects.get(pk=stuck.id).status == "READY"
            and PortalSubmission.objects.get(pk=old.pk).status == SubmissionStatus.RECORDED
        ):
            time.sleep(0.1)
    finally:
        keeper.stopped.set()
        keeper.join(timeout=30)
    assert DBTaskResult.objects.get(pk=stuck.id).status == "READY"
    assert PortalSubmission.objects.get(pk=old.pk).status == SubmissionStatus.RECORDED
    assert DBTaskResult.objects.get(pk=running.id).status == "RUNNING"  # within its time: left to its worker
    assert PortalSubmission.objects.get(pk=fresh.pk).status == SubmissionStatus.RECEIVED
    assert Sighting.objects.count() == 1
