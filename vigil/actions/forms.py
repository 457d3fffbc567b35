from __future__ import annotations

from django import forms


class CompleteForm(forms.Form):
    note = forms.CharField(label="What was done (optional)", widget=forms.Textarea, required=False, max_length=5000)


class DeclineForm(forms.Form):
    rationale = forms.CharField(
        label="Why will this not be done?",
        help_text="Your reason is kept in the case chronology and read by your supervisor.",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Explain why this action will not be done"},
    )

    def clean_rationale(self) -> str:
        value: str = self.cleaned_data["rationale"].strip()
        if not value:
            raise forms.ValidationError("Explain why this action will not be done")
        return value
