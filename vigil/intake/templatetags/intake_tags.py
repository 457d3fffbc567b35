from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


@register.inclusion_tag("intake/includes/date_input.html")
def date_fields(
    form: forms.Form, prefix: str, legend: str, hint: str = "", time: bool = False, legend_size: str = "s"
) -> dict[str, Any]:
    """A GOV.UK date input from `form`'s `<prefix>_day`, `_month` and `_year` fields (and
    `_time` with time=True). The group's error is kept on the day field."""
    return {
        "day": form[f"{prefix}_day"],
        "month": form[f"{prefix}_month"],
        "year": form[f"{prefix}_year"],
        "clock": form[f"{prefix}_time"] if time else None,
        "legend": legend,
        "hint": hint,
        "time": time,
        "legend_size": legend_size,
    }


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def relationship_words(kind: str) -> str:
    from vigil.core.constants import RelationshipKind

    return str(dict(RelationshipKind.choices).get(kind, "Not given"))


@register.filter
def category_words(kind: str) -> str:
    from vigil.core.constants import ReportCategory

    return str(dict(ReportCategory.choices).get(kind, kind))


@register.filter
def sex_words(sex: str) -> str:
    from vigil.core.constants import Sex

    return str(dict(Sex.choices).get(sex, "Not known"))


@register.filter
def lives_with_words(key: str) -> str:
    from vigil.intake.journey import LIVES_WITH

    return LIVES_WITH.get(key, key)


@register.filter
def position_words(place: Any) -> str:
    """Where a typed place will be on the map, in words."""
    from vigil.people.place_form import POSITION_PIN, POSITION_POSTCODE

    if place is None or place.lat is None:
        return "No map position: it will not count in distances until it has one"
    if place.positioned_by == POSITION_PIN:
        return f"Map position from the pin ({place.lat:.5f}, {place.lon:.5f})"
    if place.positioned_by == POSITION_POSTCODE:
        return f"Map position: the centre of the postcode {place.postcode}"
    return f"Map position {place.lat:.5f}, {place.lon:.5f}"
