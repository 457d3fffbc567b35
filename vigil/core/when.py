"""The two times of every fact, as an officer gives them (issue 12, "Times people mean"):

- when the police were told: the policy's time, from which deadlines count. It is filled in
  with now; the officer changes it when the police were told earlier (a report taken on paper);
- when it happened: at that same time, at another time, some time between two times, on a
  day (time not known), or not known.

A date is read as a day, never as midnight: a time left empty makes "at another time" a day
with the time not known, and the pages say so. Dates in the future, before 1900, or that do
not exist are refused with a message naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from vigil.core import times
from vigil.core.forms import GovukForm

EARLIEST_YEAR = 1900

SAME, MOMENT, WINDOW, DAY, UNKNOWN = "same", "moment", "window", "day", "unknown"
HAPPENED_CHOICES = [
    (SAME, "At the time the police were told"),
    (MOMENT, "At another time"),
    (WINDOW, "Some time between two times"),
    (UNKNOWN, "Not known"),
]


def _part(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=9999)


def local_now() -> dt.datetime:
    return timezone.localtime(times.now())


TIME_NAMES = {
    "told_day": "the day the police were told",
    "told_month": "the month the police were told",
    "told_year": "the year the police were told",
    "told_time": "the time the police were told",
    "happened": "when it happened",
    "at_day": "the day it happened",
    "at_month": "the month it happened",
    "at_year": "the year it happened",
    "at_time": "the time it happened",
    "from_day": "the first day it may have happened",
    "from_month": "the first month it may have happened",
    "from_year": "the first year it may have happened",
    "from_time": "the first time it may have happened",
    "to_day": "the last day it may have happened",
    "to_month": "the last month it may have happened",
    "to_year": "the last year it may have happened",
    "to_time": "the last time it may have happened",
}


class MomentBoxes(GovukForm):
    """Reading a GOV.UK date input (`<prefix>_day`, `_month`, `_year`) and a time box
    (`<prefix>_time`) into a date and an aware moment, with a GOV.UK error naming the field.
    A form declares the boxes with `moment_fields`."""

    def _date(self, prefix: str, what: str) -> dt.date | None:
        """The date typed in the `prefix` day, month and year boxes, or None (error added)."""
        data = self.cleaned_data
        parts = [data.get(f"{prefix}_{p}") for p in ("day", "month", "year")]
        anchor = f"{prefix}_day"
        if any(self.has_error(f"{prefix}_{p}") for p in ("day", "month", "year")):
            for p in ("day", "month", "year"):
                self.errors.pop(f"{prefix}_{p}", None)
            self.add_error(anchor, f"The date {what} must be a real date, like 27 3 2025")
            return None
        if all(p is None for p in parts):
            self.add_error(anchor, f"Enter the date {what}")
            return None
        names = ("day", "month", "year")
        missing = [n for n, p in zip(names, parts, strict=True) if p is None]
        if missing:
            self.add_error(anchor, f"The date {what} must include a {' and a '.join(missing)}")
            return None
        day, month, year = (int(p) for p in parts if p is not None)
        if year < EARLIEST_YEAR:
            self.add_error(anchor, f"The date {what} must be a real date: the year must be {EARLIEST_YEAR} or later")
            return None
        try:
            return dt.date(year, month, day)
        except ValueError:
            self.add_error(anchor, f"The date {what} must be a real date, like 27 3 2025")
            return None

    def _moment(self, prefix: str, what: str, *, time_required: bool) -> tuple[dt.date | None, dt.datetime | None]:
        """(date, aware moment) from the boxes; the moment is None when the time was left
        empty (and not required) or could not be read (error added)."""
        day = self._date(prefix, what)
        text = (self.cleaned_data.get(f"{prefix}_time") or "").strip()
        if not text:
            if time_required and day is not None:
                self.add_error(f"{prefix}_time", f"Enter the time {what}, like 14:30 or 9pm")
            return day, None
        clock = parse_time(text)
        if clock is None:
            self.add_error(f"{prefix}_time", f"Enter the time {what} like 14:30 or 9pm")
            return day, None
        if day is None:
            return None, None
        return day, timezone.make_aware(dt.datetime.combine(day, clock), timezone.get_default_timezone())


def moment_fields(prefix: str) -> dict[str, forms.Field]:
    """The four boxes of a date and time input, for `MomentBoxes`."""
    return {
        f"{prefix}_day": _part("Day"),
        f"{prefix}_month": _part("Month"),
        f"{prefix}_year": _part("Year"),
        f"{prefix}_time": forms.CharField(label="Time", max_length=20, required=False),
    }


class WhenForm(MomentBoxes):
    """The two times. Subclass it to add a fact's own fields; `when_words` names the event
    in the labels ('the sighting', 'the arrest')."""

    when_words = "it"
    error_names = TIME_NAMES

    told_day = _part("Day")
    told_month = _part("Month")
    told_year = _part("Year")
    told_time = forms.CharField(label="Time", max_length=20, required=False)
    happened = forms.ChoiceField(label="When did it happen?", choices=HAPPENED_CHOICES, widget=forms.RadioSelect, initial=SAME)
    at_day = _part("Day")
    at_month = _part("Month")
    at_year = _part("Year")
    at_time = forms.CharField(label="Time", max_length=20, required=False)
    from_day = _part("Day")
    from_month = _part("Month")
    from_year = _part("Year")
    from_time = forms.CharField(label="Time", max_length=20, required=False)
    to_day = _part("Day")
    to_month = _part("Month")
    to_year = _part("Year")
    to_time = forms.CharField(label="Time", max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        now = local_now()
        for key, value in {
            "told_day": now.day,
            "told_month": now.month,
            "told_year": now.year,
            "told_time": now.strftime("%H:%M"),
            "happened": SAME,
        }.items():
            initial.setdefault(key, value)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        what = self.when_words
        now = local_now()
        _, told = self._moment("told", "the police were told", time_required=True)
        if told is not None and told > now:
            self.add_error("told_day", "The time the police were told cannot be in the future")
            told = None
        data["reported_at"] = told
        kind = data.get("happened") or SAME
        happened: dict[str, Any] = {"kind": kind}
        limit = told or now
        if kind == MOMENT:
            day, moment = self._moment("at", f"{what} happened", time_required=False)
            if moment is not None:
                happened["start"] = moment.isoformat()
                if moment > limit:
                    self.add_error("at_day", f"The time {what} happened cannot be after the police were told")
            elif day is not None:
                happened["kind"] = DAY
                happened["day"] = day.isoformat()
                if day > limit.date():
                    self.add_error("at_day", f"The date {what} happened cannot be after the police were told")
        elif kind == WINDOW:
            first_day, start = self._moment("from", f"{what} may first have happened", time_required=False)
            last_day, end = self._moment("to", f"{what} may last have happened", time_required=False)
            if first_day is not None and last_day is not None:
                if start is None or end is None:
                    happened["kind"] = DAY
                    happened["day"], happened["last_day"] = first_day.isoformat(), last_day.isoformat()
                    earliest, latest = first_day, last_day
                else:
                    happened["start"], happened["end"] = start.isoformat(), end.isoformat()
                    earliest, latest = start.date(), end.date()
                    if end < start:
                        self.add_error("to_day", "The second time must be after the first")
                    elif end > limit:
                        self.add_error("to_day", f"The time {what} may last have happened cannot be after the police were told")
                if latest < earliest and not self.has_error("to_day"):
                    self.add_error("to_day", "The second date must be after the first")
                if latest > limit.date() and not self.has_error("to_day"):
                    self.add_error("to_day", f"The date {what} may last have happened cannot be after the police were told")
        data["happened_data"] = happened
        return data


def happened_words(happened: dict[str, Any], reported_at: dt.datetime | None) -> str:
    """The happened time in words, for the check-your-answers page."""
    kind = happened.get("kind", SAME)
    if kind == SAME:
        return f"At {_words(reported_at)}, when the police were told" if reported_at else "When the police were told"
    if kind == MOMENT and happened.get("start"):
        return f"At {_words(dt.datetime.fromisoformat(happened['start']))}"
    if kind == WINDOW and happened.get("start"):
        start, end = (dt.datetime.fromisoformat(happened[k]) for k in ("start", "end"))
        return f"Between {_words(start)} and {_words(end)}"
    if kind == DAY and happened.get("day"):
        first = dt.date.fromisoformat(happened["day"])
        if happened.get("last_day") and happened["last_day"] != happened["day"]:
            last = dt.date.fromisoformat(happened["last_day"])
            return f"Some day between {first:%-d %B %Y} and {last:%-d %B %Y} (time not known)"
        return f"On {first:%-d %B %Y} (time not known)"
    return "Not known"


def _words(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local:%-d %B %Y}"


def parse_time(text: str) -> dt.time | None:
    """A time as people write it: 14:30, 14.30, 1430, 9, 9pm, 9.30pm, 9:30 am, 12am; None
    when it is none of those."""
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*", text.lower())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = (match.group(3) or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)
