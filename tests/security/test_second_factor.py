"""Signing in needs a password and a TOTP code; failures lock the account (django-axes)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import PASSWORD
from vigil.audit.models import AuditEvent
from vigil.core.otp import code_for_seed, demo_seed, ensure_demo_totp

pytestmark = pytest.mark.django_db


def _password(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def test_password_then_code_signs_in_end_to_end(officer: Any) -> None:
    seed = ensure_demo_totp(officer)
    client = Client()
    response = _password(client, "officer")
    assert response.status_code == 302 and response["Location"].startswith("/login/code/")
    # Password alone opens nothing.
    assert client.get(reverse("case_list"))["Location"].startswith("/login/code/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Enter your code" in page.content.decode()
    response = client.post(reverse("otp_verify"), {"code": code_for_seed(seed), "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.get(reverse("case_list")).status_code == 200
    actions = list(AuditEvent.objects.filter(actor=officer).values_list("action", flat=True))
    assert actions == ["auth.password_ok", "auth.signed_in"]


def test_a_wrong_code_is_refused_and_too_many_end_the_session(officer: Any) -> None:
    seed = ensure_demo_totp(officer)
    client = Client()
    _password(client, "officer")
    wrong = f"{(int(code_for_seed(seed)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("otp_verify"), {"code": wrong})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    for _ in range(4):
        response = client.post(reverse("otp_verify"), {"code": wrong})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("case_list")).status_code == 302  # signed out altogether


def test_a_code_from_long_ago_is_refused(officer: Any) -> None:
    seed = ensure_demo_totp(officer)
    client = Client()
    _password(client, "officer")
    stale = code_for_seed(seed, at=time.time() - 3600)
    if stale == code_for_seed(seed):  # one chance in a million that they coincide
        stale = f"{(int(stale) + 1) % 1_000_000:06d}"
    assert "The code is not right" in client.post(reverse("otp_verify"), {"code": stale}).content.decode()


def test_first_sign_in_sets_up_an_authenticator(officer: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    response = _password(client, "officer")
    assert response["Location"].startswith("/login/set-up/")
    page = client.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    from vigil.core.otp import seed_to_base32

    seed = seed_to_base32(device.key)
    assert seed in page and "<svg" in page
    response = client.post(reverse("otp_setup"), {"code": code_for_seed(seed), "next": "/cases/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("case_list")).status_code == 200


def test_demo_seeds_are_fixed_per_user_and_printed(officer: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    assert ensure_demo_totp(officer) == demo_seed("officer") == ensure_demo_totp(officer)
    out = StringIO()
    call_command("demo-logins", stdout=out)
    assert demo_seed("officer") in out.getvalue()


@override_settings(VIGIL_ALLOW_DEMO_SEEDS=False)
def test_fixed_seeds_are_refused_outside_the_demo(officer: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        ensure_demo_totp(officer)


def test_the_otp_login_fixture_gives_a_verified_session(officer: Any, otp_login: Any) -> None:
    with override_settings(VIGIL_OTP_TRUST_TEST_CLIENT=False):
        assert otp_login(Client(), officer).get(reverse("case_list")).status_code == 200
        plain = Client()
        plain.force_login(officer)
        assert plain.get(reverse("case_list")).status_code == 302


def test_five_wrong_passwords_lock_the_account(officer: Any) -> None:
    ensure_demo_totp(officer)
    client = Client()
    for _ in range(4):
        response = _password(client, "officer", "wrong password")
        assert response.status_code == 200
    response = _password(client, "officer", "wrong password")
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    # Even the right password is refused while the lock lasts, from anywhere.
    response = _password(Client(REMOTE_ADDR="10.9.9.9"), "officer")
    assert response.status_code == 429


def test_the_session_ends_after_its_absolute_limit(officer: Any, otp_login: Any) -> None:
    from vigil.core.middleware import SIGNED_IN_AT

    client = otp_login(Client(), officer)
    assert client.get(reverse("case_list")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 11 * 3600
    session.save()
    response = client.get(reverse("case_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("case_list")).status_code == 302
