"""The clock the intake pages read: the services' clock, so a time filled in as "now" is the
same now the services stamp."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()
