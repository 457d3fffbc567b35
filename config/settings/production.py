"""Production settings: PostgreSQL from DATABASE_URL, secrets from the environment, HTTPS only."""

from __future__ import annotations

from config.env import EnvError, env_bool, env_int, env_str

from .base import *  # noqa: F403
from .base import _DEV_FIELD_KEY

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DATABASE_URL = env_str("DATABASE_URL")
WHITENOISE_USE_FINDERS = False
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The __Host- prefix makes browsers refuse these cookies unless they are Secure, host-only
# and for the whole site.
SESSION_COOKIE_NAME = "__Host-vigil-session"
CSRF_COOKIE_NAME = "__Host-vigil-csrf"
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

VIGIL_FIELD_KEYS = env_str("VIGIL_FIELD_KEYS")
VIGIL_AUDIT_KEY = env_str("VIGIL_AUDIT_KEY")
if _DEV_FIELD_KEY.split(":", 1)[1] in VIGIL_FIELD_KEYS:
    raise EnvError("VIGIL_FIELD_KEYS holds the development key; generate a key with `vigil keys generate`")
if len(VIGIL_AUDIT_KEY) < 32:
    raise EnvError("VIGIL_AUDIT_KEY must be at least 32 characters")
VIGIL_ALLOW_DEMO_SEEDS = False
