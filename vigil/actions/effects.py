"""What the policy did while a fact was recorded, for the page to say in words.

    from vigil.actions.effects import policy_effects

    with policy_effects() as effects:
        order_grant(actor=request.user, ...)
    for line in effects.words():
        messages.info(request, line)

After the block, `effects.created`, `effects.closed` and `effects.changed` list the stored
`Action` rows the policy created, closed or changed (a new due time or priority, a level
raised) inside it; `effects.flags` the flags it raised; `effects.risk` the risk changes it
stored. `effects.words()` says them as an officer reads them: "This created: Arrest the
suspect, immediate, due 23:10 today (R5: order ORD-00142 broken …)".

The store path (`vigil.actions.bulk.BatchWrites.flush`) reports every write it makes to the
collectors open at that moment, so what is listed is exactly what was written. Collectors
nest: an outer block sees what an inner one saw.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vigil.core import times

if TYPE_CHECKING:
    from vigil.actions.models import Action
    from vigil.cases.models import Flag, RiskChange

_open: contextvars.ContextVar[tuple[PolicyEffects, ...]] = contextvars.ContextVar("vigil_policy_effects", default=())


@dataclass
class PolicyEffects:
    created: list[Action] = field(default_factory=list)
    closed: list[Action] = field(default_factory=list)
    changed: list[Action] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    risk: list[RiskChange] = field(default_factory=list)
    # Per changed action, what changed, e.g. {"due_at", "priority"} or {"level"}.
    what_changed: dict[int, set[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.created or self.closed or self.changed or self.flags or self.risk)

    def words(self, *, now: dt.datetime | None = None) -> list[str]:
        """Each effect as a sentence, created first, then closed, changed, flags, risk."""
        return effects_in_words(self, now=now)

    # --- filled by the store path ---------------------------------------------------------

    def _created(self, action: Action) -> None:
        self.created.append(action)

    def _updated(self, action: Action, old: dict[str, Any], new: dict[str, Any]) -> None:
        if action in self.created:
            return  # created and settled in the same block: say it was created, as it stands
        closing = new.get("status") not in (None, "open") and old.get("status") == "open"
        target = self.closed if closing else self.changed
        if action not in target:
            target.append(action)
        if not closing and action.pk is not None:
            self.what_changed.setdefault(action.pk, set()).update(k for k in new if k in ("due_at", "priority", "level"))

    def _escalated(self, action: Action) -> None:
        if action in self.created or action in self.closed:
            return
        if action not in self.changed:
            self.changed.append(action)
        if action.pk is not None:
            self.what_changed.setdefault(action.pk, set()).add("level")


@contextlib.contextmanager
def policy_effects() -> Iterator[PolicyEffects]:
    """Collect what the policy stores inside the block (see the module's docstring)."""
    effects = PolicyEffects()
    token = _open.set((*_open.get(), effects))
    try:
        yield effects
    finally:
        _open.reset(token)


def collectors() -> tuple[PolicyEffects, ...]:
    return _open.get()


def note_writes(audit: list[Any]) -> None:
    """Report a batch's writes (its audit entries, in order) to the open collectors."""
    open_now = _open.get()
    if not open_now:
        return
    for entry in audit:
        for effects in open_now:
            if entry.action == "action.create":
                effects._created(entry.obj)
            elif entry.action == "action.update":
                effects._updated(entry.obj, entry.old or {}, entry.new or {})
            elif entry.action == "action.escalate":
                effects._escalated(entry.obj.action)
            elif entry.action == "flag.raise":
                effects.flags.append(entry.obj)
            elif entry.action == "risk.change":
                effects.risk.append(entry.obj)


# --- in words ---------------------------------------------------------------------------------


def when_words(moment: dt.datetime, *, now: dt.datetime) -> str:
    """'23:10 today', '09:00 tomorrow', '14:00 yesterday', '09:00 on 3 March 2025' (local)."""
    zone = times.local_zone()
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    named = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days)
    return f"{local:%H:%M} {named}" if named else f"{local:%H:%M} on {local.day} {local:%B %Y}"


def _kind(action: Action) -> str:
    from vigil.policy.engine import kind_words

    words = kind_words(action.kind)
    return words[:1].upper() + words[1:]


def _why(action: Action) -> str:
    return f"{action.rule}: {action.reason}" if action.reason else action.rule


def action_words(action: Action, *, now: dt.datetime) -> str:
    """'Arrest the suspect, immediate, due 23:10 today (R5: …)'."""
    return f"{_kind(action)}, {action.priority}, due {when_words(action.due_at, now=now)} ({_why(action)})"


def effects_in_words(effects: PolicyEffects, *, now: dt.datetime | None = None) -> list[str]:
    moment = now or times.now()
    lines = [f"This created: {action_words(a, now=moment)}" for a in effects.created]
    for action in effects.closed:
        how = {"done": "done", "declined": "declined", "cancelled": "cancelled"}.get(action.status, action.status)
        because = f": {action.closing_reason}" if action.closing_reason else ""
        lines.append(f"This closed: {_kind(action)} ({how}{because})")
    for action in effects.changed:
        what = effects.what_changed.get(action.pk or 0, set())
        parts = []
        if "priority" in what or "due_at" in what:
            parts.append(f"now {action.priority}, due {when_words(action.due_at, now=moment)}")
        if "level" in what:
            from vigil.actions.engine_adapter import policy

            parts.append(f"raised to level {action.level}, {policy().ladder.level_name(action.level)}")
        lines.append(f"This changed: {_kind(action)}, {'; '.join(parts) or 'updated'} ({_why(action)})")
    for flag in effects.flags:
        lines.append(f"Flag raised: {flag.get_kind_display()}: {flag.detail}")
    for change in effects.risk:
        lines.append(f"Risk level now {change.get_level_display().lower()} (set by {change.get_source_display().lower()})")
    return lines
