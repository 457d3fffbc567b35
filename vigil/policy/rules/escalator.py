"""What the escalators E1 ... E4 share: each raises a pair to the escalator level
(`risk.escalator_level`, for `risk.escalator_days`) when its fact becomes known, with the fact
as a driver. E2 and E3 are raised by answers to a risk assessment (worked out with the
instrument's result, `InstrumentResult.escalators`), E2 and E4 by intelligence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from vigil.policy.facts import Intelligence, RiskAssessment
from vigil.policy.rules.base import Rule, RuleSettings
from vigil.policy.table import Table
from vigil.policy.vocabulary import QUESTIONS, Instrument

S = TypeVar("S", bound=RuleSettings)
INTELLIGENCE_FLAGS = ("threat_to_kill", "weapons")
_INSTRUMENT_WORDS = Instrument.words_map()


@dataclass(frozen=True, kw_only=True)
class AnswerTriggers:
    """The questions a yes to which raises an escalator (E2, E3), by instrument."""

    dash_questions: tuple[int, ...]
    lethality_questions: tuple[int, ...]

    def answer_questions(self, instrument: str) -> tuple[int, ...]:
        """The questions of `instrument` a yes to which raises it."""
        if instrument == Instrument.DASH:
            return self.dash_questions
        if instrument == Instrument.LETHALITY_SCREEN:
            return self.lethality_questions
        return ()


def answer_triggers(t: Table) -> dict[str, tuple[int, ...]]:
    """`dash_questions` and `lethality_questions` of an escalator's table (default none)."""
    return {
        "dash_questions": t.questions("dash_questions", QUESTIONS[Instrument.DASH], []),
        "lethality_questions": t.questions("lethality_questions", QUESTIONS[Instrument.LETHALITY_SCREEN], []),
    }


def intelligence_flag(t: Table) -> str | None:
    """The intelligence flag that raises an escalator, if its table names one."""
    return t.choice("intelligence_flag", INTELLIGENCE_FLAGS) if "intelligence_flag" in t.data else None


class Escalator(Rule[S]):
    section = "escalators"
    answers_driver: ClassVar[str] = ""  # the driver when an assessment's answers raise it

    def on_risk_assessment(self, e: RiskAssessment) -> None:
        """The assessment's answers raise this escalator (the scoring says which)."""
        engine = self.engine
        assessed = engine.assessed
        if assessed is not None and self.code in assessed.result.escalators:
            name = _INSTRUMENT_WORDS.get(e.instrument, e.instrument)
            engine.escalator(assessed.pair, self.code, e.at, f"{self.answers_driver} ({name})")

    def on_intelligence(self, e: Intelligence) -> None:
        """Intelligence with this escalator's flag set raises it for each of the subject's victims."""
        settings: Any = self.settings
        flag = settings.intelligence_flag
        if not settings.enabled or flag is None or not getattr(e, flag):
            return
        engine = self.engine
        subject = engine.world.canonical(e.subject)
        for victim in engine.victims_of(subject):
            pair = (victim, subject)
            engine.escalator(pair, self.code, e.at, self.intelligence_driver(subject))
            engine.touch(pair)

    def intelligence_driver(self, subject: str) -> str:
        """The driver when intelligence raises it."""
        raise NotImplementedError
