"""`vigil demo-data` builds a usable demo: staff who can sign in with a second factor, and cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from vigil.cases.models import Case
from vigil.core.models import User
from vigil.core.otp import code_for_seed, confirmed_devices, demo_seed

pytestmark = pytest.mark.django_db


def test_demo_staff_have_the_second_factor_that_demo_logins_prints() -> None:
    call_command("demo-data", cases=3, seed=7, anchor=dt.date(2026, 11, 25))
    assert Case.objects.count() == 3
    staff = list(User.objects.exclude(username__startswith="portal"))
    assert staff
    for user in staff:
        devices = confirmed_devices(user)
        assert devices, f"{user.username} has no confirmed second factor"
        seed = demo_seed(user.username)
        assert any(device.verify_token(code_for_seed(seed)) for device in devices), user.username
