"""End to end through the live policy bridge (runs once the engine and bridge have landed):
facts recorded by the real services, actions made by the policy, the board and chronology read them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import PersonFactory
from vigil.actions.models import Action
from vigil.audit.chronology import case_chronology
from vigil.cases.services import case_open, report_record, sighting_record
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus
from vigil.warrants.services import warrant_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_warrant_left_with_one_officer_rises_to_the_top_of_the_supervisors_board(officer: Any, supervisor: Any) -> None:
    subject = PersonFactory(full_name="Gareth Pryce")
    case = case_open(
        actor=officer, victim=PersonFactory(full_name="Aisha Okafor"), subject=subject, team=officer.team, allocate=[officer]
    )
    report_record(actor=officer, case=case, category="stalking", reported_at=times.now() - dt.timedelta(days=13))
    warrant_issue(
        actor=officer,
        reference="W-E2E-1",
        subject=subject,
        reason="Failed to appear",
        issued_at=times.now() - dt.timedelta(days=12),
        reported_at=times.now() - dt.timedelta(days=12),
    )
    # He is seen while the warrant is outstanding: executing it becomes immediate (R6), and
    # four hours later it is overdue at the top of the ladder's attention.
    sighting_record(actor=officer, subject=subject, reported_at=times.now() - dt.timedelta(days=2))
    warrant_action = Action.objects.get(case=case, kind=ActionKind.EXECUTE_WARRANT, status=ActionStatus.OPEN)
    assert warrant_action.priority == "immediate"
    assert warrant_action.owner == officer and warrant_action.level >= 2

    body = _client(supervisor).get(reverse("home")).content.decode()
    rows = [int(pk) for pk in re.findall(r'data-action="(\d+)"', body)]
    assert rows and rows[0] == warrant_action.pk
    assert "overdue by" in body.split('data-action="')[1]
    words = {2: "supervisor (sergeant)", 3: "inspector", 4: "superintendent"}[warrant_action.level]
    assert f"{warrant_action.level}: {words}" in body.split('data-action="')[1]  # the level in the policy's words

    response = _client(officer).post(
        reverse("action_decline", args=[warrant_action.pk]), {"rationale": "Arrested by a neighbouring force this morning."}
    )
    assert response.status_code == 302
    entries = case_chronology(case)
    assert any(e.audit_action == "action.create" and e.by == "the policy (automatic)" for e in entries)
    assert any(e.audit_action == "action.escalate" for e in entries)
    assert any(e.rationale == "Arrested by a neighbouring force this morning." for e in entries)
