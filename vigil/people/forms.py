from __future__ import annotations

from django import forms

from vigil.core.forms import GovukForm

RATIONALE_REQUIRED = "Explain why you made this decision"


class LinkDecisionForm(GovukForm):
    """The reason for a decision on an identity link. It is kept with the link and in the
    audit trail, and the next person to doubt the link will read it."""

    error_names = {"rationale": "the reason"}

    rationale = forms.CharField(
        label="Why?",
        help_text="Say what you checked: for example the custody photograph, the PNC record or what the victim said.",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": RATIONALE_REQUIRED},
    )

    def clean_rationale(self) -> str:
        value: str = self.cleaned_data["rationale"].strip()
        if not value:
            raise forms.ValidationError(RATIONALE_REQUIRED)
        return value
