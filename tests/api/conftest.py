from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import TeamFactory
from vigil.api.models import ApiClient
from vigil.api.services import api_client_create
from vigil.timeline.schema import EVENT_TYPES

MakeClient = Callable[..., tuple[ApiClient, str]]


@pytest.fixture
def make_api_client(db: Any) -> MakeClient:
    """`make_api_client(name, teams=[...], event_types=[...], can_read=True)` -> (client, token)."""

    def make(name: str = "rms-test", **kwargs: Any) -> tuple[ApiClient, str]:
        kwargs.setdefault("event_types", EVENT_TYPES)
        return api_client_create(actor="test", name=name, **kwargs)

    return make


@pytest.fixture
def api_team(db: Any) -> Any:
    return TeamFactory()


@pytest.fixture
def rms(make_api_client: MakeClient, api_team: Any) -> tuple[ApiClient, str]:
    """A records-management client that may send every event type for `api_team`, and read."""
    return make_api_client("rms-test", sources=["niche"], teams=[api_team], can_read=True)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
