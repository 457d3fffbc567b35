"""API clients: made, rotated and revoked by an administrator's command; tokens stored hashed."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.api.conftest import bearer
from tests.factories import TeamFactory
from vigil.api.models import ApiClient, ApiToken
from vigil.api.services import digest, token_client
from vigil.audit.models import AuditEvent
from vigil.core import times

pytestmark = pytest.mark.django_db


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("api-client", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_token_once_and_stores_only_its_digest() -> None:
    team = TeamFactory(name="Safeguarding West")
    out = _command(
        "create",
        "arc-one",
        "--source",
        "arc",
        f"--team={team.pk}",
        "--events",
        "alarm_activated,alarm_fitted",
        "--rate-limit",
        "30",
    )
    token = next(line for line in out.splitlines() if line.startswith("vigil_"))
    client = ApiClient.objects.get(name="arc-one")
    assert client.sources == ["arc"] and client.event_types == ["alarm_activated", "alarm_fitted"]
    assert list(client.teams.all()) == [team] and not client.can_read and client.rate_limit == 30
    stored = ApiToken.objects.get(client=client)
    assert stored.digest == digest(token) and token not in stored.digest
    assert not ApiToken.objects.filter(digest__contains=token[-20:]).exists()
    assert token_client(token) == client
    row = AuditEvent.objects.get(action="api_client.create")
    assert row.actor_label.startswith("vigil api-client") and token not in str(row.new)
    assert "may send: alarm_activated, alarm_fitted" in out and "Safeguarding West" in out


def test_create_refuses_what_it_cannot_keep() -> None:
    with pytest.raises(CommandError, match="unknown event types: burglary"):
        _command("create", "rms-one", "--events", "report,burglary")
    with pytest.raises(CommandError, match="name"):
        _command("create", "Bad Name")
    with pytest.raises(CommandError, match="no such team"):
        _command("create", "rms-two", "--team", "999999")
    assert not ApiClient.objects.exists()


def test_rotate_ends_the_old_token_and_revoke_ends_every_token(client: Any) -> None:
    out = _command("create", "rms-one", "--events", "all", "--read")
    old = next(line for line in out.splitlines() if line.startswith("vigil_"))
    new = next(line for line in _command("rotate", "rms-one").splitlines() if line.startswith("vigil_"))
    assert token_client(old) is None and token_client(new) is not None
    assert client.get("/api/v1/teams", **bearer(old)).status_code == 401
    assert client.get("/api/v1/teams", **bearer(new)).status_code == 200
    _command("revoke", "rms-one", "--reason", "contract ended")
    assert token_client(new) is None
    response = client.get("/api/v1/teams", **bearer(new))
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.filter(action="api_client.revoke", new__reason="contract ended").exists()
    with pytest.raises(CommandError, match="revoked"):
        _command("rotate", "rms-one")


def test_a_rotated_token_may_be_kept_for_a_grace_period() -> None:
    out = _command("create", "rms-one", "--events", "report")
    old = next(line for line in out.splitlines() if line.startswith("vigil_"))
    _command("rotate", "rms-one", "--grace-minutes", "30")
    assert token_client(old) is not None
    with times.clock_at(times.now() + dt.timedelta(minutes=31)):
        assert token_client(old) is None


def test_a_token_is_checked_whole_not_by_its_prefix() -> None:
    out = _command("create", "rms-one", "--events", "report")
    token = next(line for line in out.splitlines() if line.startswith("vigil_"))
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert token_client(forged) is None
    assert token_client("vigil_") is None and token_client("") is None and token_client("Bearer x") is None
