"""The action board: what each person must look at first, with the MoJ filter's choices.

Built from `vigil.actions.selectors`; the view only reads the query string and renders.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.http import QueryDict

from vigil.actions.forms import BOARD_LEVELS, BOARD_STATUSES, BoardFilterForm
from vigil.actions.models import Action
from vigil.actions.selectors import (
    AWAITING,
    PRIORITY_ORDER,
    RISK_ORDER,
    actions_for_user,
    board_order,
    teams_for_board,
)
from vigil.core.access import cases_for_user
from vigil.core.constants import ActionKind, ActionStatus, SignOff
from vigil.core.models import Team

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
    page: BoardPage
    counts: dict[str, int]
    capped: set[str] = field(default_factory=set)  # counts that stopped at COUNT_CAP ("more than")
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
    """The board's rows for this person and these (already validated) filters, in board order.

    The definition, in one query: the page is built by `board_page`, which must return the
    same rows in the same order (tests/actions/test_board_equivalence.py)."""
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


# --- the fast path: the same rows, in the same order, from index-ordered queries ---------------
#
# `board_queryset` says what the board shows in one readable query; at 100,000 cases the
# database has to check access for, and sort, every visible row before it can hand over the
# first 25. `build_board` gets the same rows differently (tests/actions/test_board_equivalence.py
# holds it to `board_queryset`, row for row):
#
# * visibility is split into parts that each match an index (the `OR` of `board_visibility_q`
#   cannot): the person's own actions; each team in their scope at each level from theirs up
#   to 4 (or the force at level 4); a supervisor's team's declines waiting for sign-off;
# * the order is walked segment by segment: needs attention (open and overdue, or waiting for
#   sign-off) or not, then priority, then the case's risk level. Inside a segment the order is
#   age, which the indexes hold (`created_at` after the equality columns), so each query reads
#   only as many rows as the page needs, and later segments are not read at all once the page
#   is full;
# * access is checked row by row through `cases_for_user` (a correlated EXISTS), only on the
#   rows read;
# * counts stop at COUNT_CAP: a board with more says "more than 1,000" rather than check
#   access on every one of tens of thousands of rows. Up to the cap they are exact, and a
#   board within the cap is read in one query and ordered here.

COUNT_CAP = 1000
RANK_PRIORITY: dict[str, int] = {str(p): i for i, p in enumerate(PRIORITY_ORDER)}
RANK_RISK: dict[str, int] = {str(r): i for i, r in enumerate(RISK_ORDER)}

# (bucket, status, extra condition): every action is in exactly one of these parts.
_OPEN_OVERDUE, _AWAITING, _OPEN_NOT_DUE, _DECLINED_SETTLED = "open-overdue", "awaiting", "open-not-due", "declined-settled"
_PART_BUCKET = {_OPEN_OVERDUE: 0, _AWAITING: 0, _OPEN_NOT_DUE: 1, _DECLINED_SETTLED: 1}
_STATUS_PARTS: dict[str, tuple[str, ...]] = {
    "": (_OPEN_OVERDUE, _AWAITING, _OPEN_NOT_DUE),
    "all": (_OPEN_OVERDUE, _AWAITING, _OPEN_NOT_DUE, _DECLINED_SETTLED, ActionStatus.DONE, ActionStatus.CANCELLED),
    "overdue": (_OPEN_OVERDUE,),
    "awaiting": (_AWAITING,),
    ActionStatus.OPEN: (_OPEN_OVERDUE, _OPEN_NOT_DUE),
    ActionStatus.DECLINED: (_AWAITING, _DECLINED_SETTLED),
    ActionStatus.DONE: (ActionStatus.DONE,),
    ActionStatus.CANCELLED: (ActionStatus.CANCELLED,),
}


def _part_q(part: str, now: dt.datetime) -> Q:
    # `due_at` is never null, so NOT (due_at >= now) is due_at < now. Said this way, SQLite
    # (which has no statistics unless ANALYZE ran) does not take the due-time range for the
    # better index and then sort; it reads the board index in order instead.
    if part == _OPEN_OVERDUE:
        return Q(status=ActionStatus.OPEN) & ~Q(due_at__gte=now)
    if part == _OPEN_NOT_DUE:
        return Q(status=ActionStatus.OPEN) & ~Q(due_at__lt=now)
    if part == _AWAITING:
        return AWAITING
    if part == _DECLINED_SETTLED:
        return Q(status=ActionStatus.DECLINED) & ~Q(signoff=SignOff.AWAITING)
    return Q(status=part)


def _parts(filters: dict[str, Any]) -> tuple[str, ...]:
    status = filters.get("status") or ""
    return _STATUS_PARTS.get(status, _STATUS_PARTS[""])


@dataclass(frozen=True)
class _Branch:
    q: Q
    awaiting_only: bool = False


def _branches(user: Any) -> list[_Branch]:
    """`board_visibility_q` as a union of index-friendly parts (equalities, no OR)."""
    branches = [_Branch(Q(owner_id=user.pk))]
    level = getattr(user, "escalation_level", 1)
    if level < 2:
        return branches
    if level >= 4:
        # The force at level 4 (a decline waiting at level 4 is in it too). Levels stop at 4.
        return [*branches, _Branch(Q(level=4))]
    if not user.team_id:
        return branches
    teams = [user.team_id] if level == 2 else list(Team.objects.filter(area_id=user.team.area_id).values_list("pk", flat=True))
    for team_id in teams:
        branches += [_Branch(Q(team_id=team_id, level=step)) for step in range(level, 5)]
        if level == 2:
            # R11: a decline waiting for sign-off is the supervisor's whatever level it reached.
            branches.append(_Branch(Q(team_id=team_id) & AWAITING, awaiting_only=True))
    return branches


def _visible_q(branches: list[_Branch], parts: tuple[str, ...], now: dt.datetime) -> Q:
    """The board (visibility and status) as an OR of (part of the board, status part) pairs,
    each a run of equalities one index answers, so the database reads index ranges."""
    visible = Q(pk__in=[])
    for branch in branches:
        for part in parts:
            if not branch.awaiting_only or part == _AWAITING:
                visible |= branch.q & _part_q(part, now)
    return visible


def _shown_level() -> Greatest:
    return Greatest("level", When_(When(AWAITING, then=Value(2)), default=Value(1), output_field=IntegerField()))


class _Rows:
    """This person's actions under the filters other than status. `where` adds conditions and
    puts the access check (a correlated EXISTS through `cases_for_user`) last, so the database
    runs it only on rows that passed the cheap conditions."""

    def __init__(self, user: Any, filters: dict[str, Any]) -> None:
        self.access = Exists(cases_for_user(user).filter(pk=OuterRef("case_id")))
        qs = Action.objects.all()
        if filters.get("level"):
            qs = qs.alias(shown_level=_shown_level())
        self.qs = qs
        self.filters = Q()
        if filters.get("kind"):
            self.filters &= Q(kind__in=filters["kind"])
        if filters.get("level"):
            self.filters &= Q(shown_level__in=[int(v) for v in filters["level"]])
        if filters.get("team"):
            self.filters &= Q(team_id=filters["team"])

    def where(self, *conditions: Q) -> QuerySet[Action]:
        return self.qs.filter(*conditions, self.filters).filter(self.access)


def _capped_count(qs: QuerySet[Action], cap: int) -> int:
    return qs.order_by().values("pk")[: cap + 1].count()


@dataclass(frozen=True)
class _Key:
    """What the board orders by, for one action."""

    pk: int
    status: str
    due_at: dt.datetime
    signoff: str
    level: int
    priority: str
    risk_level: str
    created_at: dt.datetime

    def attention(self, now: dt.datetime) -> int:
        overdue = self.status == ActionStatus.OPEN and self.due_at < now
        awaiting = self.status == ActionStatus.DECLINED and self.signoff == SignOff.AWAITING
        return 0 if overdue or awaiting else 1

    def sort_key(self, now: dt.datetime) -> tuple[int, int, int, dt.datetime, int]:
        priority = RANK_PRIORITY.get(self.priority, len(PRIORITY_ORDER))
        return (self.attention(now), priority, RANK_RISK.get(self.risk_level, len(RISK_ORDER)), self.created_at, self.pk)


_KEY_FIELDS = ("pk", "status", "due_at", "signoff", "level", "priority", "case__risk_level", "created_at")


def _small_board(qs: QuerySet[Action], *, now: dt.datetime) -> tuple[list[int], dict[str, int]]:
    """Every row of a board within the cap, ordered and counted here: one query."""
    keys = [_Key(*row) for row in qs.order_by().values_list(*_KEY_FIELDS)]
    keys.sort(key=lambda k: k.sort_key(now))
    counts = {
        "total": len(keys),
        "overdue": sum(1 for k in keys if k.status == ActionStatus.OPEN and k.due_at < now),
        "awaiting": sum(1 for k in keys if k.status == ActionStatus.DECLINED and k.signoff == SignOff.AWAITING),
        "escalated": sum(
            1 for k in keys if k.level >= 2 or (k.status == ActionStatus.DECLINED and k.signoff == SignOff.AWAITING)
        ),
    }
    return [k.pk for k in keys], counts


def _risk_segments() -> list[Q]:
    return [Q(case__risk_level=r) for r in RISK_ORDER] + [~Q(case__risk_level__in=RISK_ORDER)]


def _walk(rows: _Rows, branches: list[_Branch], parts: tuple[str, ...], *, now: dt.datetime, need: int) -> list[int]:
    """The first `need` rows in board order, segment by segment (see above)."""
    found: list[int] = []
    seen: set[int] = set()
    for bucket in (0, 1):
        bucket_parts = [p for p in parts if _PART_BUCKET.get(p, 1) == bucket]
        if not bucket_parts:
            continue
        for priority in PRIORITY_ORDER:
            for risk_q in _risk_segments():
                want = need - len(found)
                segment: dict[int, dt.datetime] = {}
                for part in bucket_parts:
                    part_q = _part_q(part, now) & Q(priority=priority) & risk_q
                    for branch in branches:
                        if branch.awaiting_only and part != _AWAITING:
                            continue
                        qs = rows.where(branch.q, part_q).order_by("created_at", "pk").values_list("pk", "created_at")
                        segment.update((pk, created) for pk, created in qs[:want] if pk not in seen)
                ordered = sorted(segment, key=lambda pk: (segment[pk], pk))[:want]
                found += ordered
                seen.update(ordered)
                if len(found) >= need:
                    return found
    return found


class BoardPage:
    """One page of the board. `num_pages` is None when the board holds more than the count
    cap: the page then says 'page N' and offers the next page, without claiming a total."""

    def __init__(self, object_list: list[Action], number: int, *, total: int, capped: bool) -> None:
        self.object_list = object_list
        self.number = number
        self.total = total
        self.capped = capped
        self.num_pages: int | None = None if capped else max(1, math.ceil(total / PER_PAGE))

    def __iter__(self) -> Iterator[Action]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.capped or self.number < (self.num_pages or 0)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _page_number(value: Any) -> int:
    """The page asked for; 1 when it is not a number (as Paginator.get_page)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def board_page(
    user: Any, filters: dict[str, Any], *, number: int, now: dt.datetime
) -> tuple[BoardPage, dict[str, int], set[str]]:
    """The page of the board (its rows in board order), the counts, and which counts are capped."""
    if not getattr(user, "is_authenticated", False):
        return BoardPage([], 1, total=0, capped=False), dict.fromkeys(("total", "overdue", "awaiting", "escalated"), 0), set()
    branches = _branches(user)
    parts = _parts(filters)
    rows = _Rows(user, filters)
    visible = rows.where(_visible_q(branches, parts, now))
    # Enough to know whether the page asked for exists and whether there is a next one. A page
    # below 1 means the last page (as Paginator.get_page has it), which takes the full count.
    cap = max(COUNT_CAP, number * PER_PAGE) if number >= 1 else None
    capped: set[str] = set()
    if cap is None or _capped_count(visible, cap) <= cap:
        ids, counts = _small_board(visible, now=now)
        pages = max(1, math.ceil(len(ids) / PER_PAGE))
        number = pages if number < 1 else min(number, pages)  # as Paginator.get_page does
        page_ids = ids[(number - 1) * PER_PAGE : number * PER_PAGE]
    else:
        counts = {"total": cap}
        for name, only in (("overdue", (_OPEN_OVERDUE,)), ("awaiting", (_AWAITING,))):
            counts[name] = _capped_count(rows.where(_visible_q(branches, tuple(p for p in parts if p in only), now)), cap)
        counts["escalated"] = _capped_count(rows.where(_visible_q(branches, parts, now), Q(level__gte=2) | AWAITING), cap)
        capped = {name for name, value in counts.items() if value > cap} | {"total"}
        counts = {name: min(value, cap) for name, value in counts.items()}
        page_ids = _walk(rows, branches, parts, now=now, need=number * PER_PAGE)[(number - 1) * PER_PAGE :]
    actions = (
        Action.objects.filter(pk__in=page_ids)
        .select_related("case", "case__victim", "team", "owner")
        .annotate(shown_level=_shown_level())
    )
    by_pk = {action.pk: action for action in actions}
    page = BoardPage([by_pk[pk] for pk in page_ids if pk in by_pk], number, total=counts["total"], capped="total" in capped)
    return page, counts, capped


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
    page, counts, capped = board_page(user, filters, number=_page_number(params.get("page")), now=now)
    return Board(form=form, page=page, counts=counts, capped=capped, selected=_selected(form, params), now=now)
