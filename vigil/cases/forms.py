from __future__ import annotations

from typing import Any

from django import forms

from vigil.core import times
from vigil.core.constants import ReportCategory
from vigil.core.forms import GovukForm


class ReportForm(GovukForm):
    error_names = {"category": "the kind of report", "reported_at": "when the police were told"}

    category = forms.ChoiceField(label="What kind of report is it?", choices=[("", "Choose a category"), *ReportCategory.choices])
    reported_at = forms.DateTimeField(
        label="When were the police told?",
        required=False,
        help_text="Leave blank for now. For example, 2025-03-02 02:10. The policy's deadlines count from this time.",
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"invalid": "Enter the date and time as year-month-day hours:minutes, for example 2025-03-02 02:10"},
    )
    summary = forms.CharField(label="What happened", widget=forms.Textarea, required=False, max_length=5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].error_messages["required"] = "Choose what kind of report it is"

    def clean_reported_at(self) -> Any:
        value = self.cleaned_data["reported_at"]
        if value is not None and value > times.now():
            raise forms.ValidationError("When the police were told cannot be in the future")
        return value
