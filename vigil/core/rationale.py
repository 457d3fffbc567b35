"""One rule for every recorded decision not to act: its reason is a sentence.

A supervisor, a review or an inquiry must be able to read why something was not done without
asking: "x", "n/a", "NFA" or "not needed" say nothing. A reason is a sentence when, trimmed,
it has at least MIN_WORDS words of two or more letters (in any alphabet) and at least
MIN_CHARS characters (docs/boards.md). The rule is used by the services, so every page that
records such a decision obeys it, and by the forms, so the error sits on the field:

- an action's decline (`DECLINE`, under R11's `rationale_required`);
- a Clare's Law decision not to disclose (`NO_DISCLOSURE`, under R13's).

A decision read from a timeline file was taken elsewhere: it keeps its own words, as `vigil
replay` keeps them, and only a blank reason is refused (`as_written`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MIN_WORDS = 4
MIN_CHARS = 20
_WORD = re.compile(r"[^\W\d_]{2,}")  # two or more letters, in any alphabet


@dataclass(frozen=True)
class Rationale:
    """The reason for one kind of decision, named as its errors name it."""

    name: str  # the field as the error names it: "The reason"
    why: str  # what it must say: "why this action will not be done"

    @property
    def blank(self) -> str:
        return f"Explain {self.why}"

    @property
    def too_short(self) -> str:
        return f"{self.name} must be a sentence of at least {MIN_WORDS} words and {MIN_CHARS} characters, saying {self.why}"

    def problem(self, text: str | None, *, as_written: bool = False) -> str | None:
        """Why `text` cannot be this decision's reason, or None when it can."""
        text = (text or "").strip()
        if not text:
            return self.blank
        if as_written:
            return None
        if len(text) < MIN_CHARS or len(_WORD.findall(text)) < MIN_WORDS:
            return self.too_short
        return None

    def clean(self, text: str | None, *, field: str = "rationale", as_written: bool = False) -> str:
        """The reason trimmed, or a ValidationError on `field` saying what is wrong with it."""
        problem = self.problem(text, as_written=as_written)
        if problem:
            raise ValidationError({field: problem})
        return (text or "").strip()


DECLINE = Rationale(name="The reason", why="why this action will not be done")
NO_DISCLOSURE = Rationale(name="The reasons for the decision", why="why nothing will be disclosed")
