"""The escalation ladder: when an open action rises to supervisor, inspector, superintendent.

Steps are computed from an action's due time and priority by the policy's ladder (normal:
due, due + 24 h, due + 72 h; immediate: due, due + 1 h, due + 4 h). The live escalation job
and the replay both use `ladder_steps`, so a step carries the moment it fell due, not the
moment a job noticed it.
"""

from __future__ import annotations

import datetime as dt

from vigil.policy.config import Policy, load_policy


def steps(policy: Policy, priority: str, due_at: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """Every step of the ladder for an action of `priority` due at `due_at` (in UTC)."""
    due_at = due_at.astimezone(dt.UTC)
    return [(due_at + step.after, step.level) for step in policy.ladder.steps_for(priority)]


def ladder_steps(
    *,
    priority: str,
    due_at: dt.datetime,
    until: dt.datetime,
    policy: Policy | None = None,
    current_level: int = 1,
    last_at: dt.datetime | None = None,
) -> list[tuple[dt.datetime, int]]:
    """The steps that have fallen due by `until` (inclusive) for an open action, above
    `current_level`. A step never comes before `last_at` (the last recorded escalation), so
    recorded steps rise strictly in time and in level even after a new due time."""
    chosen = policy or load_policy()
    # Elapsed time: "24 hours after" a due time in a local zone is not 24 wall-clock hours.
    due_at = due_at.astimezone(dt.UTC)
    result: list[tuple[dt.datetime, int]] = []
    level = current_level
    floor = last_at
    for at, step_level in steps(chosen, priority, due_at):
        if step_level <= level:
            continue
        if floor is not None and at <= floor:
            at = floor + dt.timedelta(microseconds=1)
        if at > until:
            break
        result.append((at, step_level))
        level, floor = step_level, at
    return result


def level_name(level: int, policy: Policy | None = None) -> str:
    return (policy or load_policy()).ladder.level_name(level)
