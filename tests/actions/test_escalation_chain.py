"""One escalation chain, whatever is killed or run twice (issue 14, vigil/actions/chain.py).

The escalation job queues its own next run. A worker killed after that, before it marked the
run finished, left the run RUNNING; the housekeeping queued it again, and the second time it
queued a second successor: two chains from then on. These tests kill the worker at both
points of a run (after the escalation, before queueing; and after queueing, before finishing)
and run the recovered work, and on PostgreSQL run two real workers at once on a stale copy
and the chain's own run over the same overdue actions. Each time: exactly one pending run,
the lease names it, and every step of the ladder is recorded once, with its audit row."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.actions.builders import make_action, make_case
from vigil.actions import chain
from vigil.actions.models import Action, Escalation, EscalationChain
from vigil.audit.models import AuditEvent
from vigil.loadtest import servers
from vigil.policy import ladder
from vigil.worker.housekeeping import housekeeping

# Transactional: the worker closes its connection between tasks, which on PostgreSQL would end
# a test's surrounding transaction (and the PostgreSQL race needs committed rows).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.policy_offline]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOB = "vigil.actions.tasks.escalate_overdue_actions"


class Killed(BaseException):
    """What kill -9 does to the worker: it stops where it is, and records nothing more."""


@pytest.fixture(autouse=True)
def _database_tasks() -> Iterator[None]:
    with override_settings(TASKS=DATABASE_TASKS, VIGIL_ESCALATION_INTERVAL_SECONDS=60):
        yield


def _overdue(officer: Any, *, count: int) -> list[Action]:
    case = make_case(actor=officer, team=officer.team)
    return [
        make_action(case, due_in=-dt.timedelta(hours=200), age=dt.timedelta(hours=300), escalated=False) for _ in range(count)
    ]


def _work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--housekeeping-interval", "0", verbosity=0, stdout=StringIO())


def _killed_work(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Run the worker and kill it: 'after queueing' (the run queued its successor and the
    worker died before marking it finished) or 'before queueing' (it died between the
    escalation and the queueing). The run is left RUNNING, as a killed worker leaves it."""

    def die(*args: Any, **kwargs: Any) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(DBTaskResult, "set_successful", die)
        patch.setattr(DBTaskResult, "set_failed", die)  # not even the failure is written
        if where == "before queueing":
            patch.setattr(chain, "escalation_chain_continue", die)
        with pytest.raises(Killed):
            _work()


def _pending() -> list[str]:
    return [str(pk) for pk in DBTaskResult.objects.filter(task_path=JOB, status__in=chain.PENDING).values_list("id", flat=True)]


def _holder() -> str:
    return EscalationChain.objects.get(id=1).task_id


def _steps_once(actions: list[Action]) -> None:
    """Every action climbed to the top of the ladder, one step per level, each audited once."""
    top = ladder.top_level(chain_policy())
    steps = Counter(Escalation.objects.filter(action__in=actions).values_list("action_id", "level"))
    assert steps == Counter({(a.pk, level): 1 for a in actions for level in range(2, top + 1)}), steps
    assert set(Action.objects.filter(pk__in=[a.pk for a in actions]).values_list("level", flat=True)) == {top}
    escalations = set(Escalation.objects.filter(action__in=actions).values_list("pk", flat=True))
    audited = Counter(int(pk) for pk in AuditEvent.objects.filter(action="action.escalate").values_list("object_id", flat=True))
    assert {pk: audited[pk] for pk in escalations} == dict.fromkeys(escalations, 1)


def chain_policy() -> Any:
    from vigil.actions.engine_adapter import policy

    return policy()


def _make_due(task_id: str) -> None:
    DBTaskResult.objects.filter(id=task_id).update(run_after=timezone.now() - dt.timedelta(seconds=1))


@pytest.mark.parametrize("where", ["after queueing", "before queueing"])
def test_a_worker_killed_mid_run_leaves_one_chain_and_no_doubled_step(
    officer: Any, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    actions = _overdue(officer, count=3)
    first = chain.escalation_chain_start()
    assert first.started and _pending() == [first.task_id] and _holder() == first.task_id

    _killed_work(monkeypatch, where)
    assert DBTaskResult.objects.get(id=first.task_id).status == "RUNNING"  # left behind by the kill
    _steps_once(actions)  # the escalation itself committed before the kill

    # The housekeeping finds the run stuck and queues it again; a worker runs it.
    assert housekeeping(now=timezone.now() + dt.timedelta(hours=1)).requeued == 1
    _work()
    assert DBTaskResult.objects.get(id=first.task_id).status == "SUCCESSFUL"
    [successor] = _pending()
    assert successor != first.task_id and _holder() == successor
    assert DBTaskResult.objects.filter(task_path=JOB).count() == 2  # the run and one successor, never two
    _steps_once(actions)

    # The chain goes on, one run at a time.
    _make_due(successor)
    _work()
    [third] = _pending()
    assert third not in (first.task_id, successor) and _holder() == third
    assert DBTaskResult.objects.get(id=successor).status == "SUCCESSFUL"
    _steps_once(actions)


def test_a_stray_run_escalates_but_does_not_start_a_second_chain(officer: Any) -> None:
    from vigil.actions.tasks import escalate_overdue_actions

    actions = _overdue(officer, count=2)
    start = chain.escalation_chain_start()
    stray = escalate_overdue_actions.enqueue(reschedule=True)  # e.g. queued by hand, outside the chain
    _make_due(start.task_id)
    _work()
    [successor] = _pending()
    assert _holder() == successor
    assert DBTaskResult.objects.get(id=stray.id).status == "SUCCESSFUL"
    _steps_once(actions)


def test_starting_the_job_again_queues_nothing_while_a_run_is_pending(officer: Any) -> None:
    out = StringIO()
    call_command("enqueue-escalation", stdout=out)
    call_command("enqueue-escalation", stdout=out)  # `make demo` runs it at every start
    [pending] = _pending()
    assert out.getvalue().splitlines() == [
        f"Escalation job queued ({pending}).",
        f"Escalation job already queued or running ({pending}): nothing queued.",
    ]


def test_the_housekeeping_starts_a_chain_again_whose_run_failed_for_good(officer: Any) -> None:
    assert housekeeping().revived is False  # a chain never started is not started by itself
    assert _pending() == []
    start = chain.escalation_chain_start()
    # Marked failed (it killed its worker MAX_RUNS times), so nothing would queue the next run.
    DBTaskResult.objects.filter(id=start.task_id).update(status="FAILED", finished_at=timezone.now())
    assert housekeeping().revived is True
    [again] = _pending()
    assert again != start.task_id and _holder() == again
    assert housekeeping().revived is False


@pytest.mark.postgres_only
def test_simultaneous_starts_queue_one_run(officer: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.fail("the race needs PostgreSQL: run with scripts/with-postgres.sh")
    barrier, results, errors = threading.Barrier(8), [], []

    def start() -> None:
        try:
            barrier.wait()
            results.append(chain.escalation_chain_start())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    [pending] = _pending()
    assert [r.started for r in results].count(True) == 1
    assert {r.task_id for r in results} == {pending} and _holder() == pending


@pytest.mark.postgres_only
def test_two_workers_at_once_on_postgresql_keep_one_chain_and_record_each_step_once(
    officer: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.fail("two workers at once need PostgreSQL: run with scripts/with-postgres.sh")
    _overdue(officer, count=2)
    first = chain.escalation_chain_start()
    _killed_work(monkeypatch, "after queueing")
    housekeeping(now=timezone.now() + dt.timedelta(hours=1))  # the killed run is queued again
    [successor] = [t for t in _pending() if t != first.task_id]
    _make_due(successor)  # both runnable now: the stale copy and the chain's own run
    assert sorted(_pending()) == sorted([first.task_id, successor])
    actions = _overdue(officer, count=6)  # new overdue work both runs will reach for

    env = servers.environment(
        database_url=servers.database_url(connection.settings_dict),
        field_keys=settings.VIGIL_FIELD_KEYS,
        audit_key=settings.VIGIL_AUDIT_KEY,
        var_dir=tmp_path,
        extra={"VIGIL_ESCALATION_INTERVAL_SECONDS": "60"},
    )
    command = [str(servers.BIN / "vigil"), "db_worker", "--batch", "--no-startup-delay", "--housekeeping-interval", "0"]
    # Hold the overdue actions' rows, so that each worker takes one run and both wait at the
    # same rows; let go once both runs are running, and they escalate at the same moment.
    with transaction.atomic():
        list(Action.objects.select_for_update().filter(pk__in=[a.pk for a in actions]))
        workers = [
            subprocess.Popen(command, env=env, cwd=servers.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
            for _ in range(2)
        ]
        deadline = time.monotonic() + 180
        both = False
        while not both and time.monotonic() < deadline and all(w.poll() is None for w in workers):
            both = DBTaskResult.objects.filter(id__in=[first.task_id, successor], status="RUNNING").count() == 2
            time.sleep(0.1)
    outputs = [w.communicate(timeout=300)[0].decode() for w in workers]
    assert both, outputs
    assert [w.returncode for w in workers] == [0, 0], outputs
    runs = DBTaskResult.objects.filter(id__in=[first.task_id, successor])
    assert len({run.worker_ids[-1] for run in runs}) == 2, outputs  # one run each
    assert set(DBTaskResult.objects.filter(id__in=[first.task_id, successor]).values_list("status", flat=True)) == {
        "SUCCESSFUL"
    }, outputs
    [third] = _pending()
    assert _holder() == third and third not in (first.task_id, successor)
    assert DBTaskResult.objects.filter(task_path=JOB).count() == 3
    _steps_once(actions)
