"""The action board: what each person must look at first, with the MoJ filter's choices.

Built from `vigil.actions.selectors`; the view only reads the query string and renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict

from vigil.actions.forms import BOARD_LEVELS, BOARD_STATUSES, BoardFilterForm
from vigil.actions.models import Action
from vigil.actions.selectors import AWAITING, actions_for_user, board_order, teams_for_board
from vigil.core.constants import ActionKind, ActionStatus

PER_PAGE = 25


@dataclass(frozen=True)
class FilterTag:
    text: str
    href: str


@dataclass(frozen=True)
class FilterCategory:
    heading: str
    tags: list[FilterTag]


@dataclass
class Board:
    form: BoardFilterForm
    page: Page[Action]
    counts: dict[str, int]
    selected: list[FilterCategory] = field(default_factory=list)
    now: dt.datetime | None = None


def _status_q(status: str, now: dt.datetime) -> Q:
    if status == "all":
        return Q()
    if status == "overdue":
        return Q(status=ActionStatus.OPEN, due_at__lt=now)
    if status == "awaiting":
        return AWAITING
    if status in ActionStatus.values:
        return Q(status=status)
    return Q(status=ActionStatus.OPEN) | AWAITING


def board_queryset(user: Any, *, filters: dict[str, Any], now: dt.datetime) -> QuerySet[Action]:
    """The board's rows for this person and these (already validated) filters, in board order."""
    qs = board_order(actions_for_user(user), now=now).filter(_status_q(filters.get("status") or "", now))
    if filters.get("kind"):
        qs = qs.filter(kind__in=filters["kind"])
    if filters.get("level"):
        qs = qs.filter(Q(shown_level__in=[int(v) for v in filters["level"]]))
    if filters.get("team"):
        qs = qs.filter(team_id=filters["team"])
    return qs


def board_counts(qs: QuerySet[Action], *, now: dt.datetime) -> dict[str, int]:
    counts: dict[str, int] = qs.order_by().aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status=ActionStatus.OPEN, due_at__lt=now)),
        awaiting=Count("pk", filter=AWAITING),
        escalated=Count("pk", filter=Q(shown_level__gte=2)),
    )
    return counts


def _without(params: QueryDict, name: str, value: str | None = None) -> str:
    remaining = params.copy()
    remaining.pop("page", None)
    if value is None:
        remaining.pop(name, None)
    else:
        remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
    encoded = remaining.urlencode()
    return f"?{encoded}" if encoded else "?"


def _selected(form: BoardFilterForm, params: QueryDict) -> list[FilterCategory]:
    data = form.cleaned_data
    categories: list[FilterCategory] = []
    kinds = dict(ActionKind.choices)
    levels = dict(BOARD_LEVELS)
    statuses = dict(BOARD_STATUSES)
    if data.get("kind"):
        tags = [FilterTag(str(kinds[k]), _without(params, "kind", k)) for k in data["kind"]]
        categories.append(FilterCategory("Kind of action", tags))
    if data.get("level"):
        categories.append(
            FilterCategory("Escalation level", [FilterTag(levels[v], _without(params, "level", v)) for v in data["level"]])
        )
    if data.get("team"):
        team_names = dict(getattr(form.fields["team"], "choices", []))
        categories.append(FilterCategory("Team", [FilterTag(str(team_names.get(data["team"], "")), _without(params, "team"))]))
    if data.get("status"):
        categories.append(FilterCategory("Status", [FilterTag(statuses[data["status"]], _without(params, "status"))]))
    return categories


def build_board(user: Any, params: QueryDict, *, now: dt.datetime) -> Board:
    """Read the filters (invalid values are ignored, not fatal), then count and paginate."""
    form = BoardFilterForm(params, teams=teams_for_board(user))
    form.is_valid()
    filters = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    qs = board_queryset(user, filters=filters, now=now)
    counts = board_counts(qs, now=now)
    qs = qs.select_related("case", "case__victim", "team", "owner")
    paginator: Paginator[Action] = Paginator(qs, PER_PAGE)
    # The count is already known: tell the paginator, so it does not count a second time.
    paginator.__dict__["count"] = counts["total"]
    page = paginator.get_page(params.get("page"))
    return Board(form=form, page=page, counts=counts, selected=_selected(form, params), now=now)
