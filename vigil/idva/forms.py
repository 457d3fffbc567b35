from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from vigil.core.forms import GovukForm
from vigil.idva.models import Channel, ConsentHow, EntryKind
from vigil.idva.selectors import idva_advisers

DATETIME_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
INVALID = "Enter the date and time as year-month-day hours:minutes, for example 2025-03-02 14:30"


def _now_text() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


class ReferForm(GovukForm):
    error_names = {
        "idva": "the adviser",
        "consent_given": "that the victim agreed",
        "consent_at": "when the victim agreed",
        "consent_how": "how the victim agreed",
    }

    idva = forms.TypedChoiceField(label="Which adviser?", coerce=int, choices=())
    consent_given = forms.BooleanField(label="The victim agreed to be referred to an IDVA")
    consent_at = forms.DateTimeField(
        label="When did they agree?", help_text="For example, 2025-03-02 14:30", input_formats=DATETIME_FORMATS,
        error_messages={"invalid": INVALID},
    )  # fmt: skip
    consent_how = forms.ChoiceField(label="How did they agree?", choices=ConsentHow.choices, widget=forms.RadioSelect)
    consent_note = forms.CharField(
        label="What they agreed to (optional)",
        help_text="For example, 'calls to her mobile after 6pm only; no letters home'",
        max_length=1000,
        required=False,
    )
    reason = forms.CharField(
        label="What the adviser needs to know (optional)", widget=forms.Textarea, max_length=5000, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, str]] = [("", "Choose an adviser")]
        choices += [(u.pk, f"{u.get_full_name() or u.username} ({u.agency_membership.agency})") for u in idva_advisers()]
        self.fields["idva"].choices = choices  # type: ignore[attr-defined]
        self.fields["consent_given"].error_messages["required"] = "Refer only with the victim's consent: confirm that they agreed"
        if not self.is_bound:
            self.initial.setdefault("consent_at", _now_text())


class CaseworkForm(GovukForm):
    error_names = {
        "kind": "what you are recording",
        "at": "when it took place",
        "channel": "how you were in contact",
        "text": "what happened",
        "review_on": "the review date",
    }

    kind = forms.ChoiceField(label="What are you recording?", choices=EntryKind.choices, widget=forms.RadioSelect)
    at = forms.DateTimeField(
        label="When did it take place?", help_text="For example, 2025-03-02 14:30", input_formats=DATETIME_FORMATS,
        error_messages={"invalid": INVALID},
    )  # fmt: skip
    channel = forms.ChoiceField(
        label="For a contact: how were you in contact?", choices=Channel.choices, required=False, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="What happened, the support, or the plan",
        help_text="What was said, agreed or done. The police do not see your casework, only the concerns you send them.",
        widget=forms.Textarea,
        max_length=5000,
    )
    review_on = forms.DateField(
        label="For a safety plan: review it on (optional)",
        help_text="For example, 2025-04-01",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        required=False,
        error_messages={"invalid": "Enter the review date as year-month-day, for example 2025-04-01"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("at", _now_text())


class ConcernForm(GovukForm):
    error_names = {"concern": "what worries you"}

    concern = forms.CharField(
        label="What worries you?",
        help_text="The police are asked to review the case: a supervisor reads this within a day.",
        widget=forms.Textarea,
        max_length=5000,
    )


class EndForm(GovukForm):
    error_names = {"status": "why the referral ends", "reason": "the reason"}

    status = forms.ChoiceField(
        label="Why does the referral end?",
        choices=[("withdrawn", "The victim withdrew consent"), ("closed", "The support has finished")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="In a sentence", max_length=1000)
