from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.servers import basehttp

from tests.factories import TeamFactory, UserFactory
from vigil.core.constants import Role

# The live test server listens with a backlog of 10 (Django's WSGIServer); the race tests open
# 30 connections at once, and with SYN cookies a full backlog resets some of them, which the
# tests would read as the portal refusing a victim. Production serves through gunicorn
# (a backlog of 2048), so the test server gets a backlog like it.
basehttp.WSGIServer.request_queue_size = 2048

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


# --- PostgreSQL with two roles (scripts/with-postgres.sh): the test database is created and
# migrated as the owner, the tests run as the application's role, and the tables are emptied
# between transactional tests as the owner (the application's role may not TRUNCATE).


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    from vigil.core.dbroles import become_owner

    become_owner()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    from django.test import TransactionTestCase

    from vigil.core.dbroles import as_owner, become_app, become_owner

    original = TransactionTestCase._fixture_teardown

    def teardown_as_owner(self: Any) -> None:
        with as_owner():
            original(self)

    TransactionTestCase._fixture_teardown = teardown_as_owner  # type: ignore[method-assign]
    become_app()
    yield
    become_owner()  # the owner drops the test database
    TransactionTestCase._fixture_teardown = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _audit_checkpoint(tmp_path: Any, settings: Any) -> None:
    """Each test's `vigil audit verify` keeps its checkpoint in its own folder."""
    settings.VIGIL_AUDIT_CHECKPOINT = str(tmp_path / "audit-checkpoint.json")


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
