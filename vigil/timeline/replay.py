"""Replay a timeline through the policy engine and write the answer FORMAT.md specifies.

`replay_file(path)` is what `vigil replay FILE --json` prints. The live system calls
`evaluate_document(document, groups=..., until=...)` with the same document shape built from
the database, so both answer from one engine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from vigil.policy.config import Policy, load_policy
from vigil.policy.engine import Action, Outcome, evaluate
from vigil.policy.facts import World
from vigil.timeline.linking import Link, counterparts, link_people
from vigil.timeline.reader import Timeline, TimelineError, parse_datetime, parse_timeline, read_timeline

__all__ = ["Replay", "TimelineError", "answer", "evaluate_document", "replay", "replay_file", "run_replay"]


@dataclass(frozen=True)
class Replay:
    timeline: Timeline
    links: list[Link]
    outcome: Outcome
    until: dt.datetime
    policy: Policy


def run_replay(
    timeline: Timeline,
    *,
    until: dt.datetime | None = None,
    policy: Policy | None = None,
    groups: Sequence[Iterable[str]] | None = None,
) -> Replay:
    """Link the people (unless `groups` is given), then run the engine to `until` (default
    the timeline's `replay_until`); events after `until` are left out."""
    chosen = policy or load_policy()
    stop = until or timeline.replay_until
    world = timeline.world
    if groups is None:
        links = link_people(world.people, world.places, counterparts(world.relationships, timeline.events))
    else:
        order = {ref: i for i, ref in enumerate(world.people)}
        links = [
            Link(tuple(sorted(set(g), key=lambda r: order.get(r, len(order)))), "identity link recorded in Vigil")
            for g in groups
            if len(set(g)) > 1
        ]
    world = dataclasses.replace(
        world,
        groups=tuple(frozenset(link.refs) for link in links),
        group_reasons={frozenset(link.refs): link.reason for link in links},
    )
    outcome = evaluate(chosen, world, [e for e in timeline.events if e.at <= stop], stop)
    return Replay(timeline, links, outcome, stop, chosen)


def replay(path: str | os.PathLike[str], *, until: dt.datetime | None = None, policy: Policy | None = None) -> Replay:
    return run_replay(read_timeline(path), until=until, policy=policy)


def replay_file(
    path: str | os.PathLike[str],
    *,
    until: dt.datetime | str | None = None,
    policy: Policy | None = None,
    extensions: bool = False,
) -> dict[str, Any]:
    """The JSON answer for a timeline file. Raises `TimelineError` for bad input.
    `extensions` admits the live system's own event types (reader.EXTENSION_TYPES)."""
    timeline = read_timeline(path, extensions=extensions)
    stop = _until(timeline, until)
    return answer(run_replay(timeline, until=stop, policy=policy))


def _until(timeline: Timeline, until: dt.datetime | str | None) -> dt.datetime | None:
    if until is None or isinstance(until, dt.datetime):
        if isinstance(until, dt.datetime) and until.tzinfo is None:
            return until.replace(tzinfo=ZoneInfo(timeline.timezone))
        return until
    try:
        return parse_datetime(until, ZoneInfo(timeline.timezone))
    except ValueError as exc:
        raise TimelineError(timeline.file, "--until", str(exc)) from None


def evaluate_document(
    document: Mapping[str, Any],
    *,
    groups: Sequence[Iterable[str]] | None = None,
    until: dt.datetime | None = None,
    policy: Policy | None = None,
    name: str = "<live>",
) -> dict[str, Any]:
    """The answer for a timeline document already in memory (the live system's bridge).

    `groups` are the identity links as stored (lists of person refs); without them the
    linkage model decides. Admits the live system's extra event types (`warrant_withdrawn`)
    and leaves out events after `until`."""
    timeline = parse_timeline(dict(document), name, extensions=True, check_until=until is None)
    return answer(run_replay(timeline, until=until, policy=policy, groups=groups))


# --- the answer ----------------------------------------------------------------------


def _iso(moment: dt.datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(zone).isoformat()


def action_dict(action: Action, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": action.id,
        "key": action.key,
        "rule": action.rule,
        "kind": action.kind,
        "victim": action.victim,
        "subject": action.subject,
        "created_at": _iso(action.created_at, zone),
        "due_at": _iso(action.due_at, zone),
        "priority": action.priority,
        "status": action.status,
        "closed_at": _iso(action.closed_at, zone),
        "closed_reason": action.closed_reason or None,
        "reason": action.reason,
        "rationale": action.rationale or None,
        "level": action.level,
        "escalations": [{"at": _iso(at, zone), "level": level} for at, level in action.escalations],
    }


def answer(result: Replay) -> dict[str, Any]:
    """The answer object of FORMAT.md ('The answer'), every datetime in the file's zone."""
    zone = ZoneInfo(result.timeline.timezone)
    outcome = result.outcome
    return {
        "scenario": result.timeline.id,
        "replayed_until": _iso(result.until, zone),
        "policy_version": result.policy.version,
        "links": [{"refs": list(link.refs), "reason": link.reason} for link in result.links],
        "risk": [
            {
                "at": _iso(change.at, zone),
                "victim": change.victim,
                "subject": change.subject,
                "level": change.level,
                "source": change.source,
                "drivers": list(change.drivers),
            }
            for change in outcome.risk
        ],
        "flags": [
            {"at": _iso(flag.at, zone), "kind": flag.kind, "refs": list(flag.refs), "detail": flag.detail}
            for flag in outcome.flags
        ],
        "actions": [action_dict(action, zone) for action in outcome.actions],
    }


def world_of(timeline: Timeline) -> World:
    return timeline.world
