"""The case list's filters and rows: each case with its open and overdue actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from vigil.actions.models import Action
from vigil.cases.models import Case
from vigil.cases.selectors import case_search
from vigil.core.constants import ActionStatus, RiskLevel
from vigil.core.forms import GovukForm

RISK_CHOICES = [*RiskLevel.choices, ("none", "Not assessed")]


class CaseFilterForm(GovukForm):
    """The case list's search and filters, read from the query string (a plain GET form)."""

    q = forms.CharField(label="Case reference, or a person's name or alias", required=False, max_length=200)
    risk = forms.MultipleChoiceField(label="Risk", choices=RISK_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    team = forms.TypedChoiceField(label="Team", coerce=int, required=False, empty_value=None)
    overdue = forms.BooleanField(label="Has overdue actions", required=False)
    referred = forms.BooleanField(label="Referred to an adviser with consent", required=False)

    def __init__(self, *args: Any, teams: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = cast(forms.ChoiceField, self.fields["team"])
        team.choices = [("", "All teams")] + [(t.pk, str(t)) for t in teams]

    def valid_data(self) -> dict[str, Any]:
        """The filters with a valid value (a value that is not valid is left out, not fatal)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


def _count(status_q: Q) -> Coalesce:
    counted = Action.objects.filter(status_q, case=OuterRef("pk")).order_by().values("case").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def case_rows(user: Any, filters: dict[str, Any], *, now: dt.datetime) -> QuerySet[Case]:
    """The cases this person may see that pass the filters, newest risk change first, each
    with `open_actions` and `overdue_actions`."""
    qs = case_search(user, filters.get("q") or "").annotate(
        open_actions=_count(Q(status=ActionStatus.OPEN)),
        overdue_actions=_count(Q(status=ActionStatus.OPEN, due_at__lt=now)),
    )
    if filters.get("risk"):
        levels = [level for level in filters["risk"] if level != "none"]
        qs = qs.filter(Q(risk_level__in=levels) | (Q(risk_level="") if "none" in filters["risk"] else Q(pk__in=[])))
    if filters.get("team"):
        qs = qs.filter(team_id=filters["team"])
    if filters.get("overdue"):
        qs = qs.filter(overdue_actions__gt=0)
    if filters.get("referred"):
        qs = qs.filter(referred_with_consent=True)
    return qs
