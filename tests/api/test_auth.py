"""Every call needs a client's token; refusals are problem documents; every call is audited
under the client's name; a client over its rate limit is told when to come back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import MakeClient, bearer
from vigil.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer vigil_000000000000_xyz"])
def test_no_valid_token_is_a_401_problem(client: Any, header: str | None) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/api/v1/teams", **extra)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = json.loads(response.content)
    assert body["type"] == "urn:vigil:problem:unauthorized" and body["status"] == 401 and body["instance"] == "/api/v1/teams"
    assert "vigil api-client create" in body["detail"]
    row = AuditEvent.objects.filter(action="api.call").last()
    assert row is not None and row.actor_label == "api:no-valid-token" and row.new["status"] == 401


def test_every_call_is_audited_under_the_clients_name(client: Any, make_api_client: MakeClient, api_team: Any) -> None:
    _, token = make_api_client("partner-dash", teams=[api_team], can_read=True)
    assert client.get("/api/v1/teams", **bearer(token)).status_code == 200
    assert client.get("/api/v1/cases/VG-NOPE/actions", **bearer(token)).status_code == 404
    rows = list(AuditEvent.objects.filter(action="api.call").order_by("seq"))
    assert [(r.actor_label, r.new["path"], r.new["status"]) for r in rows] == [
        ("api:partner-dash", "/api/v1/teams", 200),
        ("api:partner-dash", "/api/v1/cases/VG-NOPE/actions", 404),
    ]


def test_teams_lists_the_teams_and_areas_in_scope(client: Any, make_api_client: MakeClient) -> None:
    from tests.factories import AreaFactory, TeamFactory

    north = AreaFactory(name="North")
    team_a, team_b = TeamFactory(name="A", area=north), TeamFactory(name="B", area=north)
    lone = TeamFactory(name="Lone")
    TeamFactory(name="Elsewhere")
    _, token = make_api_client("partner-dash", teams=[lone], areas=[north])
    body = json.loads(client.get("/api/v1/teams", **bearer(token)).content)
    assert sorted((t["id"], t["name"]) for t in body) == sorted([(team_a.pk, "A"), (team_b.pk, "B"), (lone.pk, "Lone")])


def test_over_the_rate_limit_is_a_429_with_retry_after(client: Any, make_api_client: MakeClient, api_team: Any) -> None:
    _, token = make_api_client("tiny", teams=[api_team], rate_limit=3)
    statuses = [client.get("/api/v1/teams", **bearer(token)).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert set(statuses[3:]) == {429}
    response = client.get("/api/v1/teams", **bearer(token))
    assert response["Content-Type"] == "application/problem+json" and 1 <= int(response["Retry-After"]) <= 60
    assert "3 requests a minute" in json.loads(response.content)["detail"]


def test_the_contract_is_public_and_the_docs_are_for_signed_in_staff(client: Any, officer: Any, otp_login: Any) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 200
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 302 and "/login/" in docs["Location"]
    otp_login(client, officer)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.content and b"cdn." not in page.content
