from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TeamFactory, UserFactory
from vigil.core.constants import Role

PASSWORD = "correct horse battery staple"


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
