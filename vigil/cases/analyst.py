"""The analyst's pseudonymised list: its filters, counts and pages. The rows come from
`vigil.core.access.pseudonymised_cases` (no names, addresses, references or free text)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.paginator import Page, Paginator
from django.http import QueryDict

from vigil.cases.access import PseudonymisedCase
from vigil.core.filters import FilterCategory, selected_filters
from vigil.core.forms import GovukForm

PER_PAGE = 50
RISK_CHOICES = [("high", "High"), ("medium", "Medium"), ("standard", "Standard"), ("not assessed", "Not assessed")]


class AnalystFilterForm(GovukForm):
    area = forms.MultipleChoiceField(label="Area", required=False, widget=forms.CheckboxSelectMultiple)
    risk = forms.MultipleChoiceField(label="Risk", choices=RISK_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    opened_from = forms.ChoiceField(label="Opened from", required=False)
    opened_to = forms.ChoiceField(label="Opened up to", required=False)
    open_actions = forms.BooleanField(label="Has open actions", required=False)
    repeat = forms.BooleanField(label="Three reports or more", required=False)

    def __init__(self, *args: Any, areas: Iterable[str] = (), months: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [(a, a) for a in areas]
        month_choices = [(m, m) for m in months]
        cast(forms.ChoiceField, self.fields["opened_from"]).choices = [("", "Any month"), *month_choices]
        cast(forms.ChoiceField, self.fields["opened_to"]).choices = [("", "Any month"), *month_choices]

    def keep(self, row: PseudonymisedCase) -> bool:
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return not (
            (data.get("area") and row.area not in data["area"])
            or (data.get("risk") and row.risk_level not in data["risk"])
            or (data.get("opened_from") and row.opened < data["opened_from"])
            or (data.get("opened_to") and row.opened > data["opened_to"])
            or (data.get("open_actions") and not row.open_actions)
            or (data.get("repeat") and row.reports < 3)
        )


@dataclass
class AnalystList:
    form: AnalystFilterForm
    page: Page
    total: int
    shown: int
    by_risk: list[tuple[str, int]]
    selected: list[FilterCategory]


def analyst_list(rows: list[PseudonymisedCase], params: QueryDict) -> AnalystList:
    form = AnalystFilterForm(
        params, areas=sorted({row.area for row in rows}), months=sorted({row.opened for row in rows}, reverse=True)
    )
    form.is_valid()  # a value that is not valid is left out, not fatal
    kept = [row for row in rows if form.keep(row)]
    counts = Counter(row.risk_level for row in kept)
    return AnalystList(
        form=form,
        page=Paginator(kept, PER_PAGE).get_page(params.get("page")),
        total=len(rows),
        shown=len(kept),
        by_risk=[(label, counts.get(value, 0)) for value, label in RISK_CHOICES],
        selected=selected_filters(form, params),
    )
