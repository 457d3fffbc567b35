from __future__ import annotations

from typing import Any

from django import forms

from vigil.core.constants import RiskLevel
from vigil.core.forms import GovukForm

RISK_CHOICES = [*RiskLevel.choices, ("none", "Not assessed")]
OUTSTANDING_CHOICES = [("", "Any time"), ("7", "More than 7 days"), ("14", "More than 14 days"), ("28", "More than 28 days")]


class WarrantFilterForm(GovukForm):
    """The warrant board's filters, read from the query string (a plain GET form)."""

    risk = forms.MultipleChoiceField(
        label="Highest risk", choices=RISK_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    near = forms.BooleanField(label="Seen near a victim", required=False)
    outstanding = forms.TypedChoiceField(
        label="Outstanding for", choices=OUTSTANDING_CHOICES, coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, proximity_m: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["near"].help_text = f"The latest sighting was within {proximity_m} metres of a victim's home, work or school."

    def keep(self, row: Any) -> bool:
        """Whether a warrant board row passes the (valid) filters."""
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        if data.get("risk") and (row.risk_level or "none") not in data["risk"]:
            return False
        if data.get("near") and not row.sighting_near:
            return False
        return not (data.get("outstanding") and row.days_outstanding <= data["outstanding"])
