from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from vigil.core.forms import GovukForm
from vigil.core.models import Area
from vigil.partners.models import Agency
from vigil.partners.selectors import agency_people

DATETIME_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# A deadline given as a day is due at the end of that working day.
DEADLINE_TIME = dt.time(17, 0)


class ScheduleForm(GovukForm):
    error_names = {
        "area": "the area",
        "first_at": "the date and time of the first meeting",
        "every_days": "how many days apart the meetings are",
        "count": "how many meetings to set up",
        "agencies": "the agencies that attend",
    }

    area = forms.ModelChoiceField(label="Area", queryset=Area.objects.order_by("name"), empty_label="Choose an area")
    first_at = forms.DateTimeField(
        label="First meeting",
        help_text="Date and time, for example 2025-03-06 10:00",
        input_formats=DATETIME_FORMATS,
        error_messages={"invalid": "Enter the date and time as year-month-day hours:minutes, for example 2025-03-06 10:00"},
    )
    every_days = forms.IntegerField(
        label="Days between meetings", help_text="14 for a fortnightly MARAC", initial=14, min_value=1, max_value=92
    )
    count = forms.IntegerField(label="How many meetings to set up", initial=6, min_value=1, max_value=52)
    location = forms.CharField(label="Where, or how to join", max_length=200)
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies that attend",
        queryset=Agency.objects.filter(active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )


class ReferForm(GovukForm):
    error_names = {"reason": "why the case is referred", "judgement": "your professional judgement"}

    reason = forms.CharField(
        label="Why is the case referred?",
        help_text=(
            "What the agencies need to know: the risk, the children, what has been tried."
            " Shared with the agencies at the meeting."
        ),
        widget=forms.Textarea,
        max_length=5000,
    )
    judgement = forms.CharField(
        label="Your professional judgement (if it is a reason to refer)",
        help_text="Leave empty if the criteria above are the reason.",
        widget=forms.Textarea,
        max_length=3000,
        required=False,
    )


class TextForm(GovukForm):
    text = forms.CharField(label="Text", widget=forms.Textarea, max_length=10000)

    def __init__(self, *args: Any, label: str, words: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.error_names = {"text": words}  # type: ignore[misc]


class PlanForm(GovukForm):
    error_names = {"owner": "who owns the action", "description": "what is to be done", "due_on": "the deadline"}

    owner = forms.TypedChoiceField(label="Who owns it", coerce=int, choices=())
    description = forms.CharField(label="What is to be done", widget=forms.Textarea, max_length=2000)
    due_on = forms.DateField(
        label="Deadline",
        help_text="For example, 2025-03-20. It is due at 5pm that day.",
        input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter the deadline as year-month-day, for example 2025-03-20"},
    )

    def __init__(self, *args: Any, agencies: list[Agency] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", "Choose who owns it")]
        for agency in agencies or []:
            choices += [(u.pk, f"{u.get_full_name() or u.username} ({agency})") for u in agency_people(agency)]
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]

    def clean_due_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["due_on"]
        if day < timezone.localdate():
            raise forms.ValidationError("The deadline cannot be in the past")
        return day

    def due_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["due_on"], DEADLINE_TIME))


class CloseForm(GovukForm):
    error_names = {"outcome": "whether it was done", "note": "how it was done, or why not"}

    outcome = forms.ChoiceField(
        label="Is it done?", choices=[("done", "Done"), ("declined", "It will not be done")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="How it was done, or why it will not be (required if it will not be done)",
        widget=forms.Textarea,
        max_length=3000,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "declined" and not (data.get("note") or "").strip():
            self.add_error("note", "Explain why it will not be done")
        return data
