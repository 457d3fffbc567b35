"""What the engine gives back: plain data, with no reference back to the engine.

Actions (never deleted, only closed), risk changes, flags, and a chronology of what each
event did. A chronology entry keeps its facts (the event, the actions it created, short notes)
and builds its sentences only when they are read, from the `Words` of the world it was
worked out in, so that keeping a chronology costs a replay almost nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from vigil.policy.facts import Event

Pair = tuple[str, str | None]  # (victim, subject), each the canonical ref of its identity group

OPEN, DONE, DECLINED, CANCELLED = "open", "done", "declined", "cancelled"


@dataclass(slots=True)
class Action:
    """An action the policy created. Only its status, due time, priority, closing and
    escalations ever change; it is never removed."""

    id: str
    key: str  # stable across runs: rule, kind, pair, the event that created it
    kind: str
    rule: str
    victim: str
    subject: str | None
    created_at: dt.datetime
    due_at: dt.datetime
    priority: str
    reason: str
    trigger: str  # the id of the event that created it
    status: str = OPEN
    closed_at: dt.datetime | None = None
    closed_reason: str = ""
    rationale: str = ""
    escalations: tuple[tuple[dt.datetime, int], ...] = ()
    level: int = 1
    known: dt.datetime | None = None  # when the live system learnt of its trigger (`Event.recorded`)

    @property
    def pair(self) -> Pair:
        return (self.victim, self.subject)


@dataclass(frozen=True)
class RiskChange:
    at: dt.datetime
    victim: str
    subject: str | None
    level: str
    previous: str | None
    source: str
    drivers: tuple[str, ...]
    event_id: str


@dataclass(frozen=True)
class Flag:
    at: dt.datetime
    kind: str
    refs: tuple[str, ...]
    detail: str
    key: str
    event_id: str


# A chronology note: words, or an action created (with its due time and priority then).
Note = str | tuple[Action, dt.datetime, str]


class Words(Protocol):
    """What says an entry in words (`vigil.policy.words.Words`)."""

    def describe(self, e: Event) -> str: ...

    def describe_step(self, action: Action, at: dt.datetime, level: int) -> str: ...

    def describe_created(self, action: Action, due_at: dt.datetime, priority: str) -> str: ...


@dataclass(slots=True)
class ChronologyEntry:
    """What one event did (or one escalation step)."""

    at: dt.datetime
    type: str  # an event type, or "escalation"
    event_id: str
    index: int
    event: Event | None = None
    notes: list[Note] = field(default_factory=list)
    words: Words | None = field(default=None, repr=False)
    text: str = ""
    step: tuple[Action, int] | None = None

    @property
    def what(self) -> str:
        if self.words is not None and self.event is not None:
            return self.words.describe(self.event)
        if self.words is not None and self.step is not None:
            return self.words.describe_step(self.step[0], self.at, self.step[1])
        return self.text

    @property
    def outcomes(self) -> list[str]:
        words = self.words
        lines: list[str] = []
        for note in self.notes:
            if isinstance(note, str):
                lines.append(note)
            elif words is not None:
                lines.append(words.describe_created(*note))
        return lines


@dataclass
class Outcome:
    until: dt.datetime | None
    risk: list[RiskChange]
    flags: list[Flag]
    actions: list[Action]
    events: list[ChronologyEntry]  # what each event did, in the order applied
    levels: dict[Pair, str]
    words: Words | None = field(default=None, repr=False)

    @property
    def chronology(self) -> list[ChronologyEntry]:
        """Each event's entry and each escalation step, in time order (a step at the same
        moment as an event after it: it was recorded when the clock passed it)."""
        steps = [
            ChronologyEntry(at, "escalation", action.key, -1, words=self.words, step=(action, level))
            for action in self.actions
            for at, level in action.escalations
        ]
        steps.sort(key=lambda entry: entry.at)
        merged = [*self.events, *steps]
        merged.sort(key=lambda entry: (entry.at, entry.type == "escalation"))
        return merged
