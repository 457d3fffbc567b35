"""Runs the engine on the live system's timeline document (read by `vigil.timeline.reader`,
the one parser of the format) and hands back plain dicts for `reconcile`; holds the live
policy (`policy`, its system check and its cache). The engine itself is `vigil.policy`
(pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import lru_cache
from typing import Any

from vigil.policy import facts as F
from vigil.policy.config import Policy, load_policy
from vigil.policy.engine import evaluate
from vigil.policy.ladder import ladder_steps as _ladder_steps
from vigil.timeline.reader import read_live_document


@lru_cache(maxsize=1)
def policy() -> Policy:
    """The live policy: settings.VIGIL_POLICY (the environment variable, read once by the
    settings), else the shipped default. Kept for the life of the process."""
    from django.conf import settings

    return load_policy(getattr(settings, "VIGIL_POLICY", "") or None)


def check_policy(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """System check: the policy file in use must load and validate, so a bad file stops the
    server and the worker at start-up instead of failing the first fact recorded. It reads
    the file as it is now and leaves the policy this process already holds alone."""
    from django.conf import settings
    from django.core.checks import Error

    from vigil.policy.config import PolicyError

    path = getattr(settings, "VIGIL_POLICY", "") or None
    try:
        load_policy(path)
    except (PolicyError, OSError, UnicodeDecodeError) as error:
        return [
            Error(
                f"The safeguarding policy file cannot be used: {error}",
                hint="Fix the file (run `vigil policy check FILE`) or point VIGIL_POLICY at a valid one.",
                id="vigil.E002",
            )
        ]
    return []


def forget_policy(*, setting: str, **kwargs: Any) -> None:
    """`setting_changed` receiver: a changed VIGIL_POLICY (tests' override_settings) takes
    effect at the next fact recorded."""
    if setting == "VIGIL_POLICY":
        policy.cache_clear()


def facts_from_document(document: dict[str, Any], groups: list[list[str]]) -> tuple[F.World, list[F.Event]]:
    """The live document's world and events, read by the timeline reader (the one parser of
    the format), with the live system's identity groups, link reasons and labels, and ties
    applied in the order the facts were entered."""
    world, events = read_live_document(document)
    world = dataclasses.replace(
        world,
        groups=[frozenset(g) for g in groups],
        group_reasons={frozenset(g["refs"]): g["reason"] for g in document.get("group_reasons", ())},
        labels=dict(document.get("labels", {})),
    )
    raw = document["events"]
    return world, tied_in_entry_order([(event, raw[event.index].get("row")) for event in events])


def tied_in_entry_order(events: list[tuple[F.Event, int | None]]) -> list[F.Event]:
    """Events of one type at one moment applied in the order they were entered.

    The engine applies events at the same moment by type, then by id, and an event's id is
    the hash of its content, which orders such a tie by chance. Here the first entered keeps
    its own id and each later one takes that id with `~2`, `~3`, … (after it, and after
    nothing else: every id in the tie now starts with the first's). So a tie is applied in
    the order the facts were entered: the order `vigil import timeline` enters a file's
    events in, which is replay's order. The first's id, and so the keys of the actions it
    made, never change when a later fact joins the tie."""
    ties: dict[tuple[dt.datetime, str], list[tuple[int, int]]] = {}
    for position, (event, row) in enumerate(events):
        if row is not None:
            ties.setdefault((event.at.astimezone(dt.UTC), event.type), []).append((row, position))
    result = [event for event, _row in events]
    for tie in ties.values():
        if len(tie) < 2:
            continue
        tie.sort()
        first = F.content_id(F.in_utc(result[tie[0][1]]))
        for n, (_row, position) in enumerate(tie[1:], 2):
            result[position] = dataclasses.replace(result[position], event_id=f"{first}~{n}")
    return result


def evaluate_document(
    document: dict[str, Any], *, groups: list[list[str]], until: dt.datetime
) -> dict[str, list[dict[str, Any]]]:
    world, events = facts_from_document(document, groups)
    outcome = evaluate(policy(), world, events, until)
    return {
        "risk": [
            {
                "at": r.at,
                "victim": r.victim,
                "subject": r.subject,
                "level": r.level,
                "source": r.source,
                "drivers": list(r.drivers),
                "key": r.event_id,
            }
            for r in outcome.risk
        ],
        "flags": [{"at": f.at, "kind": f.kind, "refs": list(f.refs), "detail": f.detail, "key": f.key} for f in outcome.flags],
        "actions": [
            {
                "key": a.key,
                "kind": a.kind,
                "rule": a.rule,
                "victim": a.victim,
                "subject": a.subject,
                "created_at": a.created_at,
                "due_at": a.due_at,
                "priority": a.priority,
                "status": a.status,
                "closed_at": a.closed_at,
                "closed_reason": a.closed_reason,
                "reason": a.reason,
                "rationale": a.rationale,
                "escalations": list(a.escalations),
            }
            for a in outcome.actions
        ],
    }


def ladder_steps(
    *, priority: str, due_at: dt.datetime, until: dt.datetime, current_level: int = 1, last_at: dt.datetime | None = None
) -> list[tuple[dt.datetime, int]]:
    return _ladder_steps(
        priority=priority, due_at=due_at, until=until, policy=policy(), current_level=current_level, last_at=last_at
    )
