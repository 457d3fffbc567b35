"""Settings for a developer's machine and `make demo`: SQLite under var/, debug on."""

from __future__ import annotations

from config.env import env_bool, env_choice, env_coordinates

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)

# The demo prints fixed TOTP seeds for its users.
VIGIL_ALLOW_DEMO_SEEDS = True

# Maps open on the demo's invented city unless the machine says otherwise.
VIGIL_MAP_CENTRE = env_coordinates("VIGIL_MAP_CENTRE", (53.7997, -1.5492))

# The demo's email goes to files under var/mail/ (one per message) unless VIGIL_EMAIL_BACKEND
# says otherwise: nothing leaves the machine, and the messages can be read.
EMAIL_BACKEND = EMAIL_BACKENDS[env_choice("VIGIL_EMAIL_BACKEND", "file", tuple(EMAIL_BACKENDS))]  # noqa: F405
