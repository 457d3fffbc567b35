from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from vigil.core import times
from vigil.core.forms import GovukForm
from vigil.core.rationale import NO_DISCLOSURE
from vigil.disclosure.models import Applicant, Outcome, Route

DATETIME_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d"]
DATETIME_HINT = "For example, 2025-03-02 14:30"
DATETIME_INVALID = "Enter the date and time as year-month-day hours:minutes, for example 2025-03-02 14:30"


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, help_text=DATETIME_HINT, input_formats=DATETIME_FORMATS, error_messages={"invalid": DATETIME_INVALID}
    )


class RequestForm(GovukForm):
    """A request on a pair already recorded together (the case's victim and subject)."""

    error_names = {
        "team": "the team that will deal with it",
        "route": "whether it is Right to Ask or Right to Know",
        "applicant_kind": "who applied",
        "reported_at": "when the application was made",
    }

    route = forms.ChoiceField(label="Which route is it?", choices=Route.choices, widget=forms.RadioSelect)
    applicant_kind = forms.ChoiceField(
        label="Who applied? (Right to Ask only)",
        choices=[
            (Applicant.PERSON_AT_RISK, Applicant.PERSON_AT_RISK.label),
            (Applicant.THIRD_PARTY, Applicant.THIRD_PARTY.label),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    third_party_name = forms.CharField(label="Name of the person who applied (third party only)", max_length=200, required=False)
    third_party_relationship = forms.CharField(
        label="How they know the person at risk (third party only)",
        help_text="For example, mother, friend, neighbour",
        max_length=100,
        required=False,
    )
    reported_at = _when("When was the application made, or the Right to Know started?")
    concerns = forms.CharField(
        label="What worries them (optional)",
        help_text="In their words. This is kept encrypted and is never shared with the subject.",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("reported_at", timezone.localtime(times.now()).strftime("%Y-%m-%d %H:%M"))

    def clean_reported_at(self) -> Any:
        value = self.cleaned_data["reported_at"]
        if value > times.now():
            raise forms.ValidationError("The date of the application cannot be in the future")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("route") == Route.RIGHT_TO_ASK:
            kind = data.get("applicant_kind")
            if not kind:
                self.add_error("applicant_kind", "Select who applied")
            elif kind == Applicant.THIRD_PARTY:
                if not (data.get("third_party_name") or "").strip():
                    self.add_error("third_party_name", "Enter the name of the person who applied")
                if not (data.get("third_party_relationship") or "").strip():
                    self.add_error("third_party_relationship", "Enter how the person who applied knows the person at risk")
        return data


class ApplicationForm(RequestForm):
    """An application about people not yet recorded together: names as they were given."""

    person_at_risk_name = forms.CharField(label="Full name of the person at risk", max_length=200)
    person_at_risk_born = forms.CharField(
        label="Their date of birth (if known)",
        help_text="For example, 1990-04-27, or the year only",
        max_length=10,
        required=False,
    )
    subject_name = forms.CharField(label="Full name of the person they are worried about", max_length=200)
    subject_born = forms.CharField(
        label="His or her date of birth (if known)",
        help_text="For example, 1985-11-02, or the year only",
        max_length=10,
        required=False,
    )
    subject_aliases = forms.CharField(
        label="Other names he or she uses (if known)", help_text="Separate names with commas", max_length=500, required=False
    )
    team: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Which team will deal with it?", queryset=None, required=False, empty_label="Choose a team"
    )
    field_order = [
        "team",
        "route",
        "applicant_kind",
        "third_party_name",
        "third_party_relationship",
        "person_at_risk_name",
        "person_at_risk_born",
        "subject_name",
        "subject_born",
        "subject_aliases",
        "reported_at",
        "concerns",
    ]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from vigil.core.models import Team

        self.needs_team = user is None or user.team_id is None
        if self.needs_team:
            teams = Team.objects.select_related("area").order_by("area__name", "name")
            self.fields["team"].queryset = teams  # type: ignore[attr-defined]
            self.fields["team"].required = True
        else:
            del self.fields["team"]

    def _born(self, name: str) -> str:
        from django.core.exceptions import ValidationError

        from vigil.people.services import parse_born

        text = (self.cleaned_data.get(name) or "").strip()
        try:
            parse_born(text)
        except ValidationError:
            raise forms.ValidationError("Enter the date of birth as year-month-day (1990-04-27) or a year (1990)") from None
        return text

    def clean_person_at_risk_born(self) -> str:
        return self._born("person_at_risk_born")

    def clean_subject_born(self) -> str:
        return self._born("subject_born")


class DecisionForm(GovukForm):
    error_names = {"outcome": "the decision", "rationale": "the reasons for the decision"}

    outcome = forms.ChoiceField(label="What is the decision?", choices=Outcome.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label="Why",
        help_text=(
            "Whether disclosure is lawful, necessary and proportionate to protect the person at risk, and what the checks "
            "showed. A decision not to disclose needs at least a sentence (4 words or more)."
        ),
        widget=forms.Textarea,
        max_length=5000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rationale"].error_messages["required"] = "Explain the decision: a decision not to disclose needs a reason"

    def clean(self) -> dict[str, Any]:
        # A decision not to disclose rests on its reasons: a sentence, as an action's decline
        # (vigil.core.rationale), when the force's policy asks for one (R13).
        data = super().clean() or {}
        if data.get("outcome") == Outcome.NO_DISCLOSURE and "rationale" in data:
            from vigil.disclosure.services import no_disclosure_needs_reason

            problem = NO_DISCLOSURE.problem(data["rationale"]) if no_disclosure_needs_reason() else None
            if problem:
                self.add_error("rationale", problem)
        return data


class MeetingForm(GovukForm):
    error_names = {"held_at": "when the disclosure was made"}

    held_at = _when("When was the disclosure made?")
    present = forms.CharField(label="Who was there", help_text="For example, PC Shah; Jo Marsh (IDVA)", max_length=300)
    disclosed = forms.CharField(label="What was disclosed", widget=forms.Textarea, max_length=5000)
    safety_plan = forms.CharField(label="The safety plan agreed", widget=forms.Textarea, max_length=5000)
    completes_safety_plan = forms.BooleanField(
        label="This safety plan completes the case's open 'Make a safety plan' action", required=False, initial=True
    )

    def clean_held_at(self) -> Any:
        value = self.cleaned_data["held_at"]
        if value > times.now():
            raise forms.ValidationError("The date of the meeting cannot be in the future")
        return value
