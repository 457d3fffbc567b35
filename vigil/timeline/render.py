"""The replay as a chronology an officer can read (`vigil replay FILE` without `--json`)."""

from __future__ import annotations

import datetime as dt
import textwrap
from zoneinfo import ZoneInfo

from vigil.policy.engine import Action, kind_words
from vigil.timeline.replay import Replay

WIDTH = 100


def _when(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day:2d} {local:%b %Y %H:%M}"


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]


def render(result: Replay) -> str:
    timeline = result.timeline
    zone = ZoneInfo(timeline.timezone)
    outcome = result.outcome
    lines: list[str] = [
        f"{timeline.title or timeline.id}",
        f"Timeline {timeline.id}, replayed until {_when(result.until, zone)} ({timeline.timezone}),"
        f" policy {result.policy.version}",
        "",
    ]
    if result.links:
        lines.append("Records of one person")
        for link in result.links:
            names = ", ".join(f"{_name(result, r)} ({r})" for r in link.refs)
            lines.extend(_wrap(f"{names}: {link.reason}", "  "))
        lines.append("")
    lines.append("Chronology")
    for entry in outcome.chronology:
        mark = "  ^" if entry.type == "escalation" else "  *"
        lines.extend(textwrap.wrap(f"{_when(entry.at, zone)}{mark} {entry.what}", WIDTH, subsequent_indent=" " * 24))
        for line in entry.outcomes:
            lines.extend(_wrap(f"- {line}", " " * 24))
    lines.append("")
    lines.append("Risk at the end")
    if not outcome.levels:
        lines.append("  no level set for any pair")
    for (victim, subject), level in sorted(outcome.levels.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        last = [c for c in outcome.risk if c.victim == victim and c.subject == subject][-1:]
        since = f" since {_when(last[0].at, zone)} ({last[0].source})" if last else ""
        lines.append(f"  {_name(result, victim)} ({victim}) / {_name(result, subject)} ({subject}): {level}{since}")
    lines.append("")
    open_actions = [a for a in outcome.actions if a.status == "open"]
    lines.append(f"Actions still open ({len(open_actions)})")
    for action in open_actions:
        lines.extend(_wrap(_action_line(action, zone, result), "  "))
    closed = [a for a in outcome.actions if a.status != "open"]
    lines.append("")
    lines.append(f"Actions closed ({len(closed)})")
    for action in closed:
        lines.extend(_wrap(_action_line(action, zone, result), "  "))
    lines.append("")
    lines.append(f"Flags ({len(outcome.flags)})")
    for flag in outcome.flags:
        lines.extend(_wrap(f"{_when(flag.at, zone)}  {flag.kind}: {flag.detail}", "  "))
    return "\n".join(lines) + "\n"


def _name(result: Replay, ref: str | None) -> str:
    if ref is None:
        return "no one named"
    person = result.timeline.world.person(ref)
    return person.name if person else ref


def _action_line(action: Action, zone: ZoneInfo, result: Replay) -> str:
    who = f"{_name(result, action.victim)}" + (f" / {_name(result, action.subject)}" if action.subject else "")
    text = (
        f"{action.id} {kind_words(action.kind)} [{action.kind}] ({action.rule}, {action.priority})"
        f" for {who}: created {_when(action.created_at, zone)},"
        f" due {_when(action.due_at, zone)}"
    )
    if action.status != "open":
        text += f"; {action.status} {_when(action.closed_at, zone)}"
        if action.closed_reason:
            text += f" ({action.closed_reason})"
        if action.rationale:
            text += f"; rationale: {action.rationale}"
    if action.escalations:
        steps = ", ".join(f"level {level} at {_when(at, zone)}" for at, level in action.escalations)
        text += f"; escalated to {steps}"
    return f"{text}. Why: {action.reason}"
