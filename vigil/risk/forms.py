from __future__ import annotations

from typing import Any

from django import forms

from vigil.core.constants import RISK_RANK, Answer, RiskLevel
from vigil.core.forms import GovukForm
from vigil.risk.catalogue import Instrument, Section


class InstrumentChoiceForm(GovukForm):
    error_names = {"instrument": "which assessment to complete"}
    instrument = forms.ChoiceField(widget=forms.RadioSelect, error_messages={"required": "Choose which assessment to complete"})

    def __init__(self, *args: Any, instruments: dict[str, Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = instruments
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, instrument.name) for key, instrument in instruments.items()]


class SectionForm(GovukForm):
    """One section of an instrument: each question answered Yes, No or Not known."""

    def __init__(self, *args: Any, section: Section, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        for question in section.questions:
            self.fields[f"q{question.number}"] = forms.ChoiceField(
                label=f"{question.number}. {question.text}",
                help_text=question.guidance,
                choices=Answer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Answer question {question.number}: choose yes, no or not known"},
            )

    def error_name(self, name: str, field: forms.Field) -> str:
        return f"an answer to question {name.removeprefix('q')}"

    def rows(self) -> list[tuple[Any, Any]]:
        return [(question, self[f"q{question.number}"]) for question in self.section.questions]

    def answers(self) -> dict[int, str]:
        return {q.number: self.cleaned_data[f"q{q.number}"] for q in self.section.questions}


class GradingForm(GovukForm):
    """The officer's own grading, asked after they have seen what the answers give."""

    officer_level = forms.ChoiceField(
        label="Your own grading of the risk",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your own grading of the risk"},
    )
    officer_rationale = forms.CharField(
        label="Your reasons",
        help_text="Required if your grading is lower than the level shown above. It is recorded and a supervisor reviews it.",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, reference: str = "", reference_why: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reference = reference
        self.reference_why = reference_why

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        level = data.get("officer_level")
        rationale = (data.get("officer_rationale") or "").strip()
        if level and RISK_RANK[level] < RISK_RANK.get(self.reference, 0) and not rationale:
            self.add_error(
                "officer_rationale",
                f"Explain why you grade the risk lower than {self.reference}: {self.reference_why}",
            )
        return data
