"""R8 repeat: the third report (or later) about the same pair within 12 months is flagged
and gets a MARAC referral, unless one is open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import Report
from vigil.policy.rules.base import Rule
from vigil.policy.table import ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind
from vigil.policy.words import due_words, ordinal

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    reports: int
    window_months: int
    refer_marac: ActionSpec


class Repeat(Rule[Settings]):
    code = "R8"
    events = ("report",)
    creates = (ActionKind.REFER_MARAC.value,)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(
            *rule_header(t),
            reports=t.count("reports"),
            window_months=t.count("window_months"),
            refer_marac=t.action(ActionKind.REFER_MARAC.value),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return (
            f"the {ordinal(s.reports)} report (or later) about the same pair within {s.window_months} months: flag"
            f" repeat; {due_words(s.refer_marac)} unless one is open."
        )

    def on_report(self, e: Report) -> None:
        s = self.settings
        engine = self.engine
        pair = engine.event_pair
        victim, subject = pair
        if not s.enabled or subject is None:
            return
        count = engine.repeat_count(engine.state(pair), e.at, s.window_months, s.reports)
        if count < s.reports:
            return
        engine.flag(
            "repeat",
            (victim, subject),
            f"{count} reports about {engine.who(victim)} and {engine.who(subject)} within {s.window_months} months",
            e.at,
        )
        if engine.has_open(pair, s.refer_marac.kind):
            engine.note("R8: a refer_marac is already open for this pair; no second one")
            return
        engine.create(
            rule=self.code,
            spec=s.refer_marac,
            pair=pair,
            at=e.at,
            reason=f"repeat: {count} reports about this pair within {s.window_months} months: refer to MARAC",
        )
