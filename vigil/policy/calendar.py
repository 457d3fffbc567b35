"""Local-time calendar helpers: the next school day at 09:00, ages, calendar months.

All datetimes are timezone-aware. Local times are built on local dates with the policy's
zone, so "09:00" is 09:00 on the wall clock on both sides of a clock change.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from zoneinfo import ZoneInfo

_MONDAY_TO_FRIDAY = (0, 1, 2, 3, 4)


def next_school_day_at(
    moment: dt.datetime,
    zone: ZoneInfo,
    at: dt.time = dt.time(9, 0),
    school_days: Iterable[int] = _MONDAY_TO_FRIDAY,
) -> dt.datetime:
    """The first school day (Monday is 0) at `at` local time strictly after `moment`."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    days = frozenset(school_days)
    if not days:
        raise ValueError("no school days")
    day = moment.astimezone(zone).date()
    while True:
        if day.weekday() in days:
            candidate = dt.datetime.combine(day, at, tzinfo=zone)
            if candidate > moment:
                return candidate
        day += dt.timedelta(days=1)


def school_days_from(
    day: dt.date,
    zone: ZoneInfo,
    at: dt.time = dt.time(9, 0),
    school_days: Iterable[int] = _MONDAY_TO_FRIDAY,
    count: int = 1,
) -> list[dt.datetime]:
    """The first `count` school days from `day` on (itself included), each at `at` local
    time: the candidates `next_school_day_at` tries for a moment on `day`, in its order."""
    days = frozenset(school_days)
    if not days:
        raise ValueError("no school days")
    result: list[dt.datetime] = []
    while len(result) < count:
        if day.weekday() in days:
            result.append(dt.datetime.combine(day, at, tzinfo=zone))
        day += dt.timedelta(days=1)
    return result


def age_on(born: dt.date, on: dt.date) -> int:
    """Whole years of age on a date. Someone born on 29 February turns a year older on
    1 March in a year that has no 29 February."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_range_on(born: str, on: dt.date) -> tuple[int, int] | None:
    """The youngest and oldest age a person can be on `on`, from a birth date written as
    `YYYY-MM-DD` or `YYYY`; None when it cannot be read."""
    dates = born_dates(born)
    if dates is None:
        return None
    earliest, latest = dates
    return age_on(latest, on), age_on(earliest, on)


@functools.lru_cache(maxsize=65536)
def born_dates(born: str) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest birth date a `YYYY-MM-DD` or `YYYY` can mean; None when it
    cannot be read. A `YYYY-MM-DD` that is no date as written but is one with day and month
    swapped ("1988-17-07") is read swapped."""
    try:
        if len(born) == 4 and born.isdigit():
            year = int(born)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        exact = dt.date.fromisoformat(born)
    except ValueError:
        parts = born.split("-")
        if len(born) != 10 or len(parts) != 3 or not all(p.isdigit() for p in parts):
            return None
        try:
            exact = dt.date(int(parts[0]), int(parts[2]), int(parts[1]))
        except ValueError:
            return None
    return exact, exact


def months_before(moment: dt.datetime, months: int, zone: ZoneInfo) -> dt.datetime:
    """The same local wall-clock time `months` calendar months earlier (the last day of
    the month when that day does not exist)."""
    local = moment.astimezone(zone)
    total = local.year * 12 + (local.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    day = min(local.day, _days_in_month(year, month))
    return local.replace(year=year, month=month, day=day, fold=0)


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.astimezone(zone).date()
