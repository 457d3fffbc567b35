"""What R3 (high) and R4 (medium) share: a rule that acts when a pair's level rises into its
level (a safety plan, then a risk review every so often), and keeps the review's rhythm.

POLICY.md: "While the pair stays at that level, a review_risk closed by an assessment is
followed by the next one, due the interval after that assessment." Any review counts (R3's,
R4's, or R5's after a breach), once; a rise brings R3's or R4's own review instead, and after
a fall there is no rhythm to keep.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol, TypeVar

from vigil.policy.rules.base import Rule
from vigil.policy.table import ActionSpec
from vigil.policy.vocabulary import ActionKind, Instrument
from vigil.policy.words import days

if TYPE_CHECKING:
    from vigil.policy.outcome import Pair
    from vigil.policy.risk import Assessed


_REVIEW_RISK = ActionKind.REVIEW_RISK.value
_INSTRUMENT_WORDS = Instrument.words_map()


class LevelSettings(Protocol):
    @property
    def enabled(self) -> bool: ...

    @property
    def title(self) -> str: ...

    @property
    def level(self) -> str: ...

    @property
    def safety_plan(self) -> ActionSpec: ...

    @property
    def review_every(self) -> dt.timedelta: ...

    @property
    def review_priority(self) -> str: ...


L = TypeVar("L", bound=LevelSettings)


class LevelRule(Rule[L]):
    """A rule for the pairs that rise into `settings.level`."""

    def when_risen(self, pair: Pair, level: str, at: dt.datetime) -> None:
        s = self.settings
        if not s.enabled or level != s.level:
            return
        engine = self.engine
        victim, subject = pair
        because = f"risk for {engine.who(victim)} from {engine.who(subject)} rose to {level} on {engine.when(at)}"
        engine.create(
            rule=self.code, spec=s.safety_plan, pair=pair, at=at, reason=f"{because}: agree a safety plan with the victim"
        )
        self.also(pair, at, because)
        engine.create(
            rule=self.code,
            kind=_REVIEW_RISK,
            pair=pair,
            at=at,
            due_at=at + s.review_every,
            priority=s.review_priority,
            reason=f"{because}: review the risk every {days(s.review_every)} while it stays {level}",
        )

    def also(self, pair: Pair, at: dt.datetime, because: str) -> None:
        """The rule's other actions on a rise, between the safety plan and the review."""

    def when_assessed(self, assessed: Assessed) -> None:
        s = self.settings
        if not assessed.reviews or assessed.rose or not s.enabled:
            return
        engine = self.engine
        level = engine.level_of(assessed.pair)
        if level != assessed.level_before or level != s.level:
            return
        e = assessed.event
        name = _INSTRUMENT_WORDS.get(e.instrument, e.instrument)
        every = s.review_every
        engine.create(
            rule=self.code,
            kind=_REVIEW_RISK,
            pair=assessed.pair,
            at=e.at,
            due_at=e.at + every,
            priority=s.review_priority,
            reason=f"the risk stays {level} after the {name} of {engine.when(e.at)}: review it again within {days(every)}",
        )
