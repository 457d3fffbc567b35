"""The calendar itself: one event per open action on the person's board, at its due time.

It shows no names and no addresses, nor the action's reason (which can name a place or a
person): only the kind of action, its priority and level, the case reference and a link
that opens the action in Vigil, where the person signs in as usual. A calendar that leaves
the force's devices (a synced phone, a shared screen) then says nothing about anyone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import icalendar

from vigil.actions.models import Action
from vigil.actions.selectors import actions_for_user
from vigil.core import times
from vigil.core.constants import ActionStatus

MAX_EVENTS = 500  # the soonest due; a calendar app is not the board
SLOT = dt.timedelta(minutes=15)


def feed_actions(user: Any) -> list[Action]:
    return list(
        actions_for_user(user)
        .filter(status=ActionStatus.OPEN)
        .select_related("case")
        .only("pk", "kind", "priority", "level", "due_at", "created_at", "case__reference")
        .order_by("due_at", "pk")[:MAX_EVENTS]
    )


def feed_calendar(actions: list[Action], *, link: Callable[[Action], str]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Vigil//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Vigil: my deadlines")
    calendar.add("x-published-ttl", "PT15M")
    now = times.now()
    for action in actions:
        label = action.get_kind_display()
        reference = action.case.reference
        url = link(action)
        event = icalendar.Event()
        event.add("uid", f"vigil-action-{action.pk}")
        event.add("dtstamp", now)
        event.add("dtstart", action.due_at)
        event.add("dtend", action.due_at + SLOT)
        event.add("summary", f"{label}: {reference}")
        event.add(
            "description",
            f"{label}, {action.priority} priority, due on case {reference}"
            + (f" (raised to level {action.level})" if action.level > 1 else "")
            + f". Open it in Vigil: {url}",
        )
        event.add("url", url)
        event.add("categories", ["Vigil", action.priority])
        if action.due_at < now:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
