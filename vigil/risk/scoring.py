"""What an instrument's answers give, by the policy's scoring rules, shown to the officer
before they record their own grading.

The stored level is set by the policy engine when the assessment is recorded; this module
computes the same result beforehand so the officer can see it, and why. The thresholds come
from the policy in use (`vigil.policy.config.load_policy()`); the defaults below are the
published ones in POLICY.md and are used until a policy file provides its own.

Only "yes" counts. "No" and "Not known" both count as not yes, but "Not known" is kept as a
gap, so the officer and the supervisor can see what the level was worked out without.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vigil.core.constants import RISK_RANK, Answer, RiskLevel


@dataclass(frozen=True)
class Rule:
    questions: int
    description: str


# The policy's scoring rules, by the name an instrument file refers to in `[scoring] rule`.
RULES: dict[str, Rule] = {
    "dash": Rule(24, "14 or more yes answers is high, 10 to 13 medium, fewer standard"),
    "lethality_screen": Rule(11, "a yes to question 1, 2 or 3, or 4 or more yes answers among questions 4 to 11, is high"),
    "sdash": Rule(11, "sets no level; each yes is a reason, and any yes means stalking is known"),
}


@dataclass(frozen=True)
class Thresholds:
    dash_high: int = 14
    dash_medium: int = 10
    lethality_any_of: tuple[int, ...] = (1, 2, 3)
    lethality_count_among: tuple[int, ...] = (4, 5, 6, 7, 8, 9, 10, 11)
    lethality_count: int = 4


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


def _lookup(source: Any, *path: str) -> Any:
    for name in path:
        if source is None:
            return None
        source = source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)
    return source


def thresholds_from_policy(policy: Any) -> Thresholds:
    """Read the scoring numbers from a loaded policy (a mapping or an object), keeping the
    POLICY.md default for any number the policy does not state."""
    defaults = Thresholds()
    risk = _lookup(policy, "risk") or _lookup(policy, "scoring") or {}
    dash = _lookup(risk, "dash") or {}
    lethality = _lookup(risk, "lethality_screen") or {}
    values = {
        "dash_high": _lookup(dash, "high"),
        "dash_medium": _lookup(dash, "medium"),
        "lethality_any_of": _lookup(lethality, "any_of"),
        "lethality_count_among": _lookup(lethality, "count_among"),
        "lethality_count": _lookup(lethality, "count"),
    }
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        kwargs[name] = tuple(int(v) for v in value) if isinstance(value, list | tuple) else int(value)
    return Thresholds(**{**defaults.__dict__, **kwargs})


def policy_thresholds() -> Thresholds:
    """The thresholds of the live policy (the one the engine uses: settings.VIGIL_POLICY,
    kept per process), so the assessment page and the engine always score alike. A file
    that does not validate stops start-up (system check vigil.E002), so it is not caught here."""
    from vigil.actions.engine_adapter import policy

    return thresholds_from_policy(policy())


def _split(answers: Mapping[int, str], count: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    numbers = range(1, count + 1)
    yes = tuple(n for n in numbers if answers.get(n) == Answer.YES)
    not_known = tuple(n for n in numbers if answers.get(n) == Answer.NOT_KNOWN)
    unanswered = tuple(n for n in numbers if answers.get(n) not in Answer.values)
    return yes, not_known, unanswered


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def score(
    instrument: str,
    answers: Mapping[int, str],
    *,
    thresholds: Thresholds | None = None,
    drivers: Mapping[int, str] | None = None,
) -> Score:
    """Score `answers` (question number to 'yes', 'no' or 'not_known') by the policy's rule
    for `instrument`. `drivers` gives each question's reason in words (from the instrument file)."""
    if instrument not in RULES:
        raise ValueError(f"no scoring rule for instrument {instrument!r}")
    t = thresholds or policy_thresholds()
    words = drivers or {}
    count = RULES[instrument].questions
    yes, not_known, unanswered = _split(answers, count)
    reasons = tuple(words.get(n, f"question {n}") for n in yes)
    gap = f" {_plural(len(not_known), 'answer')} not known." if not_known else ""
    level: str
    if instrument == "dash":
        n = len(yes)
        if n >= t.dash_high:
            level, why = RiskLevel.HIGH, f"{_plural(n, 'yes answer')} of {count}: {t.dash_high} or more is high."
        elif n >= t.dash_medium:
            level = RiskLevel.MEDIUM
            why = f"{_plural(n, 'yes answer')} of {count}: {t.dash_medium} to {t.dash_high - 1} is medium."
        else:
            level, why = RiskLevel.STANDARD, f"{_plural(n, 'yes answer')} of {count}: fewer than {t.dash_medium} is standard."
        return Score(instrument, level, yes, not_known, unanswered, why + gap, stalking_known=8 in yes, drivers=reasons)
    if instrument == "lethality_screen":
        trigger = [n for n in yes if n in t.lethality_any_of]
        among = [n for n in yes if n in t.lethality_count_among]
        first, last = t.lethality_count_among[0], t.lethality_count_among[-1]
        if trigger:
            level = RiskLevel.HIGH
            why = f"Yes to question {', '.join(map(str, trigger))}: a yes to any of questions 1 to 3 is high."
        elif len(among) >= t.lethality_count:
            level = RiskLevel.HIGH
            why = f"{_plural(len(among), 'yes answer')} among questions {first} to {last}: {t.lethality_count} or more is high."
        else:
            level = ""
            why = (
                f"No yes to questions 1 to 3 and {_plural(len(among), 'yes answer')} among questions {first} to {last}"
                f" (fewer than {t.lethality_count}): the screen sets no level by itself."
            )
        return Score(instrument, level, yes, not_known, unanswered, why + gap, stalking_known=11 in yes, drivers=reasons)
    why = f"{_plural(len(yes), 'yes answer')}: the S-DASH sets no level by itself; each yes is recorded as a reason."
    if yes:
        why += " Stalking is now known for this pair."
    return Score(instrument, "", yes, not_known, unanswered, why + gap, stalking_known=bool(yes), drivers=reasons)
