"""R14 a partner agency's concern: a Vigil extension beyond POLICY.md's R1-R13.

An IDVA raises a concern with the police from their caseload (the live system's
`partner_concern` event, not part of vigil-timeline/1); a supervisor reviews the case. The
rule's table is optional: a force's file written before R14 gets the shipped values
(`DEFAULT`, the same as policies/default.toml)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import PartnerConcern
from vigil.policy.rules.base import Rule
from vigil.policy.table import PRIORITIES, ActionSpec, Table
from vigil.policy.vocabulary import ActionKind
from vigil.policy.words import due_words

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    supervisor_review: ActionSpec


DEFAULT = Settings(
    enabled=True,
    title="a partner agency's concern",
    supervisor_review=ActionSpec(ActionKind.SUPERVISOR_REVIEW.value, dt.timedelta(hours=24), "high"),
)


class PartnerConcernRule(Rule[Settings]):
    code = "R14"
    extension = True  # beyond POLICY.md: its table is optional, `policy show` lists it apart
    events = ("partner_concern",)
    creates = (ActionKind.SUPERVISOR_REVIEW.value,)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        kind = ActionKind.SUPERVISOR_REVIEW.value
        shipped = DEFAULT.supervisor_review
        settings = Settings(
            enabled=t.boolean("enabled", DEFAULT.enabled),
            title=t.string("title", DEFAULT.title),
            supervisor_review=ActionSpec(
                kind,
                dt.timedelta(hours=t.positive_number(f"{kind}_due_hours", shipped.due / dt.timedelta(hours=1))),
                t.choice(f"{kind}_priority", PRIORITIES, shipped.priority),
            ),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return (
            "a concern an IDVA raises with the police from their caseload (partner_concern):"
            f" {due_words(s.supervisor_review)} for the victim and the subject."
        )

    def on_partner_concern(self, e: PartnerConcern) -> None:
        s = self.settings
        if not s.enabled:
            return
        engine = self.engine
        pair = engine.pair(e.victim, e.subject)
        by = f" by {e.agency}" if e.agency else ""
        about = f"{engine.who(pair[0])} and {engine.who(pair[1])}" if pair[1] else engine.who(pair[0])
        engine.create(
            rule=self.code,
            spec=s.supervisor_review,
            pair=pair,
            at=e.at,
            reason=f"a concern raised{by} on {engine.when(e.at)} about {about}:"
            " a supervisor reviews the case and what is being done",
        )
