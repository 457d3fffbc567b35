"""The action ledger: every action the policy creates, which are open, how they close, and
their ladder steps, each worked out once.

An action is never removed. Its ladder steps are recorded lazily: the steps that fall due
before a moment are written down when something touches the action at that moment (a close,
a new due time), or when the outcome is read (`settle`). The step arithmetic is
`vigil.policy.ladder`, the one ladder computation, which the live escalation job uses too.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from vigil.policy import ladder
from vigil.policy.outcome import OPEN, Action, ChronologyEntry, Pair
from vigil.policy.table import ActionSpec
from vigil.policy.vocabulary import ActionKind
from vigil.policy.words import kind_words

if TYPE_CHECKING:
    from vigil.policy.config import Policy

# The kinds an arrest (or an executed warrant) closes, for the subject, in this order.
ARREST_CLOSES = (ActionKind.ARREST_SUSPECT.value, ActionKind.EXECUTE_WARRANT.value)


class _Ladders(dict[str, tuple[ladder.Steps, int]]):
    """Each priority's ladder as (after, level) pairs and its top level, compiled on first
    use (a subscript, not a call: `materialize` reads it for every open action)."""

    def __init__(self, policy: Policy) -> None:
        super().__init__()
        self.policy = policy

    def __missing__(self, priority: str) -> tuple[ladder.Steps, int]:
        steps = ladder.compile_steps(self.policy, priority)
        found = self[priority] = (steps, steps[-1][1])
        return found


class Ledger:
    """The actions of one run of the engine, and the chronology entry being written."""

    policy: Policy

    def init_ledger(self) -> None:
        self.actions: list[Action] = []
        self.by_key: dict[str, Action] = {}
        # Open actions by (pair, kind), and by (subject, kind) for the kinds an arrest closes,
        # keyed by id in creation order.
        self._open: dict[tuple[Pair, str], dict[str, Action]] = {}
        self._open_by_subject: dict[tuple[str | None, str], dict[str, Action]] = {}
        # Each priority's ladder as (after, level) pairs, and its top level.
        self._ladders = _Ladders(self.policy)
        # Steps are recorded lazily, up to `horizon` (inclusive only after `advance`).
        self.horizon: dt.datetime | None = None
        self.inclusive = False
        self.event_id = ""
        self.known: dt.datetime | None = None  # when the live system learnt of the event being applied
        self.current = ChronologyEntry(dt.datetime.min.replace(tzinfo=dt.UTC), "start", "", -1)

    def note(self, text: str) -> None:
        """A line in the chronology of the event being applied."""
        self.current.notes.append(text)

    # --- creating -------------------------------------------------------------------------

    def create(
        self,
        *,
        rule: str,
        spec: ActionSpec | None = None,
        kind: str | None = None,
        pair: Pair,
        at: dt.datetime,
        due_at: dt.datetime | None = None,
        priority: str | None = None,
        reason: str,
        child: str = "",
    ) -> Action:
        """A new open action. Its key is stable across runs: rule, kind, pair, the event that
        created it and `child` (a child, a warrant, a request), numbered when repeated."""
        kind = kind or (spec.kind if spec else "")
        if due_at is None:
            if spec is None:
                raise ValueError("an action needs a due time")
            due_at = at + spec.due
        priority = priority or (spec.priority if spec else "high")
        victim, subject = pair
        key = f"{rule}:{kind}:{victim}:{subject or '-'}:{self.event_id}:{child}"
        n = 2
        base = key
        while key in self.by_key:
            key = f"{base}#{n}"
            n += 1
        ident = f"a-{len(self.actions) + 1}"
        # id, key, kind, rule, victim, subject, created_at, due_at, priority, reason, trigger
        action = Action(ident, key, kind, rule, victim, subject, at, due_at, priority, reason, self.event_id)
        action.known = self.known
        self.actions.append(action)
        self.by_key[key] = action
        opened = self._open.get((pair, kind))
        if opened is None:
            opened = self._open[(pair, kind)] = {}
        opened[ident] = action
        if kind in ARREST_CLOSES:
            opened = self._open_by_subject.get((subject, kind))
            if opened is None:
                opened = self._open_by_subject[(subject, kind)] = {}
            opened[ident] = action
        self.current.notes.append((action, due_at, priority))
        return action

    # --- open actions ---------------------------------------------------------------------

    def has_open(self, pair: Pair, kind: str) -> bool:
        return bool(self._open.get((pair, kind)))

    def open_of(self, pair: Pair, kind: str) -> list[Action]:
        """The pair's open actions of `kind`, oldest first."""
        opened = self._open.get((pair, kind))
        return list(opened.values()) if opened else []

    def open_of_subject(self, subject: str | None, kind: str) -> list[Action]:
        """The subject's open actions of `kind` (one an arrest closes), oldest first."""
        opened = self._open_by_subject.get((subject, kind))
        return list(opened.values()) if opened else []

    # --- the ladder -------------------------------------------------------------------------

    def materialize(self, action: Action, bound: dt.datetime, inclusive: bool = False) -> None:
        """Record the action's ladder steps that fall due before `bound` (or at it)."""
        steps, top = self._ladders[action.priority]
        if action.level >= top:
            return
        last = action.escalations[-1][0] if action.escalations else None
        found = ladder.reached(steps, action.due_at, level=action.level, last_at=last, until=bound, inclusive=inclusive)
        if found:
            action.level = found[-1][1]
            action.escalations = (*action.escalations, *found)

    def settle(self) -> None:
        """Record every open action's steps due by the horizon (see `Engine.outcome`)."""
        if self.horizon is not None:
            for action in self.actions:
                if action.status == OPEN:
                    self.materialize(action, self.horizon, self.inclusive)

    def retime(self, action: Action, at: dt.datetime, due_at: dt.datetime, priority: str) -> None:
        """Give an open action a new due time and priority at `at`. The steps its old terms
        reached before `at` stay as they were recorded; the steps its new terms put before
        `at` are recorded at `at` itself (it climbs at once to where the new terms put it, and
        no step is dated before the event that changed it); later steps follow the new terms,
        each after the last one recorded."""
        self.materialize(action, at)
        action.due_at = due_at
        action.priority = priority
        steps, top = self._ladders[priority]
        if action.level >= top:
            return
        last = action.escalations[-1][0] if action.escalations else None
        found = ladder.caught_up(steps, due_at, level=action.level, last_at=last, at=at)
        if found:
            action.level = found[-1][1]
            action.escalations = (*action.escalations, *found)

    def raise_to(self, action: Action, at: dt.datetime, level: int) -> bool:
        """Raise an action to `level` at `at` at once (a decline for sign-off), if below it."""
        if action.level >= level:
            return False
        action.level = level
        action.escalations = (*action.escalations, (at, level))
        return True

    # --- closing ------------------------------------------------------------------------

    def close(self, action: Action, status: str, at: dt.datetime, why: str, rationale: str = "") -> None:
        """Close an open action (done, declined, cancelled) at `at`, its steps recorded first."""
        self.materialize(action, at)
        action.status = status
        action.closed_at = at
        action.closed_reason = why
        action.rationale = rationale
        opened = self._open.get(((action.victim, action.subject), action.kind))
        if opened is not None:
            opened.pop(action.id, None)
        if action.kind in ARREST_CLOSES:
            opened = self._open_by_subject.get((action.subject, action.kind))
            if opened is not None:
                opened.pop(action.id, None)
        self.note(f"{action.id} {kind_words(action.kind)} closed {status}: {why}")

    def close_kind(
        self,
        pair: Pair,
        kind: str,
        status: str,
        at: dt.datetime,
        why: str,
        rationale: str = "",
        *,
        known_by: dt.datetime | None = None,
    ) -> list[Action]:
        """Close every open action of `kind` for the pair; the ones closed. With `known_by`
        (a decision's recorded moment), only those whose trigger the live system knew of by then."""
        opened = self._open.get((pair, kind))
        if not opened:
            return []
        closing = list(opened.values())
        if known_by is not None:
            closing = [a for a in closing if a.known is None or a.known <= known_by]
        for action in closing:
            self.close(action, status, at, why, rationale)
        return closing
