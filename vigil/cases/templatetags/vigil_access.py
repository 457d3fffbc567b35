"""Template helpers for showing places without leaking protected addresses.

{% load vigil_access %}
{% place_text case place %}                 address, or "Protected address" (+ reveal link)
{% place_display case place as shown %}     the PlaceDisplay, for custom markup
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vigil.cases.access import PlaceDisplay
from vigil.cases.access import place_display as _place_display

register = template.Library()


@register.simple_tag(takes_context=True)
def place_display(context: dict[str, Any], case: Any, place: Any) -> PlaceDisplay:
    return _place_display(context["request"].user, case, place)


@register.simple_tag(takes_context=True)
def place_text(context: dict[str, Any], case: Any, place: Any) -> SafeString:
    shown = _place_display(context["request"].user, case, place)
    if shown.can_reveal:
        return format_html(
            '<strong class="govuk-tag govuk-tag--red">{}</strong> '
            '<a class="govuk-link" href="{}">Show the address (recorded)</a>',
            shown.text,
            shown.reveal_url,
        )
    if shown.protected:
        return format_html('<strong class="govuk-tag govuk-tag--red">{}</strong>', shown.text)
    return format_html("{}", shown.text)
