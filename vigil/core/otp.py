"""The second factor: TOTP devices (django-otp), demo seeds, and the tests' shortcut.

Every member of staff signs in with a password and then a six-digit code from an
authenticator app. `SecondFactorRequiredMiddleware` keeps a session that has passed only
the password away from every page but the code and set-up pages.
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_DEVICE_NAME = "Demo authenticator"


def seed_to_base32(hex_key: str) -> str:
    """The seed as authenticator apps take it (base32, no padding)."""
    return base64.b32encode(bytes.fromhex(hex_key)).decode("ascii").rstrip("=")


def code_for_seed(seed_base32: str, *, at: float | None = None) -> str:
    """The six-digit code for a base32 seed now, or at the Unix time `at` (tests and the demo)."""
    key = base64.b32decode(seed_base32 + "=" * (-len(seed_base32) % 8))
    engine = TOTP(key, step=30, t0=0, digits=6)
    engine.time = int(time.time() if at is None else at)
    return f"{engine.token():06d}"


def confirmed_devices(user: Any) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True))


def ensure_demo_totp(user: Any) -> str:
    """Give a demo user a confirmed TOTP device with a fixed seed; return the base32 seed.

    The seed is derived from the username, so `vigil demo-logins` can print it and the demo
    can be rebuilt with the same codes. Refused outside the demo and the tests."""
    if not settings.VIGIL_ALLOW_DEMO_SEEDS:
        raise ImproperlyConfigured("Fixed TOTP seeds are for the demo only (VIGIL_ALLOW_DEMO_SEEDS is off)")
    hex_key = demo_seed_hex(user.username)
    device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).first()
    if device is None:
        device = TOTPDevice(user=user, name=DEMO_DEVICE_NAME, key=hex_key, confirmed=True)
        device.save()
    elif device.key != hex_key or not device.confirmed:
        device.key = hex_key
        device.confirmed = True
        device.save(update_fields=["key", "confirmed"])
    return seed_to_base32(hex_key)


def demo_seed_hex(username: str) -> str:
    return hashlib.sha256(f"vigil-demo-totp:{username}".encode()).hexdigest()[:40]


def demo_seed(username: str) -> str:
    """The base32 seed `ensure_demo_totp` gives this username (for printing)."""
    return seed_to_base32(demo_seed_hex(username))


class RequestOptionalAxesBackend(AxesStandaloneBackend):
    """Tests only (config.settings.test): Django's test client calls authenticate() without a
    request, which django-axes refuses. Let such calls through; real sign-ins carry a request
    and are checked for lockout as usual."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def trust_test_client_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Tests only: mark a session made by Django's test client as verified.

    The test client logs in with a bare HttpRequest; real requests are WSGI or ASGI requests,
    so a sign-in through the login page still has to pass the code page."""
    if not settings.VIGIL_OTP_TRUST_TEST_CLIENT or type(request) is not HttpRequest:
        return
    device = TOTPDevice.objects.filter(user=user, name="Test client").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test client", confirmed=True)
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
