"""The escalation ladder: when an open action rises to supervisor, inspector, superintendent.

This is the one ladder computation. The engine records an action's steps with `reached` (in
replay and in the live bridge, which runs the engine) and `caught_up` (after a rule gives an
open action a new due time or priority); the live escalation job, between two runs of the
engine, records the steps that fall due with `ladder_steps`, which is `reached` for a stored
action. So a step carries the moment it fell due, not the moment a job noticed it, and the
live store and replay agree step for step.

Steps are the policy's ladder for the action's priority, counted from its due time in elapsed
time (shipped: normal due, due + 24 h, due + 72 h; immediate due, due + 1 h, due + 4 h).
A step never comes at or before the last one recorded: after a new due time it comes one
microsecond after it, so recorded steps rise strictly in time and in level.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vigil.policy.config import Policy

# A priority's ladder as (time after the due time, level) pairs, rising.
Steps = tuple[tuple[dt.timedelta, int], ...]

MICROSECOND = dt.timedelta(microseconds=1)


def compile_steps(policy: Policy, priority: str) -> Steps:
    """The policy's ladder for `priority` as plain (after, level) pairs."""
    return tuple((step.after, step.level) for step in policy.ladder.steps_for(priority))


def top_level(policy: Policy) -> int:
    """The highest level any action can reach: the last step of the policy's ladders."""
    return max(policy.ladder.normal[-1].level, policy.ladder.immediate[-1].level)


def reached(
    steps: Steps,
    due_at: dt.datetime,
    *,
    level: int,
    last_at: dt.datetime | None,
    until: dt.datetime,
    inclusive: bool,
) -> list[tuple[dt.datetime, int]]:
    """The steps above `level` that fall due by `until` (at `until` itself only when
    `inclusive`), for an action due at `due_at` whose last recorded step was at `last_at`."""
    result: list[tuple[dt.datetime, int]] = []
    for after, step_level in steps:
        if step_level <= level:
            continue
        at = due_at + after
        if last_at is not None and at <= last_at:
            at = last_at + MICROSECOND
        if at > until or (at == until and not inclusive):
            break
        result.append((at, step_level))
        level, last_at = step_level, at
    return result


def caught_up(
    steps: Steps, due_at: dt.datetime, *, level: int, last_at: dt.datetime | None, at: dt.datetime
) -> list[tuple[dt.datetime, int]]:
    """After an open action was given new terms (`steps` of its new priority, `due_at`) at
    `at`: the steps the new terms put before `at`, each recorded at `at` itself (one
    microsecond apart), never before the event that changed it. The steps at or after `at`
    follow as usual (`reached`)."""
    result: list[tuple[dt.datetime, int]] = []
    for after, step_level in steps:
        if due_at + after >= at:
            break
        if step_level <= level:
            continue
        moment = at if last_at is None or at > last_at else last_at + MICROSECOND
        result.append((moment, step_level))
        level, last_at = step_level, moment
    return result


def steps(policy: Policy, priority: str, due_at: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """Every step of the ladder for an action of `priority` due at `due_at` (in UTC)."""
    due_at = due_at.astimezone(dt.UTC)
    return [(due_at + after, level) for after, level in compile_steps(policy, priority)]


def ladder_steps(
    *,
    priority: str,
    due_at: dt.datetime,
    until: dt.datetime,
    policy: Policy,
    current_level: int = 1,
    last_at: dt.datetime | None = None,
) -> list[tuple[dt.datetime, int]]:
    """The steps that have fallen due by `until` (inclusive) for a stored open action at
    `current_level` whose last recorded step was at `last_at`: `reached` for the live job."""
    # Elapsed time: "24 hours after" a due time in a local zone is not 24 wall-clock hours.
    return reached(
        compile_steps(policy, priority),
        due_at.astimezone(dt.UTC),
        level=current_level,
        last_at=last_at,
        until=until,
        inclusive=True,
    )
