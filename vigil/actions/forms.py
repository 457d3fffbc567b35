from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from vigil.actions.engine_adapter import policy
from vigil.core.constants import ActionKind
from vigil.core.forms import GovukForm
from vigil.core.rationale import DECLINE
from vigil.core.when import MomentBoxes, local_now, moment_fields


class CompleteForm(GovukForm):
    error_names = {"note": "the note of what was done"}
    note = forms.CharField(label="What was done (optional)", widget=forms.Textarea, required=False, max_length=5000)


class ArrestCompleteForm(MomentBoxes):
    """Completing `arrest_suspect` or `execute_warrant`: the arrest that settles it (when, by
    whom, the custody reference). The time is filled in with now."""

    error_names = {
        "arrested_day": "the day of the arrest",
        "arrested_month": "the month of the arrest",
        "arrested_year": "the year of the arrest",
        "arrested_time": "the time of the arrest",
        "arrested_by": "who made the arrest",
        "custody_reference": "the custody reference",
        "note": "the note",
    }
    arrested_by = forms.CharField(
        label="Who made the arrest?",
        help_text="Name and collar number.",
        max_length=200,
        error_messages={"required": "Enter who made the arrest"},
    )
    custody_reference = forms.CharField(
        label="Custody reference",
        help_text="The reference of the custody record, for example 07/123456/26.",
        max_length=60,
        error_messages={"required": "Enter the custody reference"},
    )
    note = forms.CharField(label="Anything else to record (optional)", widget=forms.Textarea, required=False, max_length=5000)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        now = local_now()
        initial = kwargs.setdefault("initial", {})
        initial.update(
            {
                "arrested_day": now.day,
                "arrested_month": now.month,
                "arrested_year": now.year,
                "arrested_time": now.strftime("%H:%M"),
                "arrested_by": str(user) if user is not None else "",
            }
            | initial
        )
        super().__init__(*args, **kwargs)
        self.fields.update(moment_fields("arrested"))
        self.order_fields(["arrested_day", "arrested_month", "arrested_year", "arrested_time"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _, moment = self._moment("arrested", "of the arrest", time_required=True)
        if moment is not None and moment > local_now():
            self.add_error("arrested_day", "The time of the arrest cannot be in the future")
            moment = None
        data["at"] = moment
        return data


class DeclineForm(GovukForm):
    error_names = {"rationale": "the reason"}

    rationale = forms.CharField(
        label="Why will this not be done?",
        help_text="At least a sentence (4 words or more): it is kept in the case chronology and read by your supervisor.",
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
        problem = DECLINE.problem(value) if self.rationale_required else None
        if problem:
            raise forms.ValidationError(problem)
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


def board_levels() -> list[tuple[str, str]]:
    """The board's level filter: every level of the live policy's ladder, named as the ladder
    names it (`[ladder.level_names]`), so a force with a three-level ladder, or other names,
    sees its own."""
    ladder = policy().ladder
    top = max([1, *(step.level for step in (*ladder.normal, *ladder.immediate))])
    return [(str(level), f"{level}: {ladder.level_name(level)}") for level in range(1, top + 1)]


class BoardFilterForm(GovukForm):
    """The board's filters, read from the query string (a plain GET form)."""

    kind = forms.MultipleChoiceField(label="Kind of action", choices=ActionKind.choices, required=False)
    level = forms.MultipleChoiceField(label="Escalation level", choices=(), required=False)
    team = forms.TypedChoiceField(label="Team", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label="Status", choices=BOARD_STATUSES, required=False)

    def __init__(self, *args: Any, teams: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = cast(forms.ChoiceField, self.fields["team"])
        team.choices = [("", "All teams")] + [(t.pk, str(t)) for t in teams]
        cast(forms.ChoiceField, self.fields["level"]).choices = board_levels()
