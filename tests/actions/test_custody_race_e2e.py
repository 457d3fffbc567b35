"""Two officers record the arrest for the same warrant's action at once: one arrest is recorded,
the other is told the action is already done (PostgreSQL only: SQLite serialises writers)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.actions.test_cluster_lock_e2e import _in_thread
from tests.factories import PersonFactory, UserFactory
from vigil.actions.models import Action
from vigil.actions.services import action_complete_by_arrest
from vigil.cases.models import JusticeEvent
from vigil.cases.services import case_open, report_record
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus, Role
from vigil.warrants.models import Warrant
from vigil.warrants.services import warrant_issue

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_clock")]


def test_two_officers_recording_the_arrest_at_once_record_it_once(officer: Any, team: Any) -> None:
    colleague = UserFactory(username="colleague", role=Role.OFFICER, team=team)
    case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team)
    assert case.subject is not None
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=times.now() - dt.timedelta(hours=3))
    warrant_issue(
        actor=officer,
        reference="W-RACE-1",
        subject=case.subject,
        reason="Failed to appear",
        issued_at=times.now() - dt.timedelta(hours=2),
    )
    pk = Action.objects.get(kind=ActionKind.EXECUTE_WARRANT, status=ActionStatus.OPEN).pk
    start = threading.Barrier(2)
    done: list[str] = []
    refused: list[str] = []
    other: list[BaseException] = []

    def record(actor: Any, reference: str) -> None:
        action = Action.objects.get(pk=pk)  # each officer's page loaded it while open
        start.wait(10)
        try:
            action_complete_by_arrest(
                actor=actor, action=action, arrested_by=str(actor), custody_reference=reference, at=times.now()
            )
            done.append(reference)
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            other.append(error)

    threads = [_in_thread(lambda: record(officer, "01/1/26")), _in_thread(lambda: record(colleague, "01/2/26"))]
    for thread in threads:
        thread.join(60)
    assert not other
    assert len(done) == 1 and len(refused) == 1 and "already done" in refused[0]
    assert list(JusticeEvent.objects.filter(kind="arrest").values_list("custody_reference", flat=True)) == done
    assert Warrant.objects.get().custody_reference == done[0]
    assert Action.objects.get(pk=pk).status == ActionStatus.DONE
