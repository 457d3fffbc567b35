"""The times a fact keeps, and the one clock every service reads.

Every fact Vigil records keeps three times (docs/live-and-replay.md, "Times people mean"):

- `reported_at`: when the police were told. The policy's deadlines count from it, so it is
  the time the engine sees. The service defaults it to now; it may be earlier (a report
  taken on paper), never in the future.
- `recorded_at`: when it was entered in Vigil, set by the service from the clock.
- when it happened (`Happened`): a moment, a window between two moments, a day or a run of
  days, or not known. A day is kept as a day: it is never shown or read as midnight.

The clock is `now()`: the real time, unless a block fixed it (`clock_at`), as `vigil import
timeline` does for each event and the tests' `frozen_clock` fixture does.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

_fixed: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("vigil_clock", default=None)

# The earliest year a fact can carry: older is a typing slip (year 0001), not a police record.
EARLIEST_YEAR = 1900


def now() -> dt.datetime:
    """The time services stamp and default to: the real time, unless `clock_at` fixed it."""
    return _fixed.get() or timezone.now()


@contextlib.contextmanager
def clock_at(moment: dt.datetime | None) -> Iterator[None]:
    """Inside the block, `now()` is `moment` (None: the real time)."""
    if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
        raise ValueError("the clock needs a time zone")
    token = _fixed.set(moment)
    try:
        yield
    finally:
        _fixed.reset(token)


def local_zone() -> ZoneInfo:
    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


def words(moment: dt.datetime) -> str:
    """A moment as an officer reads it: '14:05 on 3 March 2025' (local time)."""
    local = moment.astimezone(local_zone())
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def day_words(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def check_moment(field: str, label: str, value: dt.datetime | None, *, at: dt.datetime | None = None) -> None:
    """Refuse a moment that has no time zone, is impossible (before 1900) or is in the future
    (after `at`, default now), with a message naming the field in words."""
    if value is None:
        return
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError({field: f"{label} must carry a time zone (got {value.isoformat()})"})
    if value.year < EARLIEST_YEAR:
        raise ValidationError({field: f"{label} must be a real date: the year {value.year} is before {EARLIEST_YEAR}"})
    limit = at or now()
    if value > limit:
        raise ValidationError({field: f"{label} cannot be in the future: {words(value)} is after {words(limit)}"})


def reported(value: dt.datetime | None, *, field: str = "reported_at", label: str = "When the police were told") -> dt.datetime:
    """`reported_at` checked, defaulting to now."""
    moment = now() if value is None else value
    check_moment(field, label, moment)
    return moment


@dataclass(frozen=True)
class Happened:
    """When something happened, as precisely as it is known.

    - `start` alone: at that moment;
    - `start` and `end`: some time between the two moments;
    - `day` (and `last_day`): on that day (or some day of that run), time not known;
    - nothing: not known.
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    day: dt.date | None = None
    last_day: dt.date | None = None

    @classmethod
    def at(cls, moment: dt.datetime) -> Happened:
        return cls(start=moment)

    @classmethod
    def between(cls, start: dt.datetime, end: dt.datetime) -> Happened:
        return cls(start=start, end=end)

    @classmethod
    def on(cls, day: dt.date, last_day: dt.date | None = None) -> Happened:
        return cls(day=day, last_day=last_day)

    @property
    def known(self) -> bool:
        return self.start is not None or self.day is not None

    @property
    def date_only(self) -> bool:
        return self.day is not None

    def words(self) -> str:
        if self.day is not None:
            if self.last_day is not None and self.last_day != self.day:
                return f"between {day_words(self.day)} and {day_words(self.last_day)} (time not known)"
            return f"on {day_words(self.day)} (time not known)"
        if self.start is None:
            return "not known"
        if self.end is not None and self.end != self.start:
            return f"between {words(self.start)} and {words(self.end)}"
        return f"at {words(self.start)}"

    def columns(self, name: str) -> dict[str, object]:
        """The model's columns for a happened time stored under `name` (`name`, `name_until`,
        `name_date_only`): a day is kept as the window from its local midnight to the next,
        marked date-only so it is shown as a day, never as a time."""
        if self.day is not None:
            zone = local_zone()
            last = self.last_day or self.day
            start = dt.datetime.combine(self.day, dt.time(0), tzinfo=zone)
            end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
            return {name: start, f"{name}_until": end, f"{name}_date_only": True}
        return {name: self.start, f"{name}_until": self.end, f"{name}_date_only": False}

    @classmethod
    def of(cls, obj: object, name: str) -> Happened:
        """The happened time stored on `obj` under `name` (see `columns`)."""
        return cls.from_columns(getattr(obj, name), getattr(obj, f"{name}_until"), getattr(obj, f"{name}_date_only"))

    @classmethod
    def from_columns(cls, start: dt.datetime | None, end: dt.datetime | None, date_only: bool) -> Happened:
        if start is None:
            return cls()
        if date_only:
            zone = local_zone()
            first = start.astimezone(zone).date()
            last = (end.astimezone(zone) - dt.timedelta(days=1)).date() if end is not None else first
            return cls(day=first, last_day=last if last != first else None)
        return cls(start=start, end=end)

    def check(self, field: str, *, reported_at: dt.datetime) -> None:
        """Refuse a window that ends before it starts, a time in the future or an impossible
        date, and a happened time after the police were told."""
        label = "When it happened"
        if self.day is not None:
            if self.start is not None or self.end is not None:
                raise ValidationError({field: f"{label}: give either a day or times, not both"})
            for day in (self.day, self.last_day):
                if day is not None and day.year < EARLIEST_YEAR:
                    raise ValidationError({field: f"{label} must be a real date: the year {day.year} is before {EARLIEST_YEAR}"})
            today = reported_at.astimezone(local_zone()).date()
            if self.last_day is not None and self.last_day < self.day:
                raise ValidationError({field: f"{label}: the last day is before the first"})
            if (self.last_day or self.day) > today:
                raise ValidationError({field: f"{label} cannot be after the day the police were told ({day_words(today)})"})
            return
        if self.start is None:
            if self.end is not None:
                raise ValidationError({field: f"{label}: a window needs its start as well as its end"})
            return
        check_moment(field, label, self.start)
        check_moment(field, label, self.end)
        if self.end is not None and self.end < self.start:
            raise ValidationError({field: f"{label}: the window ends ({words(self.end)}) before it starts ({words(self.start)})"})
        latest = self.end or self.start
        if latest > reported_at:
            raise ValidationError(
                {field: f"{label} ({words(latest)}) cannot be after the police were told ({words(reported_at)})"}
            )


def happened_fields(name: str, what: str) -> tuple[models.DateTimeField, models.DateTimeField, models.BooleanField]:
    """The three columns of a happened time (`name`, `name_until`, `name_date_only`), for a
    model's class body: `seen_at, seen_at_until, seen_at_date_only = happened_fields(...)`."""
    return (
        models.DateTimeField(
            null=True, blank=True, help_text=f"When {what}: the moment, or the start of the window; empty when not known."
        ),
        models.DateTimeField(null=True, blank=True, help_text=f"When {what}: the end of the window, if only a window is known."),
        models.BooleanField(default=False, help_text="Only the day is known: shown as a day, never as midnight."),
    )


def happened_constraints(name: str, prefix: str) -> list[models.CheckConstraint]:
    """A window has a start, and never ends before it starts; a day-only time has a day."""
    until, date_only = f"{name}_until", f"{name}_date_only"
    return [
        models.CheckConstraint(
            condition=Q(**{f"{until}__isnull": True}) | Q(**{f"{name}__isnull": False, f"{until}__gte": F(name)}),
            name=f"{prefix}_happened_window",
        ),
        models.CheckConstraint(
            condition=Q(**{date_only: False}) | Q(**{f"{name}__isnull": False, f"{until}__isnull": False}),
            name=f"{prefix}_happened_day",
        ),
    ]
