"""R7 alarm: a police alarm pressed gets a priority response within 15 minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import AlarmActivated
from vigil.policy.rules.base import Rule
from vigil.policy.table import PRIORITIES, ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind
from vigil.policy.words import due_words

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    priority_response: ActionSpec


class Alarm(Rule[Settings]):
    code = "R7"
    events = ("alarm_activated",)
    creates = (ActionKind.PRIORITY_RESPONSE.value,)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        kind = ActionKind.PRIORITY_RESPONSE.value
        due = dt.timedelta(minutes=t.positive_number(f"{kind}_due_minutes"))
        settings = Settings(*rule_header(t), priority_response=ActionSpec(kind, due, t.choice(f"{kind}_priority", PRIORITIES)))
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return f"an alarm pressed: {due_words(s.priority_response)}."

    def on_alarm_activated(self, e: AlarmActivated) -> None:
        s = self.settings
        if not s.enabled:
            return
        engine = self.engine
        victim = engine.world.canonical(e.person)
        # The subject of the person's most recent pair that names one (none when there is none).
        pair = engine.last_pair_of_victim.get(victim, (victim, None))
        where = f" at {engine.place_words(e.place)}" if e.place else ""
        engine.create(
            rule=self.code,
            spec=s.priority_response,
            pair=pair,
            at=e.at,
            reason=f"{engine.who(victim)} pressed the police alarm{where} on {engine.when(e.at)}: respond at once",
        )
