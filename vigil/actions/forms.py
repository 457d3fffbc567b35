from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from vigil.core.constants import ActionKind
from vigil.core.forms import GovukForm


class CompleteForm(GovukForm):
    error_names = {"note": "the note of what was done"}
    note = forms.CharField(label="What was done (optional)", widget=forms.Textarea, required=False, max_length=5000)


class DeclineForm(GovukForm):
    error_names = {"rationale": "the reason"}

    rationale = forms.CharField(
        label="Why will this not be done?",
        help_text="Your reason is kept in the case chronology and read by your supervisor.",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Explain why this action will not be done"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from vigil.actions.engine_adapter import policy

        # R11 as the force's policy file says: a reason is required unless the file says not.
        self.rationale_required = policy().rules.R11.rationale_required
        if not self.rationale_required:
            field = self.fields["rationale"]
            field.required = False
            field.label = "Why will this not be done? (optional)"

    def clean_rationale(self) -> str:
        value: str = self.cleaned_data["rationale"].strip()
        if not value and self.rationale_required:
            raise forms.ValidationError("Explain why this action will not be done")
        return value


class ReassignForm(GovukForm):
    """Reassign an action to another member of the action's team."""

    error_names = {"owner": "who should do it"}

    owner = forms.TypedChoiceField(
        label="Who should do it?",
        coerce=int,
        error_messages={"required": "Choose who should do this action", "invalid_choice": "Choose a member of the team"},
    )

    def __init__(self, *args: Any, members: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ChoiceField, self.fields["owner"])
        owner.choices = [("", "Choose a person")] + [(m.pk, str(m)) for m in members]


class SignOffForm(GovukForm):
    prefix = "signoff"
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea, required=False, max_length=5000)


class SendBackForm(GovukForm):
    error_names = {"note": "the reason for sending it back"}
    prefix = "send_back"
    note = forms.CharField(
        label="Why is it sent back?",
        help_text="The action reopens and your reason is kept in the case chronology.",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Say why the action is sent back"},
    )


BOARD_STATUSES = [
    ("", "Open, and declines waiting for sign-off"),
    ("open", "Open"),
    ("overdue", "Overdue"),
    ("awaiting", "Declined, waiting for sign-off"),
    ("done", "Done"),
    ("declined", "Declined"),
    ("cancelled", "Cancelled"),
    ("all", "Any status"),
]
BOARD_LEVELS = [("1", "1 (officer)"), ("2", "2 (supervisor)"), ("3", "3 (inspector)"), ("4", "4 (superintendent)")]


class BoardFilterForm(GovukForm):
    """The board's filters, read from the query string (a plain GET form)."""

    kind = forms.MultipleChoiceField(label="Kind of action", choices=ActionKind.choices, required=False)
    level = forms.MultipleChoiceField(label="Escalation level", choices=BOARD_LEVELS, required=False)
    team = forms.TypedChoiceField(label="Team", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label="Status", choices=BOARD_STATUSES, required=False)

    def __init__(self, *args: Any, teams: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = cast(forms.ChoiceField, self.fields["team"])
        team.choices = [("", "All teams")] + [(t.pk, str(t)) for t in teams]
