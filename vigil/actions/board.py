"""The action board: what each person must look at first, with the MoJ filter's choices.

Built from `vigil.actions.selectors`; the view only reads the query string and renders.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.http import QueryDict

from vigil.actions.forms import BoardFilterForm
from vigil.actions.models import Action
from vigil.actions.selectors import (
    AWAITING,
    PRIORITY_ORDER,
    RISK_ORDER,
    actions_for_user,
    board_order,
    teams_for_board,
)
from vigil.cases.access import cases_for_user
from vigil.cases.models import Case
from vigil.core.constants import ActionStatus, SignOff
from vigil.core.filters import FilterCategory, selected_filters
from vigil.core.models import Team

PER_PAGE = 25


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
# first 25. `board_page` gets the same rows differently (tests/actions/test_board_equivalence.py
# holds it to `board_queryset`, row for row, page by page):
#
# * visibility is split into parts that each match an index (the `OR` of `board_visibility_q`
#   cannot): the person's own actions; each team in their scope at each level from theirs up
#   to 4 (or the force at level 4); a supervisor's team's declines waiting for sign-off. Each
#   is taken with each status part (open and overdue, open and not yet due, waiting for
#   sign-off, ...), so every piece is a run of equalities on one index;
# * the order is walked segment by segment: needs attention or not, then priority, then the
#   case's risk level. Inside a segment the order is age, which the indexes hold (`created_at`
#   after the equality columns), so each piece reads only as many rows as the page needs, and
#   later segments are not read once the page is full;
# * access is checked row by row through `cases_for_user` (compiled once into a correlated
#   EXISTS), on the rows read and no others;
# * counts stop at COUNT_CAP: a board with more says "more than 500" rather than check
#   access on every one of tens of thousands of rows. Up to the cap they are exact, and a
#   board within the cap is read in one query and ordered here.
#
# The SQL is put together here rather than by the ORM: a board request runs a few small
# queries, and building each through the ORM took longer (10 to 20 ms a query on a small
# server) than the database took to answer it. Every value is a parameter; the only names
# are the constants below.

COUNT_CAP = 500

_ACTIONS = f'"{Action._meta.db_table}" AS "ba"'
_CASE = f'"{Case._meta.db_table}" AS "bc"'


def _a(column: str) -> str:
    return f'"ba"."{column}"'


@dataclass(frozen=True)
class _Sql:
    """A condition: SQL with %s placeholders, and its parameters."""

    sql: str
    params: tuple[Any, ...] = ()

    def __and__(self, other: _Sql) -> _Sql:
        return _Sql(f"{self.sql} AND {other.sql}", self.params + other.params)


def _any(conditions: list[_Sql]) -> _Sql:
    if not conditions:
        return _Sql("1 = 0")
    return _Sql("(" + " OR ".join(f"({c.sql})" for c in conditions) + ")", tuple(p for c in conditions for p in c.params))


def _in(column: str, values: list[Any]) -> _Sql:
    return _Sql(f"{column} IN ({', '.join(['%s'] * len(values))})", tuple(values))


_AWAITING_SQL = _Sql(f"{_a('status')} = %s AND {_a('signoff')} = %s", (ActionStatus.DECLINED, SignOff.AWAITING))

# Every action is in exactly one of these status parts; bucket 0 needs attention now.
_OPEN_OVERDUE, _AWAITING, _OPEN_NOT_DUE, _DECLINED_SETTLED = "open-overdue", "awaiting", "open-not-due", "declined-settled"
_PART_BUCKET = {_OPEN_OVERDUE: 0, _AWAITING: 0}
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


def _parts(filters: dict[str, Any]) -> tuple[str, ...]:
    return _STATUS_PARTS.get(filters.get("status") or "", _STATUS_PARTS[""])


def _part(part: str, now: Any) -> _Sql:
    # `due_at` is never null, so NOT (due_at >= now) is due_at < now. Said this way, SQLite
    # (which has no statistics unless ANALYZE ran) does not take the due-time range of another
    # index and sort; it reads the board index in order.
    status = _Sql(f"{_a('status')} = %s", (part,))
    if part == _OPEN_OVERDUE:
        return _Sql(f"{_a('status')} = %s AND NOT ({_a('due_at')} >= %s)", (ActionStatus.OPEN, now))
    if part == _OPEN_NOT_DUE:
        return _Sql(f"{_a('status')} = %s AND NOT ({_a('due_at')} < %s)", (ActionStatus.OPEN, now))
    if part == _AWAITING:
        return _AWAITING_SQL
    if part == _DECLINED_SETTLED:
        return _Sql(f"{_a('status')} = %s AND {_a('signoff')} <> %s", (ActionStatus.DECLINED, SignOff.AWAITING))
    return status


@dataclass(frozen=True)
class _Branch:
    where: _Sql
    awaiting_only: bool = False


def _branches(user: Any) -> list[_Branch]:
    """`board_visibility_q` as a union of index-friendly parts (equalities, no OR)."""
    branches = [_Branch(_Sql(f"{_a('owner_id')} = %s", (user.pk,)))]
    level = getattr(user, "escalation_level", 1)
    if level < 2:
        return branches
    if level >= 4:
        # The force at level 4 (a decline waiting at level 4 is in it too). Levels stop at 4.
        return [*branches, _Branch(_Sql(f"{_a('level')} = %s", (4,)))]
    if not user.team_id:
        return branches
    teams = [user.team_id] if level == 2 else list(Team.objects.filter(area_id=user.team.area_id).values_list("pk", flat=True))
    for team_id in teams:
        branches += [_Branch(_Sql(f"{_a('team_id')} = %s AND {_a('level')} = %s", (team_id, step))) for step in range(level, 5)]
        if level == 2:
            # R11: a decline waiting for sign-off is the supervisor's whatever level it reached
            # (those at level 2 and above are in the pieces above already).
            branches.append(_Branch(_Sql(f"{_a('team_id')} = %s AND {_a('level')} = %s", (team_id, 1)), awaiting_only=True))
    return branches


def _pieces(branches: list[_Branch], parts: tuple[str, ...], now: Any) -> list[_Sql]:
    """(part of the board) x (status part), each answered by one index."""
    return [
        branch.where & _part(part, now) for branch in branches for part in parts if not branch.awaiting_only or part == _AWAITING
    ]


_SHOWN_LEVEL = _Sql(f"CASE WHEN {_AWAITING_SQL.sql} AND {_a('level')} < 2 THEN 2 ELSE {_a('level')} END", _AWAITING_SQL.params)


def _filters(filters: dict[str, Any]) -> list[_Sql]:
    """The filters other than status."""
    where = []
    if filters.get("kind"):
        where.append(_in(_a("kind"), list(filters["kind"])))
    if filters.get("level"):
        levels = [int(v) for v in filters["level"]]
        where.append(_Sql(f"{_SHOWN_LEVEL.sql} IN ({', '.join(['%s'] * len(levels))})", (*_SHOWN_LEVEL.params, *levels)))
    if filters.get("team"):
        where.append(_Sql(f"{_a('team_id')} = %s", (filters["team"],)))
    return where


def _access(user: Any) -> _Sql | None:
    """`cases_for_user`, compiled once, as a condition on the action's case; None when the
    person may see no case at all."""
    cases = cases_for_user(user).filter(pk=RawSQL(_a("case_id"), ())).values("pk")  # noqa: S611 - a constant column name
    try:
        sql, params = cases.query.sql_with_params()
    except EmptyResultSet:
        return None
    return _Sql(f"EXISTS ({sql})", tuple(params))


def _select(columns: str, where: list[_Sql], *, case: bool = False, tail: str = "", tail_params: tuple[Any, ...] = ()) -> _Sql:
    sql = f"SELECT {columns} FROM {_ACTIONS}"  # noqa: S608 - names are constants, values parameters
    if case:
        sql += f' INNER JOIN {_CASE} ON "bc"."id" = {_a("case_id")}'
    # The access check goes last, so the database runs it only on rows that passed the rest.
    sql += " WHERE " + " AND ".join(f"({w.sql})" for w in where) + tail
    return _Sql(sql, tuple(p for w in where for p in w.params) + tail_params)


def _fetch(query: _Sql) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query.sql, query.params)
        return list(cursor.fetchall())


def _rank_sql(column: str, order: list[Any]) -> _Sql:
    whens = " ".join("WHEN %s THEN " + str(i) for i in range(len(order)))
    return _Sql(f"CASE {column} {whens} ELSE {len(order)} END", tuple(str(v) for v in order))


def _probe(where: list[_Sql], now: Any, cap: int | None) -> list[tuple[int, int, int, int]]:
    """Up to cap + 1 rows of the board (all of them without a cap), as (id, overdue, awaiting,
    level), in board order: the rows are taken first, then only they are sorted."""
    overdue = _Sql(f"CASE WHEN {_a('status')} = %s AND {_a('due_at')} < %s THEN 1 ELSE 0 END", (ActionStatus.OPEN, now))
    awaiting = _Sql(f"CASE WHEN {_AWAITING_SQL.sql} THEN 1 ELSE 0 END", _AWAITING_SQL.params)
    priority, risk = _rank_sql(_a("priority"), PRIORITY_ORDER), _rank_sql('"bc"."risk_level"', RISK_ORDER)
    columns = [overdue, awaiting, priority, risk]
    select = (
        f"{_a('id')} AS id, {overdue.sql} AS overdue, {awaiting.sql} AS awaiting, {_a('level')} AS level, "
        f"{priority.sql} AS priority_rank, {risk.sql} AS risk_rank, {_a('created_at')} AS created_at"
    )
    limit = (" LIMIT %s", (cap + 1,)) if cap is not None else ("", ())
    inner = _select(select, where, case=True, tail=limit[0], tail_params=limit[1])
    # MATERIALIZED: read the rows first and sort only them (SQLite would otherwise fold the
    # subquery into the outer query, sort the whole board and only then take cap + 1).
    outer = (
        f"WITH probe AS MATERIALIZED ({inner.sql}) SELECT id, overdue, awaiting, level FROM probe "  # noqa: S608
        "ORDER BY CASE WHEN overdue = 1 OR awaiting = 1 THEN 0 ELSE 1 END, priority_rank, risk_rank, created_at, id"
    )
    return [tuple(int(v) for v in row) for row in _fetch(_Sql(outer, tuple(p for c in columns for p in c.params) + inner.params))]  # type: ignore[misc]


def _counted(rows: list[tuple[int, int, int, int]]) -> dict[str, int]:
    return {
        "total": len(rows),
        "overdue": sum(r[1] for r in rows),
        "awaiting": sum(r[2] for r in rows),
        "escalated": sum(1 for r in rows if r[3] >= 2 or r[2]),
    }


def _capped_counts(wheres: dict[str, list[_Sql]], cap: int) -> dict[str, int]:
    """Each count up to cap + 1, in one statement."""
    if not wheres:
        return {}
    selects = []
    for n, where in enumerate(wheres.values()):
        inner = _select("1 AS x", where, tail=" LIMIT %s", tail_params=(cap + 1,))
        selects.append(_Sql(f"(SELECT COUNT(*) FROM ({inner.sql}) AS c{n})", inner.params))  # noqa: S608
    row = _fetch(_Sql("SELECT " + ", ".join(s.sql for s in selects), tuple(p for s in selects for p in s.params)))[0]
    return {name: int(value) for name, value in zip(wheres, row, strict=True)}


def _walk(branches: list[_Branch], parts: tuple[str, ...], rest: list[_Sql], *, now: Any, need: int) -> list[int]:
    """The first `need` rows in board order, one segment (bucket, priority, risk level) at a
    time: one statement reads the segment's pieces in age order, each stopping at what the
    page still needs, and merges them."""
    risks = [_Sql('"bc"."risk_level" = %s', (str(r),)) for r in RISK_ORDER]
    risks.append(_Sql(f'"bc"."risk_level" NOT IN ({", ".join(["%s"] * len(RISK_ORDER))})', tuple(str(r) for r in RISK_ORDER)))
    found: list[int] = []
    for bucket in (0, 1):
        pieces = _pieces(branches, tuple(p for p in parts if _PART_BUCKET.get(p, 1) == bucket), now)
        if not pieces:
            continue
        for priority in PRIORITY_ORDER:
            for risk in risks:
                want = need - len(found)
                members = []
                for n, piece in enumerate(pieces):
                    where = [piece, _Sql(f"{_a('priority')} = %s", (str(priority),)), risk, *rest]
                    order = f" ORDER BY {_a('created_at')}, {_a('id')} LIMIT %s"
                    inner = _select(
                        f"{_a('id')} AS id, {_a('created_at')} AS created_at", where, case=True, tail=order, tail_params=(want,)
                    )
                    members.append(_Sql(f"SELECT id, created_at FROM ({inner.sql}) AS m{n}", inner.params))  # noqa: S608
                # UNION (not ALL): an action in two pieces (its owner's and its team's) comes once.
                union = " UNION ".join(m.sql for m in members)
                merged = _Sql(
                    f"SELECT id FROM ({union}) AS segment ORDER BY created_at, id LIMIT %s",  # noqa: S608
                    (*(p for m in members for p in m.params), want),
                )
                found += [row[0] for row in _fetch(merged)]
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


# Past any real board: a larger page number is "past the end", which shows the last page.
_MAX_PAGE = 100_000


def _page_number(value: Any) -> int:
    """The page asked for; 1 when it is not a number (as Paginator.get_page)."""
    try:
        return min(int(value), _MAX_PAGE)
    except (TypeError, ValueError, OverflowError):
        return 1


def board_page(
    user: Any, filters: dict[str, Any], *, number: int, now: dt.datetime
) -> tuple[BoardPage, dict[str, int], set[str]]:
    """The page of the board (its rows in board order), the counts, and which counts stopped
    at the cap. A page below 1 is the last page and past the end the last one too (as
    Paginator.get_page has it)."""
    access = _access(user) if getattr(user, "is_authenticated", False) else None
    if access is None:
        return BoardPage([], 1, total=0, capped=False), dict.fromkeys(("total", "overdue", "awaiting", "escalated"), 0), set()
    at = connection.ops.adapt_datetimefield_value(now)
    branches, parts = _branches(user), _parts(filters)
    rest = [*_filters(filters), access]
    visible = [_any(_pieces(branches, parts, at)), *rest]
    # Enough to know whether the page asked for exists and whether there is a next one. The
    # last page (a page below 1) takes the full count.
    cap = max(COUNT_CAP, number * PER_PAGE) if number >= 1 else None
    rows = _probe(visible, at, cap)
    counts = _counted(rows)
    capped: set[str] = set()
    if cap is None or len(rows) <= cap:
        ids = [row[0] for row in rows]
        pages = max(1, math.ceil(len(ids) / PER_PAGE))
        number = pages if number < 1 else min(number, pages)
        page_ids = ids[(number - 1) * PER_PAGE : number * PER_PAGE]
    else:
        # More than the cap. A count that holds every row of the probe is over the cap too;
        # the others are counted on their own pieces, up to the cap.
        wheres = {
            "overdue": [_any(_pieces(branches, tuple(p for p in parts if p == _OPEN_OVERDUE), at)), *rest],
            "awaiting": [_any(_pieces(branches, tuple(p for p in parts if p == _AWAITING), at)), *rest],
            "escalated": [*visible[:1], _Sql(f"{_a('level')} >= 2 OR ({_AWAITING_SQL.sql})", _AWAITING_SQL.params), *rest],
        }
        counts.update(_capped_counts({name: w for name, w in wheres.items() if counts[name] <= cap}, cap))
        capped = {name for name, value in counts.items() if value > cap}
        counts = {name: min(value, cap) for name, value in counts.items()}
        page_ids = _walk(branches, parts, rest, now=at, need=number * PER_PAGE)[(number - 1) * PER_PAGE :]
    actions = (
        Action.objects.filter(pk__in=page_ids)
        .select_related("case", "case__victim", "team", "owner")
        .annotate(shown_level=_shown_level())
    )
    by_pk = {action.pk: action for action in actions}
    page = BoardPage([by_pk[pk] for pk in page_ids if pk in by_pk], number, total=counts["total"], capped="total" in capped)
    return page, counts, capped


def _shown_level() -> Greatest:
    return Greatest("level", When_(When(AWAITING, then=Value(2)), default=Value(1), output_field=IntegerField()))


def build_board(user: Any, params: QueryDict, *, now: dt.datetime) -> Board:
    """Read the filters (invalid values are ignored, not fatal), then count and paginate."""
    form = BoardFilterForm(params, teams=teams_for_board(user))
    form.is_valid()
    filters = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    page, counts, capped = board_page(user, filters, number=_page_number(params.get("page")), now=now)
    return Board(form=form, page=page, counts=counts, capped=capped, selected=selected_filters(form, params), now=now)
