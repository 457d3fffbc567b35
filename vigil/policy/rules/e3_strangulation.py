"""E3: attempted strangulation or choking (DASH 15, Lethality Screen 5) raises the pair to
high."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.rules.escalator import AnswerTriggers, Escalator, answer_triggers
from vigil.policy.table import Table, rule_header
from vigil.policy.words import either

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True, kw_only=True)
class Settings(AnswerTriggers):
    enabled: bool
    title: str


class Strangulation(Escalator[Settings]):
    code = "E3"
    events = ("risk_assessment",)
    answers_driver = "attempted strangulation or choking"

    @classmethod
    def parse(cls, t: Table) -> Settings:
        enabled, title = rule_header(t)
        settings = Settings(enabled=enabled, title=title, **answer_triggers(t))
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return f"DASH {either(s.dash_questions)}, Lethality Screen {either(s.lethality_questions)}"
