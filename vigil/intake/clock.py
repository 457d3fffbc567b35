"""The clock the intake pages read: the services' clock (`vigil.core.times.now`), so a time
filled in as "now" is the same now the services stamp and check against."""

from __future__ import annotations

import datetime as dt

from vigil.core import times


def now() -> dt.datetime:
    return times.now()
