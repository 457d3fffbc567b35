"""R3 high: a pair that becomes high gets a safety plan, a MARAC referral (unless one is
open), a protective order considered (unless one is in force), and a risk review every week
while it stays high."""

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
    from vigil.policy.outcome import Pair


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    level: str
    safety_plan: ActionSpec
    refer_marac: ActionSpec
    consider_protective_order: ActionSpec
    review_every: dt.timedelta
    review_priority: str


class High(LevelRule[Settings]):
    code = "R3"
    creates = (
        ActionKind.SAFETY_PLAN.value,
        ActionKind.REFER_MARAC.value,
        ActionKind.CONSIDER_PROTECTIVE_ORDER.value,
        ActionKind.REVIEW_RISK.value,
    )

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(
            *rule_header(t),
            level=t.choice("level", codes(RiskLevel)),
            safety_plan=t.action("safety_plan"),
            refer_marac=t.action("refer_marac"),
            consider_protective_order=t.action("consider_protective_order"),
            review_every=dt.timedelta(days=t.positive_number("review_risk_every_days")),
            review_priority=t.choice("review_risk_priority", PRIORITIES),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return (
            f"when a pair becomes {s.level}: {due_words(s.safety_plan)}; {due_words(s.refer_marac)} unless one is open;"
            f" {due_words(s.consider_protective_order)} unless an order protecting the victim from the subject is in"
            f" force; review_risk every {duration(s.review_every)} while {s.level} ({s.review_priority})."
        )

    def also(self, pair: Pair, at: dt.datetime, because: str) -> None:
        s = self.settings
        engine = self.engine
        if not engine.has_open(pair, s.refer_marac.kind):
            engine.create(rule=self.code, spec=s.refer_marac, pair=pair, at=at, reason=f"{because}: refer the case to MARAC")
        else:
            engine.note("R3: a refer_marac is already open for this pair; no second one")
        if not engine.order_in_force(pair, at):
            engine.create(
                rule=self.code,
                spec=s.consider_protective_order,
                pair=pair,
                at=at,
                reason=f"{because}, and no order protects the victim from {engine.who(pair[1])}: consider a protective order",
            )
        else:
            engine.note("R3: an order protecting the victim is in force; no protective order action")
