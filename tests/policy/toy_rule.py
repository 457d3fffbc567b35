"""A rule that exists only for tests: it proves that adding a rule is one module, one table
in the policy file, and its tests (docs/adding-a-rule.md follows the same steps).

R99 "charge": when the subject is charged, each of his victims is told within a number of
hours set by the policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import Charge
from vigil.policy.rules.base import Rule
from vigil.policy.table import ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind
from vigil.policy.words import due_words

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    victim_contact: ActionSpec


class ToldOfCharge(Rule[Settings]):
    code = "R99"
    events = ("charge",)
    creates = (ActionKind.VICTIM_CONTACT.value,)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(*rule_header(t), victim_contact=t.action(ActionKind.VICTIM_CONTACT.value))
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return f"the subject charged: {due_words(s.victim_contact)} for each of his victims."

    def on_charge(self, e: Charge) -> None:
        s = self.settings
        if not s.enabled:
            return
        engine = self.engine
        subject = engine.world.canonical(e.subject)
        for victim in engine.victims_of(subject):
            engine.create(
                rule=self.code,
                spec=s.victim_contact,
                pair=(victim, subject),
                at=e.at,
                reason=f"{engine.who(subject)} was charged on {engine.when(e.at)}: tell {engine.who(victim)}",
            )


TABLE = """
[rules.R99]
title = "charge"
victim_contact_due_hours = 12
victim_contact_priority = "medium"
"""
