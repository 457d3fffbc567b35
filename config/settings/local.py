"""Settings for a developer's machine and `make demo`: SQLite under var/, debug on."""

from __future__ import annotations

from config.env import env_bool, env_coordinates

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)

# The demo prints fixed TOTP seeds for its users.
VIGIL_ALLOW_DEMO_SEEDS = True

# Maps open on the demo's invented city unless the machine says otherwise.
VIGIL_MAP_CENTRE = env_coordinates("VIGIL_MAP_CENTRE", (53.7997, -1.5492))
