"""Reading one table of a policy file, naming the file, the key and the problem of anything
wrong (`policies/x.toml: rules.R5.arrest_due_hours: must be a positive number, got -1`), and
the small types every part of the policy is made of. Unknown keys are errors too, so a
misspelt setting cannot be silently ignored. The rule modules parse their own tables with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from vigil.policy.vocabulary import Priority, codes

PRIORITIES = codes(Priority)


class PolicyError(ValueError):
    """A policy file that cannot be used, naming the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass(frozen=True)
class ActionSpec:
    """An action a rule creates: its kind, how long after the event it is due, its priority."""

    kind: str
    due: dt.timedelta
    priority: str


class Table:
    """One TOML table being read: every key taken is remembered so that the keys left
    over can be reported as unknown."""

    def __init__(self, file: str, path: str, data: Any) -> None:
        self.file = file
        self.path = path
        if not isinstance(data, dict):
            raise PolicyError(file, path, f"must be a table, got {show(data)}")
        self.data: dict[str, Any] = data
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> PolicyError:
        return PolicyError(self.file, self.key(name), problem)

    def raw(self, name: str, default: Any = ...) -> Any:
        self.seen.add(name)
        if name not in self.data:
            if default is ...:
                raise self.error(name, "missing required key")
            return default
        return self.data[name]

    def table(self, name: str) -> Table:
        return Table(self.file, self.key(name), self.raw(name))

    def optional_table(self, name: str) -> Table:
        return Table(self.file, self.key(name), self.raw(name, {}))

    def string(self, name: str, default: Any = ...) -> str:
        value = self.raw(name, default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, got {show(value)}")
        return value

    def boolean(self, name: str, default: Any = ...) -> bool:
        value = self.raw(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {show(value)}")
        return value

    def positive_number(self, name: str, default: Any = ...) -> float:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise self.error(name, f"must be a positive number, got {show(value)}")
        return float(value)

    def count(self, name: str, default: Any = ..., minimum: int = 1) -> int:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            word = "a positive whole number" if minimum == 1 else f"a whole number of at least {minimum}"
            raise self.error(name, f"must be {word}, got {show(value)}")
        return value

    def choice(self, name: str, options: tuple[str, ...], default: Any = ...) -> str:
        value = self.raw(name, default)
        if value not in options:
            raise self.error(name, f"must be one of {', '.join(options)}, got {show(value)}")
        return str(value)

    def choices(self, name: str, options: tuple[str, ...], default: Any = ...) -> tuple[str, ...]:
        value = self.raw(name, default)
        if not isinstance(value, list) or not value:
            raise self.error(name, f"must be a non-empty list, got {show(value)}")
        for item in value:
            if item not in options:
                raise self.error(name, f"must list only {', '.join(options)}, got {show(item)}")
        return tuple(value)

    def questions(self, name: str, highest: int, default: Any = ...) -> tuple[int, ...]:
        value = self.raw(name, default)
        if not isinstance(value, list):
            raise self.error(name, f"must be a list of question numbers, got {show(value)}")
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= highest:
                raise self.error(name, f"must list question numbers from 1 to {highest}, got {show(item)}")
        return tuple(value)

    def hours(self, name: str) -> dt.timedelta:
        return dt.timedelta(hours=self.positive_number(name))

    def action(self, kind: str, prefix: str | None = None, *, due_suffix: str = "due_hours") -> ActionSpec:
        stem = prefix or kind
        if due_suffix == "due_minutes":
            due = dt.timedelta(minutes=self.positive_number(f"{stem}_due_minutes"))
        else:
            due = dt.timedelta(hours=self.positive_number(f"{stem}_{due_suffix}"))
        return ActionSpec(kind, due, self.choice(f"{stem}_priority", PRIORITIES))

    def done(self) -> None:
        extra = sorted(set(self.data) - self.seen)
        if extra:
            raise self.error(extra[0], "unknown key")


def show(value: Any) -> str:
    """A value of a policy file as the message about it quotes it."""
    if value is ...:
        return "nothing"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def rule_header(t: Table) -> tuple[bool, str]:
    """Every rule table's `enabled` (default true) and `title` (default its code)."""
    return t.boolean("enabled", True), t.string("title", t.path.rsplit(".", 1)[-1])
