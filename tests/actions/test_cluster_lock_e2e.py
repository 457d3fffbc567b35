"""Two facts about the same people recorded at once must not both plan from what was stored
before either (issue 13): the re-evaluation locks the cluster's cases until it commits. On
PostgreSQL only (`make test` runs this file there; SQLite serialises writers by itself)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from tests.factories import PersonFactory
from vigil.actions.models import Action
from vigil.actions.reconcile import lock_cases
from vigil.cases.services import case_open, report_record
from vigil.core.constants import ActionStatus

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_clock")]


def _in_thread(target: Any) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_reevaluation_waits_while_another_holds_the_cluster(officer: Any) -> None:
    assert connection.vendor == "postgresql"
    case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team)
    locked, release, recorded = threading.Event(), threading.Event(), threading.Event()

    def holder() -> None:
        with transaction.atomic():
            lock_cases({case.pk})
            locked.set()
            release.wait(20)

    def second() -> None:
        report_record(actor=officer, case=case, category="harassment")
        recorded.set()

    first = _in_thread(holder)
    assert locked.wait(10)
    other = _in_thread(second)
    assert not recorded.wait(1.5), "the second re-evaluation did not wait for the cluster's lock"
    release.set()
    assert recorded.wait(20)
    first.join(5)
    other.join(5)
    assert Action.objects.filter(case=case, rule="R1").count() == 3


def test_two_reports_at_once_give_each_its_own_work_and_nothing_twice(officer: Any) -> None:
    case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def record() -> None:
        try:
            start.wait(10)
            report_record(actor=officer, case=case, category="domestic_abuse")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [_in_thread(record) for _ in range(2)]
    for thread in threads:
        thread.join(30)
    assert not errors
    actions = Action.objects.filter(case=case)
    # R1 for each report (three each), never twice for one report.
    assert actions.filter(rule="R1").count() == 6
    assert len(set(actions.values_list("key", flat=True))) == actions.count()
    assert actions.filter(status=ActionStatus.CANCELLED).count() == 0
