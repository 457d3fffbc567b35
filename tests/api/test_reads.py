"""Reads for partner dashboards: a case's open actions and a team's board, only inside the
client's scope (restricted cases never), each read audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.actions.builders import make_case
from tests.api.conftest import MakeClient, bearer
from tests.factories import TeamFactory
from vigil.actions.models import Action
from vigil.audit.models import AuditEvent
from vigil.cases.services import report_record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]  # at NOW
NOW = dt.datetime(2025, 6, 11, 20, 10, tzinfo=dt.UTC)


@pytest.fixture
def reported(officer: Any) -> Any:
    """A case of the officer's team with a domestic abuse report: R1's three actions are open."""
    case = make_case(actor=officer, team=officer.team)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=NOW - dt.timedelta(hours=2))
    return case


def test_a_case_s_open_actions(client: Any, make_api_client: MakeClient, officer: Any, reported: Any) -> None:
    _, token = make_api_client("dash", teams=[officer.team], can_read=True)
    response = client.get(f"/api/v1/cases/{reported.reference}/actions", **bearer(token))
    assert response.status_code == 200
    body = json.loads(response.content)
    stored = Action.objects.filter(case=reported, status="open")
    assert body["count"] == stored.count() == 3
    assert sorted(a["kind"] for a in body["items"]) == sorted(stored.values_list("kind", flat=True))
    first = body["items"][0]
    assert first["case"] == reported.reference and first["rule"] == "R1" and first["priority"] in ("high", "medium")
    assert dt.datetime.fromisoformat(first["due_at"]) == stored.order_by("due_at", "pk").first().due_at
    assert AuditEvent.objects.filter(action="api.case_actions", case_id=reported.pk, actor_label="api:dash").exists()


def test_a_team_s_board(client: Any, make_api_client: MakeClient, officer: Any, reported: Any) -> None:
    other = make_case(actor=officer, team=TeamFactory())
    report_record(actor=officer, case=other, category="stalking", reported_at=NOW - dt.timedelta(hours=1))
    _, token = make_api_client("dash", teams=[officer.team], can_read=True)
    body = json.loads(client.get(f"/api/v1/teams/{officer.team.pk}/actions?limit=2", **bearer(token)).content)
    assert body["count"] == 3 and len(body["items"]) == 2
    assert {a["case"] for a in body["items"]} == {reported.reference}
    assert client.get(f"/api/v1/teams/{other.team.pk}/actions", **bearer(token)).status_code == 404


def test_outside_the_scope_is_not_found_and_restricted_cases_are_never_read(
    client: Any, make_api_client: MakeClient, officer: Any, reported: Any
) -> None:
    _, elsewhere = make_api_client("elsewhere", teams=[TeamFactory()], can_read=True)
    response = client.get(f"/api/v1/cases/{reported.reference}/actions", **bearer(elsewhere))
    assert response.status_code == 404 and reported.victim.full_name.encode() not in response.content
    _, token = make_api_client("dash", teams=[officer.team], can_read=True)
    secret = make_case(actor=officer, team=officer.team, sensitive=True)
    report_record(actor=officer, case=secret, category="domestic_abuse", reported_at=NOW - dt.timedelta(hours=1))
    assert client.get(f"/api/v1/cases/{secret.reference}/actions", **bearer(token)).status_code == 404
    board = json.loads(client.get(f"/api/v1/teams/{officer.team.pk}/actions", **bearer(token)).content)
    assert secret.reference not in {a["case"] for a in board["items"]} and board["count"] == 3


def test_a_client_that_may_not_read_is_refused(client: Any, make_api_client: MakeClient, officer: Any, reported: Any) -> None:
    _, token = make_api_client("arc", teams=[officer.team], can_read=False, event_types=["alarm_activated"])
    response = client.get(f"/api/v1/cases/{reported.reference}/actions", **bearer(token))
    assert response.status_code == 403 and json.loads(response.content)["type"] == "urn:vigil:problem:forbidden"


def test_bad_query_values_are_named(client: Any, make_api_client: MakeClient, officer: Any) -> None:
    _, token = make_api_client("dash", teams=[officer.team], can_read=True)
    response = client.get(f"/api/v1/teams/{officer.team.pk}/actions?limit=0", **bearer(token))
    assert response.status_code == 422
    body = json.loads(response.content)
    assert body["errors"][0]["field"] == "limit"
