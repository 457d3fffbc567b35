"""The preview of an instrument's result, shown to the officer before they record their own
grading: a thin adapter over the policy engine's own scoring (`vigil.policy.scoring`) by the
live policy, the one the engine uses when the assessment is recorded. The bands, the
questions that make stalking known and the words of the result are the policy file's; this
module adds only what the page needs beyond the engine's yes answers.

Only "yes" counts. "No" and "Not known" both count as not yes, but "Not known" is kept as a
gap, so the officer and the supervisor can see what the level was worked out without.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vigil.core.constants import RISK_RANK, Answer
from vigil.policy import scoring as engine_scoring
from vigil.policy.config import Policy
from vigil.policy.vocabulary import INSTRUMENTS


@dataclass(frozen=True)
class Score:
    """The result of one instrument's answers."""

    instrument: str
    level: str  # "" when the instrument sets no level
    yes: tuple[int, ...]
    not_known: tuple[int, ...]
    unanswered: tuple[int, ...]
    explanation: str
    stalking_known: bool = False
    drivers: tuple[str, ...] = field(default=())

    @property
    def rank(self) -> int:
        return RISK_RANK.get(self.level, 0)


def live_policy() -> Policy:
    """The policy the live engine uses (settings.VIGIL_POLICY, kept per process). A file that
    does not validate stops start-up (system check vigil.E002), so it is not caught here."""
    from vigil.actions.engine_adapter import policy

    return policy()


def question_count(instrument: str, policy: Policy | None = None) -> int:
    """How many questions `instrument` has in the policy."""
    return engine_scoring.question_count(policy or live_policy(), instrument)


def _split(answers: Mapping[int, str], count: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    numbers = range(1, count + 1)
    yes = tuple(n for n in numbers if answers.get(n) == Answer.YES)
    not_known = tuple(n for n in numbers if answers.get(n) == Answer.NOT_KNOWN)
    unanswered = tuple(n for n in numbers if answers.get(n) not in Answer.values)
    return yes, not_known, unanswered


def score(
    instrument: str,
    answers: Mapping[int, str],
    *,
    policy: Policy | None = None,
    drivers: Mapping[int, str] | None = None,
) -> Score:
    """Score `answers` (question number to 'yes', 'no' or 'not_known') as the engine will,
    by `policy` (default: the live policy). `drivers` gives each question's reason in the
    words of the force's instrument file; without one, the policy's words are used."""
    if instrument not in INSTRUMENTS:
        raise ValueError(f"no scoring rule for instrument {instrument!r}")
    chosen = policy or live_policy()
    yes, not_known, unanswered = _split(answers, engine_scoring.question_count(chosen, instrument))
    result = engine_scoring.score_yes(chosen, instrument, yes)
    words = drivers or {}
    reasons = tuple(words.get(n, driver) for n, driver in zip(yes, result.drivers, strict=True))
    gap = f" {len(not_known)} answer{'' if len(not_known) == 1 else 's'} not known." if not_known else ""
    explanation = f"{result.summary}.{gap}"
    if result.stalking_known:
        explanation += " Stalking is now known for this pair."
    return Score(instrument, result.level or "", yes, not_known, unanswered, explanation, result.stalking_known, reasons)
