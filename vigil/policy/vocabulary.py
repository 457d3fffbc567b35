"""The words of the timeline format and the policy, defined once: pure Python, read by the
engine, the timeline reader, the policy parser, Django's choices and the tests."""

from __future__ import annotations

from typing import Final

# How many questions each risk instrument has (FORMAT.md: DASH 24, S-DASH 11, Lethality
# Screen 11). Answers are numbered from 1.
QUESTIONS: Final[dict[str, int]] = {"dash": 24, "sdash": 11, "lethality_screen": 11}
INSTRUMENTS: Final = tuple(QUESTIONS)
