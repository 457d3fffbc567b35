"""Portal forms. Error messages are written for someone frightened and in a hurry: they say
what to do next, and always where to get help now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from vigil.core import times
from vigil.core.constants import ContactChannel
from vigil.core.forms import GovukForm
from vigil.core.when import parse_time
from vigil.portal.constants import AccessMethod, SeenBy, SubmissionKind

DANGER = "If you are in danger now, call 999."


class SignInForm(GovukForm):
    error_names = {"reference": "the reference"}

    reference = forms.CharField(
        label="Reference",
        max_length=30,
        help_text="The officer gave you this. It starts with R, for example R4KQ7-MXTA.",
        error_messages={"required": "Enter the reference the officer gave you. It starts with R."},
    )
    pin = forms.CharField(
        label="PIN",
        max_length=20,
        help_text="The 6-digit number the officer gave you.",
        error_messages={"required": "Enter the 6-digit PIN the officer gave you."},
    )

    def clean_pin(self) -> str:
        pin = "".join(self.cleaned_data["pin"].split())
        if not pin.isdigit() or len(pin) != 6:
            raise forms.ValidationError("The PIN is 6 numbers, for example 482913. Check it and try again.")
        return pin


KIND_HINTS = {
    SubmissionKind.SIGHTING: "You or someone else saw them, for example near your home, work or school.",
    SubmissionKind.CONTACT: "Calls, messages, social media, gifts, or coming up to you.",
    SubmissionKind.BREACH: "Anything else the order says they must not do.",
}


# The reporter's words for what happened (the stored kind keeps the staff's words).
REPORTER_KINDS = [
    (SubmissionKind.SIGHTING, "They were seen"),
    (SubmissionKind.CONTACT, "They tried to contact you, or the person you are reporting for"),
    (SubmissionKind.BREACH, "They broke the order in another way"),
]


class ReportForm(GovukForm):
    error_names = {
        "kind": "what happened",
        "channel": "how they tried to contact you",
        "day": "the day it happened",
        "month": "the month it happened",
        "year": "the year it happened",
        "time": "the time",
        "where": "where it happened",
        "place": "where it happened",
        "postcode": "the postcode",
        "lat": "the place on the map",
        "lon": "the place on the map",
        "seen_by": "who saw it",
        "seen_by_name": "their name",
    }

    kind = forms.ChoiceField(
        label="What happened?",
        choices=REPORTER_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened: they were seen, they tried to contact you, or something else."},
    )
    channel = forms.ChoiceField(
        label="If they tried to contact you, how?",
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    day = forms.IntegerField(label="Day", required=False)
    month = forms.IntegerField(label="Month", required=False)
    year = forms.IntegerField(label="Year", required=False)
    time = forms.CharField(
        label="Time",
        required=False,
        max_length=20,
        help_text="For example 14:30 or 9pm. If you are not sure, give your best guess, or leave it empty.",
    )
    place = forms.ChoiceField(label="Where did it happen?", required=False, widget=forms.RadioSelect)
    where = forms.CharField(
        label="Where was it?",
        required=False,
        max_length=500,
        widget=forms.Textarea,
        help_text="An address or a description, such as 'outside the school gates on Mill Lane'.",
    )
    postcode = forms.CharField(label="Postcode, if you know it", required=False, max_length=20)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    seen_by = forms.ChoiceField(
        label="Who saw it or had the contact?",
        choices=[(SeenBy.REPORTER, "I did"), (SeenBy.SOMEONE_ELSE, "Someone else")],
        widget=forms.RadioSelect,
        error_messages={"required": "Tell us who saw it: you, or someone else."},
    )
    seen_by_name = forms.CharField(label="Their name, if you know it", required=False, max_length=200)
    details = forms.CharField(
        label="Anything else the police should know (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text="For example what they were wearing, a car, or what they said.",
    )

    ELSEWHERE, UNKNOWN = "elsewhere", "unknown"

    def __init__(self, *args: Any, places: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["place"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            *(places or []),
            (self.ELSEWHERE, "Somewhere else"),
            (self.UNKNOWN, "I do not know, or I would rather not say"),
        ]

    @staticmethod
    def initial_now() -> dict[str, Any]:
        now = timezone.localtime()
        return {"day": now.day, "month": now.month, "year": now.year, "time": now.strftime("%H:%M")}

    def _happened_at(self, data: dict[str, Any]) -> dt.datetime | None:
        day, month, year = data.get("day"), data.get("month"), data.get("year")
        if day is None or month is None or year is None:
            self.add_error("day", "Enter the date it happened, for example 27 3 2025.")
            return None
        try:
            date = dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            self.add_error("day", "That date does not exist. Enter the day, month and year, for example 27 3 2025.")
            return None
        text = (data.get("time") or "").strip()
        # No time: the day is kept as a day ("time not known"), never read as a time of day.
        data["date_only"] = not text
        time = parse_time(text) if text else dt.time(0, 0)
        if time is None:
            self.add_error("time", "Enter the time like 14:30 or 9pm, or leave it empty if you do not know.")
            return None
        moment = timezone.make_aware(dt.datetime.combine(date, time), timezone.get_default_timezone())
        now = times.now()  # the services' clock: the receipt is stamped with it
        if data["date_only"] and date > timezone.localdate(now):
            self.add_error("day", "The date must be today or in the past.")
            return None
        if moment > now + dt.timedelta(minutes=10):
            self.add_error("day", "The date and time must be now or in the past.")
            return None
        if moment < now - dt.timedelta(days=366):
            self.add_error("day", "This form is for things that happened in the last year. For older events, call 101.")
            return None
        return moment

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["happened_at"] = self._happened_at(data)
        if data.get("kind") == SubmissionKind.CONTACT and not data.get("channel"):
            self.add_error("channel", "Choose how they tried to contact you.")
        # Where is optional: a report without a place is still recorded and still gets a call back.
        typed = (data.get("postcode") or "").strip()
        data["postcode"] = ""
        if typed:
            from vigil.gazetteer.services import normalise_postcode

            data["postcode"] = normalise_postcode(typed) or ""
            if not data["postcode"]:
                self.add_error("postcode", "That postcode does not look right. Check it, or leave it empty.")
        if (data.get("lat") is None) != (data.get("lon") is None):
            data["lat"] = data["lon"] = None
        return data


class IssueAccessForm(GovukForm):
    """The officer's form to give the victim or a named family member a way to report."""

    error_names = {
        "reporter": "who it is for",
        "method": "how they will sign in",
        "victim_consent": "whether the victim asked for this",
    }

    reporter = forms.ChoiceField(label="Who is it for?", widget=forms.RadioSelect)
    new_name = forms.CharField(label="Full name of the family member", required=False, max_length=200)
    victim_consent = forms.BooleanField(label="The victim asked for this person to be able to report", required=False)
    method = forms.ChoiceField(label="How will they sign in?", choices=AccessMethod.choices, widget=forms.RadioSelect)
    days = forms.IntegerField(
        label="Days until it expires",
        min_value=1,
        max_value=90,
        initial=7,
        help_text="Between 1 and 90 days. It can also be used only once.",
    )

    NEW = "new"

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reporter = self.fields["reporter"]
        assert isinstance(reporter, forms.ChoiceField)
        reporter.choices = [*people, (self.NEW, "A family member not listed here")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reporter") == self.NEW and not (data.get("new_name") or "").strip():
            self.add_error("new_name", "Enter the family member's full name")
        return data


class WithdrawAccessForm(GovukForm):
    error_names = {"reason": "the reason for withdrawing it"}

    reason = forms.CharField(
        label="Why are you withdrawing it?",
        max_length=500,
        error_messages={"required": "Give the reason for withdrawing the access"},
    )
