"""Scoring of the three instruments (DASH 24, S-DASH 11, Lethality Screen 11) by the
numbers in the policy, with the reasons in plain words.

Only a yes counts; a question not answered counts as not yes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.vocabulary import QUESTIONS, Instrument

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True)
class InstrumentResult:
    instrument: str
    level: str | None  # None when the instrument sets no level
    yes: tuple[int, ...]
    summary: str  # why the level, in words
    drivers: tuple[str, ...]  # each yes in words
    stalking_known: bool
    escalators: tuple[str, ...]  # the escalators a yes raises (E2, E3), by code

    @property
    def threat_to_kill(self) -> bool:
        return "E2" in self.escalators

    @property
    def strangulation(self) -> bool:
        return "E3" in self.escalators

    def yes_to(self, questions: tuple[int, ...]) -> tuple[int, ...]:
        return tuple([q for q in self.yes if q in questions])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 'es' if word.endswith('s') else 's'}"


def question_count(policy: Policy, instrument: str) -> int:
    """How many questions `instrument` has (the vocabulary's count, which the policy states too)."""
    if instrument not in QUESTIONS:
        raise ValueError(f"unknown instrument {instrument!r}")
    return QUESTIONS[instrument]


def escalators_raised(policy: Policy, instrument: str, yes: tuple[int, ...]) -> tuple[str, ...]:
    """The escalators (switched on) that a yes to one of `yes` raises, by code."""
    return tuple([code for code, questions in policy.answer_triggers.get(instrument, ()) if not questions.isdisjoint(yes)])


def yes_answers(policy: Policy, instrument: str, answers: Mapping[int, bool]) -> tuple[int, ...]:
    """The questions answered yes, in order: all that `score` reads of `answers`."""
    count = question_count(policy, instrument)
    return tuple(sorted([q for q, answer in answers.items() if answer is True and 1 <= q <= count]))


def score(policy: Policy, instrument: str, answers: Mapping[int, bool]) -> InstrumentResult:
    """Score `answers` (question number to yes/no) for `instrument` by `policy`."""
    return score_yes(policy, instrument, yes_answers(policy, instrument, answers))


def score_yes(policy: Policy, instrument: str, yes: tuple[int, ...]) -> InstrumentResult:
    """`score` from the questions answered yes (`yes_answers`)."""
    count = question_count(policy, instrument)
    driver = policy.driver
    drivers = tuple([driver(instrument, q) for q in yes])
    name = Instrument.words_of(instrument)
    level: str | None
    if instrument == "dash":
        rule = policy.risk.dash
        n = len(yes)
        if n >= rule.high:
            level, summary = "high", f"{name}: {n} of {count} answers yes ({rule.high} or more is high)"
        elif n >= rule.medium:
            level = "medium"
            summary = f"{name}: {n} of {count} answers yes ({rule.medium} to {rule.high - 1} is medium)"
        else:
            level, summary = "standard", f"{name}: {n} of {count} answers yes (fewer than {rule.medium} is standard)"
        stalking = not set(rule.stalking_questions).isdisjoint(yes)
    elif instrument == "lethality_screen":
        ls = policy.risk.lethality_screen
        trigger = [q for q in yes if q in ls.any_of]
        among = [q for q in yes if q in ls.count_among]
        if trigger:
            level = ls.level
            words = ", ".join(f"{q} ({policy.driver(instrument, q)})" for q in trigger)
            summary = f"{name}: yes to question {words}"
        elif len(among) >= ls.count:
            level = ls.level
            summary = (
                f"{name}: {len(among)} yes answers among questions {ls.count_among[0]} to {ls.count_among[-1]}"
                f" ({ls.count} or more is {ls.level})"
            )
        else:
            level = None
            summary = (
                f"{name}: no yes to questions {', '.join(map(str, ls.any_of))} and {len(among)} among questions"
                f" {ls.count_among[0]} to {ls.count_among[-1]}; it sets no level"
            )
        stalking = not set(ls.stalking_questions).isdisjoint(yes)
    elif instrument == "sdash":
        level = None
        summary = f"{name}: {len(yes)} of {count} answers yes; it sets no level"
        stalking = policy.risk.sdash.stalking_if_any_yes and bool(yes)
    else:
        raise ValueError(f"unknown instrument {instrument!r}")
    return InstrumentResult(instrument, level, yes, summary, drivers, stalking, escalators_raised(policy, instrument, yes))
