"""R12 a victim's report: a sighting of the subject, or a contact attempt by him, reported by
someone other than him, gets the victim it concerns called back: within the hour for a high
pair, else within 4 hours. One open call back covers it: it is not doubled, but made due at
the earlier time and the higher priority."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import ContactAttempt, Sighting
from vigil.policy.rules.base import Rule
from vigil.policy.table import PRIORITIES, ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind
from vigil.policy.words import duration, kind_words

if TYPE_CHECKING:
    from vigil.policy.config import Policy

_urgency = PRIORITIES.index  # most urgent first


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    victim_contact: ActionSpec
    victim_contact_high: ActionSpec  # when the pair is high after the event's other rules


class VictimsReport(Rule[Settings]):
    code = "R12"
    events = ("sighting", "contact_attempt")
    creates = (ActionKind.VICTIM_CONTACT.value,)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        kind = ActionKind.VICTIM_CONTACT.value
        settings = Settings(
            *rule_header(t),
            victim_contact=ActionSpec(kind, t.hours(f"{kind}_due_hours"), t.choice(f"{kind}_priority", PRIORITIES)),
            victim_contact_high=ActionSpec(
                kind, t.hours(f"{kind}_due_hours_high"), t.choice(f"{kind}_priority_high", PRIORITIES)
            ),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        high, other = s.victim_contact_high, s.victim_contact
        return (
            "a sighting of the subject, or a contact attempt by the subject, reported by someone other than the subject,"
            " where the person seen near or contacted (else the person reporting) is one of the subject's victims:"
            f" victim_contact due {duration(high.due)} ({high.priority}) when the pair is {policy.risk.high} after the"
            f" event's other rules, else due {duration(other.due)} ({other.priority}). If a victim_contact is already"
            " open for the pair, none is added: the open one becomes due at the earlier of the two times and takes the"
            " higher priority."
        )

    def on_sighting(self, e: Sighting) -> None:
        engine = self.engine
        near = engine.world.canonical(e.near) if e.near else None
        reporter = engine.world.canonical(e.reported_by) if e.reported_by else None
        where = f" at {engine.place_words(e.place)}" if e.place else ""
        self._call_back(e, (near, reporter), f"seen{where}" + (f" near {engine.who(near)}" if near else ""))

    def on_contact_attempt(self, e: ContactAttempt) -> None:
        engine = self.engine
        victim = engine.event_pair[0]
        self._call_back(e, (victim,), f"trying to contact {engine.who(victim)} by {e.channel.replace('_', ' ')}")

    def _call_back(self, e: Sighting | ContactAttempt, candidates: tuple[str | None, ...], how: str) -> None:
        """After the event's other rules: the first of `candidates` who is one of the
        subject's victims is called back, if someone other than the subject reported it."""
        s = self.settings
        if not s.enabled or e.reported_by is None:
            return
        engine = self.engine
        subject = engine.world.canonical(e.subject)
        reporter = engine.world.canonical(e.reported_by)
        if reporter == subject:
            return
        victim = next((c for c in candidates if c is not None and engine.is_victim_of(c, subject)), None)
        if victim is None:
            engine.note(f"R12: nobody this report names is known as a victim of {engine.who(subject)}; no call back")
            return
        pair = (victim, subject)
        high = engine.is_high(pair)
        spec = s.victim_contact_high if high else s.victim_contact
        due = e.at + spec.due
        by = "the victim" if reporter == victim else engine.who(e.reported_by)
        reason = f"{by} reported {engine.who(subject)} {how} on {engine.when(e.at)}: call {engine.who(victim)} back" + (
            " (the risk is high)" if high else ""
        )
        opened = engine.open_of(pair, spec.kind)
        if not opened:
            engine.create(rule=self.code, spec=spec, pair=pair, at=e.at, reason=reason)
            return
        # One call back covers it: every open one is due by the earlier time, at the higher priority.
        for action in opened:
            due_at = min(action.due_at, due)
            priority = min(action.priority, spec.priority, key=_urgency)
            if due_at == action.due_at and priority == action.priority:
                engine.note(
                    f"R12: {action.id} {kind_words(action.kind)} is already open ({action.priority}, due"
                    f" {engine.when(action.due_at)}) and covers this report"
                )
                continue
            engine.retime(action, e.at, due_at, priority)
            engine.note(
                f"R12: {action.id} {kind_words(action.kind)} was already open: now {priority}, due"
                f" {engine.when(due_at)}: {reason}"
            )
