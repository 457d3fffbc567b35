"""Settings for the test suite. DATABASE_URL selects PostgreSQL; otherwise SQLite."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# On PostgreSQL with DATABASE_OWNER_URL (scripts/with-postgres.sh sets it), the test database
# is created and migrated as the owner and the tests run as the application's role; the
# tables are emptied between transactional tests as the owner (tests/conftest.py).

# client.login()/force_login() sessions count as having passed the second factor, so tests
# about something else need not type codes. The real flow is tested in tests/security.
VIGIL_OTP_TRUST_TEST_CLIENT = True
VIGIL_ALLOW_DEMO_SEEDS = True
# Django's test client authenticates without a request; django-axes needs one, so the tests
# use a backend that lets request-less calls through to the password check (sign-ins
# through the login page still pass the lockout check).
AUTHENTICATION_BACKENDS = [
    "vigil.core.otp.RequestOptionalAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
VIGIL_FIELD_KEYS = "test2:dGVzdC1rZXktdHdvLW5ldmVyLWluLXByb2R1Y3Rpb24=,test1:dGVzdC1rZXktb25lLW5ldmVyLWluLXByb2R1Y3Rpb24="
VIGIL_AUDIT_KEY = "test-audit-key-never-use-in-production"
# django-axes logs every test-client sign-in at INFO; keep test output readable.
LOGGING = {**LOGGING, "loggers": {"axes": {"level": "WARNING"}}}  # noqa: F405
