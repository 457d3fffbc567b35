from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import TeamFactory, UserFactory
from vigil.core.constants import Role

PASSWORD = "correct horse battery staple"
# The moment `frozen_clock` holds the services' clock at, unless the test module names its own `NOW`.
FROZEN_AT = dt.datetime(2025, 6, 11, 15, 30, tzinfo=dt.UTC)


@pytest.fixture
def frozen_clock(request: Any) -> Iterator[dt.datetime]:
    """The services' clock (`vigil.core.times.now`, which the policy evaluates at) held at one
    moment for the whole test, so what the engine makes of the facts never depends on today's
    date: the test module's `NOW` if it has one, else FROZEN_AT. Use it with
    `pytestmark = pytest.mark.usefixtures("frozen_clock")` or as an argument (its value is
    the moment)."""
    from vigil.core import times

    moment = getattr(request.module, "NOW", FROZEN_AT)
    with times.clock_at(moment):
        yield moment


class LiveBridge:
    """Whether the live policy bridge runs: every service that records a fact ends in
    `vigil.actions.live.run_engine`, which re-evaluates the people around it with the engine."""

    def __init__(self, on: bool) -> None:
        self.on = on


@pytest.fixture(autouse=True)
def live_bridge(request: Any, monkeypatch: Any) -> LiveBridge:
    """The one switch for the live policy bridge in tests. On, so a test sees what the engine
    makes of the facts it records; off for a test or module marked `policy_offline` (pages,
    forms and boards about rows the test builds itself). A test may also turn it off for a
    while (`live_bridge.on = False`), e.g. to record facts both the live and the bulk path
    then start from."""
    from vigil.actions import live

    bridge = LiveBridge(on=request.node.get_closest_marker("policy_offline") is None)
    engine = live.run_engine
    monkeypatch.setattr(live, "run_engine", lambda person_ids: engine(person_ids) if bridge.on else None)
    return bridge


@pytest.fixture
def team(db: Any) -> Any:
    return TeamFactory()


@pytest.fixture
def officer(team: Any) -> Any:
    return UserFactory(username="officer", role=Role.OFFICER, team=team)


@pytest.fixture
def supervisor(team: Any) -> Any:
    return UserFactory(username="supervisor", role=Role.SUPERVISOR, team=team)


@pytest.fixture
def outsider(db: Any) -> Any:
    """An officer of another team in another area, who must see nothing of `team`'s cases."""
    return UserFactory(username="outsider", role=Role.OFFICER, team=TeamFactory())


@pytest.fixture
def otp_login() -> Any:
    """`otp_login(client, user)`: sign the client in as the user with the second factor passed.

    Works whatever VIGIL_OTP_TRUST_TEST_CLIENT says: the session is bound to a confirmed TOTP
    device of the user, as django-otp does after a correct code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(client: Any, user: Any) -> Any:
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Test authenticator", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return login
