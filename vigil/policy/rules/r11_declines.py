"""R11 declines: a decline needs a rationale, and declining any action of a high pair raises it
to the supervisor at once for sign-off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import ActionDeclined
from vigil.policy.outcome import DECLINED
from vigil.policy.rules.base import Rule
from vigil.policy.table import Table, rule_header

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    rationale_required: bool
    high_pair_escalation_level: int


class Declines(Rule[Settings]):
    code = "R11"
    events = ("action_declined",)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(
            *rule_header(t),
            rationale_required=t.boolean("rationale_required", True),
            high_pair_escalation_level=t.count("high_pair_escalation_level", minimum=2),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        level = s.high_pair_escalation_level
        return (
            (" a decline needs a rationale;" if s.rationale_required else "")
            + f" declining any action of a {policy.risk.high} pair raises it to level {level}"
            f" ({policy.ladder.level_name(level)}) at once for sign-off."
        ).lstrip()

    def on_action_declined(self, e: ActionDeclined) -> None:
        # An officer's decline closes every open action of that kind for the pair, whether or
        # not this rule is on; only the raise for sign-off is the rule's.
        s = self.settings
        engine = self.engine
        pair = engine.pair(e.victim, e.subject)
        if s.rationale_required and not e.rationale.strip():
            engine.note("a decline without a rationale is not accepted: the action stays open")
            return
        closed = engine.close_kind(
            pair,
            e.action,
            DECLINED,
            e.at,
            f"declined on {engine.when(e.at)}",
            rationale=e.rationale,
            known_by=e.recorded or e.at,  # a decision settles only the work known when it was recorded
        )
        if not closed:
            engine.note("recorded decision: no open action of that kind for this pair")
            return
        if not s.enabled or not engine.is_high(pair):
            return
        level = s.high_pair_escalation_level
        for action in closed:
            if engine.raise_to(action, e.at, level):
                engine.note(
                    f"R11: {action.id} declined for a high-risk pair: raised to level {level},"
                    f" {engine.policy.ladder.level_name(level)}, for sign-off"
                )
