"""After a save, the page says in words what the policy did (issue 12, item 4): "This
created: Arrest the suspect, immediate, due 23:10 today (R5: …)", each new or changed action
linked to its page.

The save runs inside `policy_effects()` (vigil/actions/effects.py), which lists exactly what
the policy stored. Only what the officer may see is said: an effect on a case they may not
see (another victim of the same suspect, a restricted case) is left out, so a sentence never
names a person they could not otherwise read about. The lines go through the session to the
case page, which shows them once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from django.urls import reverse

from vigil.actions.effects import PolicyEffects, policy_effects
from vigil.cases.access import cases_for_user

T = TypeVar("T")
_PARTS = re.compile(r"^(This \w+: )([^,(]+)(.*)$", re.S)
SESSION_KEY = "vigil_policy_outcome"


def outcome_lines(user: Any, effects: PolicyEffects) -> list[dict[str, str]]:
    """Each effect as {"text", "url"}, in the collector's order, for the cases `user` may see."""
    words = effects.words()
    actions = [*effects.created, *effects.closed, *effects.changed]
    items: list[Any] = [*actions, *effects.flags, *effects.risk]
    visible = set(cases_for_user(user).filter(pk__in={item.case_id for item in items}).values_list("pk", flat=True))
    lines = []
    for index, (item, text) in enumerate(zip(items, words, strict=True)):
        if item.case_id not in visible:
            continue
        is_open_action = index < len(actions) and item.status == "open"
        line = {"text": text, "url": "", "lead": "", "name": "", "rest": ""}
        parts = _PARTS.match(text) if is_open_action else None
        if parts is not None:
            # The action's name is the link; the rest of the sentence stays plain to read.
            line.update(url=reverse("action_detail", args=[item.pk]), lead=parts[1], name=parts[2], rest=parts[3])
        lines.append(line)
    return lines


def record_with_outcome(request: HttpRequest, save: Callable[[], T], *, case: Any = None) -> tuple[T, list[dict[str, str]]]:
    """Run `save` and keep what the policy did for the next page of `case` (or of the case
    `save` returns)."""
    with policy_effects() as effects:
        result = save()
    lines = outcome_lines(request.user, effects)
    target = case if case is not None else result
    request.session[SESSION_KEY] = {"case": getattr(target, "pk", None), "lines": lines}
    return result, lines


def pop_outcome(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """What the policy did after the last save on `case`, once."""
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("case") != case.pk:
        return None
    request.session.pop(SESSION_KEY, None)
    return {"lines": stored.get("lines", [])}
