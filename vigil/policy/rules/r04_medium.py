"""R4 medium: a pair that becomes medium gets a safety plan and a risk review every 30 days
while it stays medium."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.rules.rhythm import LevelRule
from vigil.policy.table import PRIORITIES, ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind, RiskLevel, codes
from vigil.policy.words import due_words, duration

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    level: str
    safety_plan: ActionSpec
    review_every: dt.timedelta
    review_priority: str


class Medium(LevelRule[Settings]):
    code = "R4"
    creates = (ActionKind.SAFETY_PLAN.value, ActionKind.REVIEW_RISK.value)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(
            *rule_header(t),
            level=t.choice("level", codes(RiskLevel)),
            safety_plan=t.action("safety_plan"),
            review_every=dt.timedelta(days=t.positive_number("review_risk_every_days")),
            review_priority=t.choice("review_risk_priority", PRIORITIES),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return (
            f"when a pair becomes {s.level}: {due_words(s.safety_plan)};"
            f" review_risk every {duration(s.review_every)} while {s.level} ({s.review_priority})."
        )
