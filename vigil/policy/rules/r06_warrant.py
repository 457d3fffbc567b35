"""R6 warrant: a warrant for a subject linked to any victim is to be executed by a time set by
the highest level over his victims, and each victim is contacted; while it is outstanding, a
sighting of him makes it immediate. A withdrawn warrant's action is cancelled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import Sighting, WarrantIssued, WarrantWithdrawn
from vigil.policy.outcome import CANCELLED, OPEN, Action
from vigil.policy.rules.base import Rule
from vigil.policy.table import PRIORITIES, ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind, RiskLevel, codes
from vigil.policy.words import due_words, duration

if TYPE_CHECKING:
    from vigil.policy.config import Policy
    from vigil.policy.loop import Engine


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    execute_warrant: Mapping[str, ActionSpec]  # by the highest level over the subject's victims
    victim_contact: ActionSpec
    sighting_due: dt.timedelta
    sighting_priority: str


class Warrant(Rule[Settings]):
    code = "R6"
    events = ("warrant_issued", "warrant_withdrawn", "sighting")
    creates = (ActionKind.EXECUTE_WARRANT.value, ActionKind.VICTIM_CONTACT.value)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        kind = ActionKind.EXECUTE_WARRANT.value
        dues = t.table(f"{kind}_due_hours")
        priorities = t.table(f"{kind}_priority")
        by_level = {
            level: ActionSpec(kind, dues.hours(level), priorities.choice(level, PRIORITIES)) for level in codes(RiskLevel)
        }
        dues.done()
        priorities.done()
        settings = Settings(
            *rule_header(t),
            execute_warrant=by_level,
            victim_contact=t.action(ActionKind.VICTIM_CONTACT.value),
            sighting_due=t.hours("sighting_due_hours"),
            sighting_priority=t.choice("sighting_priority", PRIORITIES),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        by_level = ", ".join(
            f"{level} {duration(spec.due)} ({spec.priority})" for level, spec in reversed(list(s.execute_warrant.items()))
        )
        return (
            "a warrant issued for a subject linked to any victim: execute_warrant due by the highest level over the"
            f" subject's victims ({by_level}); {due_words(s.victim_contact)} for each victim. While the warrant is"
            f" outstanding, any sighting of the subject makes it {s.sighting_priority} and due within"
            f" {duration(s.sighting_due)} of the sighting."
        )

    def __init__(self, engine: Engine, settings: Settings) -> None:
        super().__init__(engine, settings)
        self._execute: dict[int, Action] = {}  # each warrant's execute_warrant (by the warrant's identity)

    def on_warrant_issued(self, e: WarrantIssued) -> None:
        s = self.settings
        engine = self.engine
        subject = engine.world.canonical(e.subject)
        warrant = engine.warrants[e.warrant]
        victims = engine.victims_of(subject)
        if not victims:
            engine.note("R6: the subject is not linked to any victim; no warrant actions")
            return
        if not s.enabled:
            return
        ranked = max(victims, key=lambda v: engine.rank(engine.level_of((v, subject))))
        level = engine.level_of((ranked, subject)) or engine.policy.risk.levels[0]
        because = f" ({e.reason})" if e.reason else ""
        self._execute[id(warrant)] = engine.create(
            rule=self.code,
            spec=s.execute_warrant[level],
            pair=(ranked, subject),
            at=e.at,
            # The victim is not named: the warrant is the subject's, seen by readers of any of
            # the subject's cases, and the victim at the highest risk may be on one they may not see.
            reason=f"warrant {engine.named(e.warrant)} outstanding for {engine.who(subject)}, whose victim"
            f" at the highest risk is at {level} risk{because}: execute the warrant",
            child=e.warrant,
        )
        for victim in victims:
            engine.create(
                rule=self.code,
                spec=s.victim_contact,
                pair=(victim, subject),
                at=e.at,
                reason=f"warrant {engine.named(e.warrant)} issued for {engine.who(subject)}: contact {engine.who(victim)},"
                " tell them and check their safety",
                child=e.warrant,
            )

    def on_sighting(self, e: Sighting) -> None:
        """A sighting while the warrant is outstanding makes it immediate."""
        s = self.settings
        if not s.enabled:
            return
        engine = self.engine
        subject = engine.event_subject
        for warrant in engine.warrants_of(subject):
            action = self._execute.get(id(warrant))
            if not warrant.outstanding or action is None or action.status != OPEN:
                continue
            target = e.at + s.sighting_due
            if e.at <= action.due_at <= target:
                # Already due within the 4 hours: it stays due then, and becomes immediate.
                if action.priority == s.sighting_priority:
                    continue
                target = action.due_at
            engine.retime(action, e.at, target, s.sighting_priority)
            engine.note(
                f"{action.id} execute the warrant {engine.named(warrant.ref)}: now {action.priority}, due"
                f" {engine.when(target)}: {engine.who(subject)} was seen while the warrant is outstanding"
            )

    def on_warrant_withdrawn(self, e: WarrantWithdrawn) -> None:
        """POLICY.md, closing: cancelled when what it was for has gone."""
        engine = self.engine
        warrant = engine.warrants.get(e.warrant)
        action = self._execute.get(id(warrant)) if warrant is not None else None
        if action is not None and action.status == OPEN:
            why = f"warrant {engine.named(e.warrant)} withdrawn on {engine.when(e.at)}" + (f": {e.reason}" if e.reason else "")
            engine.close(action, CANCELLED, e.at, why)
