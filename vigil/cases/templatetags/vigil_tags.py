from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from vigil.core import times

register = template.Library()


@register.filter
def risk_tag(level: str) -> SafeString:
    if not level:
        return mark_safe('<strong class="govuk-tag govuk-tag--grey">Not assessed</strong>')  # noqa: S308 - constant markup
    return format_html('<strong class="govuk-tag vigil-risk--{}">{}</strong>', level, level.capitalize())


def _span(delta: dt.timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "less than a minute"


@register.filter
def due_text(due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """'overdue by 3 days' or 'due in 2 hours', as the board shows it."""
    if due is None:
        return ""
    now = now or times.now()  # the services' clock (a test or an import may hold it)
    delta = due - now
    return f"overdue by {_span(delta)}" if delta.total_seconds() < 0 else f"due in {_span(delta)}"


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, number: int) -> str:
    """`?…&page=N` keeping every other parameter of this request, repeated ones included
    (`kind=a&kind=b`), so a filtered list pages through the same filter."""
    params = context["request"].GET.copy()
    params["page"] = str(number)
    return "?" + params.urlencode()


@register.filter
def level_words(level: int | None) -> str:
    """An escalation level as the board shows it, named by the policy in use's ladder:
    '4: superintendent'."""
    from vigil.actions.engine_adapter import policy

    if level is None:
        return ""
    return f"{level}: {policy().ladder.level_name(int(level))}"


@register.simple_tag(takes_context=True)
def hidden_params(context: template.Context, *skip: str) -> SafeString:
    """Hidden inputs for this request's query parameters (repeated ones included), except
    `page` and the names in `skip`: a second GET form on a list keeps the first one's choices."""
    params = context["request"].GET
    inputs = [
        format_html('<input type="hidden" name="{}" value="{}">', name, value)
        for name in params
        if name != "page" and name not in skip
        for value in params.getlist(name)
    ]
    return mark_safe("".join(inputs))  # noqa: S308 - each input is built by format_html


# What each rule of the policy is about, in the words a practitioner uses (the policy file's
# own titles are one word: "intake", "high"). A rule a force adds keeps its policy title.
RULE_WORDS = {
    "R1": "a new report of abuse",
    "R2": "children present or at home",
    "R3": "the risk is high",
    "R4": "the risk is medium",
    "R5": "an order broken",
    "R6": "a warrant outstanding",
    "R7": "an alarm pressed",
    "R8": "repeat reports",
    "R9": "a serial perpetrator",
    "R10": "seen near the victim",
    "R11": "a declined action",
    "R12": "the victim's report",
    "R13": "a Clare's Law request",
    "R14": "a partner agency's concern",
}


@register.filter
def rule_words(rule: str) -> str:
    """A rule code with what it is about: 'R5' -> 'an order broken (R5)'."""
    if not rule:
        return ""
    words = RULE_WORDS.get(rule)
    if words is None:
        from vigil.actions.engine_adapter import policy

        title = getattr(getattr(policy().rules, rule, None), "title", "")
        words = str(title) or "a policy rule"
    return f"{words} ({rule})"
