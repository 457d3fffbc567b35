"""The chosen filters of a filtered list (the boards, the case list), as MoJ filter tags.

A list's filter is a plain GET form. Its panel is hidden behind a toggle, so the filters in
use are shown above the results as tags; each tag's link is the same list without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict


@dataclass(frozen=True)
class FilterTag:
    text: str
    href: str


@dataclass(frozen=True)
class FilterCategory:
    heading: str
    tags: list[FilterTag]


def without(params: QueryDict, name: str, value: str | None = None) -> str:
    """The query string with one value of `name` (or all of them) taken out, and page 1."""
    remaining = params.copy()
    remaining.pop("page", None)
    if value is None:
        remaining.pop(name, None)
    else:
        remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
    query = remaining.urlencode()
    return f"?{query}" if query else "?"


def _choice_words(field: forms.Field) -> dict[str, str]:
    return {str(value): str(label) for value, label in getattr(field, "choices", [])}


def selected_filters(form: forms.Form, params: QueryDict, *, skip: tuple[str, ...] = ()) -> list[FilterCategory]:
    """One category per filter in use (a valid value that is not the field's empty choice)."""
    if not hasattr(form, "cleaned_data"):
        form.is_valid()
    categories: list[FilterCategory] = []
    for name, field in form.fields.items():
        if name in skip or name in form.errors:
            continue
        value: Any = form.cleaned_data.get(name)
        if value in (None, "", [], False):
            continue
        heading = str(field.label)
        words = _choice_words(field)
        if isinstance(field, forms.MultipleChoiceField):
            tags = [FilterTag(words.get(str(v), str(v)), without(params, name, str(v))) for v in value]
        elif isinstance(field, forms.BooleanField):
            tags = [FilterTag(heading, without(params, name))]
        else:
            tags = [FilterTag(words.get(str(value), str(value)), without(params, name))]
        categories.append(FilterCategory(heading, tags))
    return categories
