"""Live equals replay: the two answers compared as multisets (ids and keys do not matter).

Actions by kind, victim, subject, created, due, priority, status, closed time and every
escalation step with its time; flags by time, kind and detail; risk changes by time, pair,
level, source and drivers; links as sets of refs. Times compared as instants."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any


def _t(value: str | None) -> str | None:
    return None if value is None else dt.datetime.fromisoformat(value).astimezone(dt.UTC).isoformat()


def action_row(a: dict[str, Any]) -> tuple[Any, ...]:
    steps = tuple((_t(s["at"]), s["level"]) for s in a["escalations"])
    return (
        a["kind"],
        a["victim"],
        a["subject"],
        _t(a["created_at"]),
        _t(a["due_at"]),
        a["priority"],
        a["status"],
        _t(a["closed_at"]),
        steps,
    )


def flag_row(f: dict[str, Any]) -> tuple[Any, ...]:
    return (_t(f["at"]), f["kind"], f["detail"])


def risk_row(r: dict[str, Any]) -> tuple[Any, ...]:
    return (_t(r["at"]), r["victim"], r["subject"], r["level"], r["source"], tuple(r["drivers"]))


def differences(live: dict[str, Any], replay: dict[str, Any]) -> dict[str, Any]:
    """What one answer has and the other lacks, per part; empty when they are equal."""
    found: dict[str, Any] = {}
    for part, row in (("actions", action_row), ("flags", flag_row), ("risk", risk_row)):
        a, b = Counter(map(row, live[part])), Counter(map(row, replay[part]))
        if a != b:
            found[part] = {"only live": sorted(map(str, (a - b).elements())), "only replay": sorted(map(str, (b - a).elements()))}
    links_live = {frozenset(link["refs"]) for link in live["links"]}
    links_replay = {frozenset(link["refs"]) for link in replay["links"]}
    if links_live != links_replay:
        found["links"] = {
            "only live": sorted(map(sorted, links_live - links_replay)),
            "only replay": sorted(map(sorted, links_replay - links_live)),
        }
    return found
