"""E2: a believed threat to kill (DASH 14, Lethality Screen 2, or intelligence with
`threat_to_kill`) raises the pair to high."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.rules.escalator import AnswerTriggers, Escalator, answer_triggers, intelligence_flag
from vigil.policy.table import Table, rule_header
from vigil.policy.words import either

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True, kw_only=True)
class Settings(AnswerTriggers):
    enabled: bool
    title: str
    intelligence_flag: str | None


class ThreatToKill(Escalator[Settings]):
    code = "E2"
    events = ("risk_assessment", "intelligence")
    answers_driver = "believed threat to kill"

    @classmethod
    def parse(cls, t: Table) -> Settings:
        enabled, title = rule_header(t)
        settings = Settings(enabled=enabled, title=title, **answer_triggers(t), intelligence_flag=intelligence_flag(t))
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return (
            f"DASH {either(s.dash_questions)}, Lethality Screen {either(s.lethality_questions)}, or intelligence with"
            f" {s.intelligence_flag}"
        )

    def intelligence_driver(self, subject: str) -> str:
        return "intelligence of a believed threat to kill"
