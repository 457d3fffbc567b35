"""The board's fast path (`board_page`) against its definition (`board_queryset`).

`board_page` reads the board in parts, in index order, with counts that stop at a cap; it
must show exactly the rows `board_queryset` defines, in the same order, on every page, with
the same counts (or say "more than" the cap, truthfully). A mixed force: teams in two areas,
every rank, restricted cases with named people, actions owned across teams, every status,
level, priority and risk level, and ties in age.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.utils import timezone

from tests.actions.builders import make_case
from tests.factories import AreaFactory, PersonFactory, TeamFactory, UserFactory
from vigil.actions import board
from vigil.actions.board import board_counts, board_page, board_queryset
from vigil.actions.models import Action
from vigil.core.constants import ActionKind, ActionStatus, Priority, RiskLevel, Role, SignOff

# Board, forms and audit trail: the actions are built here, the engine is not asked (live_bridge).
# The one test of the board that builds its rows by hand: it checks the board's SQL against a
# plain reference query over every combination a stored row can be in (status, sign-off,
# level, priority, owner, due), not only those today's policy makes: closed rows made under
# an earlier policy keep their history after a force edits its file, and the board must
# still be right about them.
pytestmark = [pytest.mark.django_db, pytest.mark.policy_offline]

RISKS = [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.STANDARD, ""]


@pytest.fixture
def force() -> dict[str, Any]:
    rng = random.Random(6)
    now = timezone.now().replace(microsecond=0)
    north, south = AreaFactory(name="North"), AreaFactory(name="South")
    n1, n2, s1 = TeamFactory(area=north), TeamFactory(area=north), TeamFactory(area=south)
    teams = [n1, n2, s1]
    officers = {t.pk: [UserFactory(role=Role.OFFICER, team=t) for _ in range(2)] for t in teams}
    users = {
        "officer": officers[n1.pk][0],
        "other_officer": officers[s1.pk][1],
        "supervisor": UserFactory(role=Role.SUPERVISOR, team=n1),
        "south_supervisor": UserFactory(role=Role.SUPERVISOR, team=s1),
        "inspector": UserFactory(role=Role.INSPECTOR, team=n2),
        "superintendent": UserFactory(role=Role.SUPERINTENDENT, team=None),
        "teamless_supervisor": UserFactory(role=Role.SUPERVISOR, team=None),
        "idva": UserFactory(role=Role.IDVA, team=None),
        "admin": UserFactory(role=Role.ADMIN, team=None),
        "analyst": UserFactory(role=Role.ANALYST, team=None),
        "inactive_inspector": UserFactory(role=Role.INSPECTOR, team=n1, is_active=False),
    }
    staff = [u for members in officers.values() for u in members]
    staff += [users[name] for name in ("supervisor", "inspector", "analyst", "idva", "inactive_inspector")]
    cases = []
    for team in teams:
        actor = officers[team.pk][0]
        for i in range(5):
            cases.append(make_case(actor=actor, team=team, risk=RISKS[i % 4]))
        # Restricted: only the named may see it (the inspector and the superintendent are named on n1's).
        named = [users["inspector"], users["superintendent"]] if team == n1 else [users["south_supervisor"]]
        cases.append(make_case(actor=actor, team=team, risk=RiskLevel.HIGH, sensitive=True, allocate=named))
        cases.append(make_case(actor=actor, team=team, risk=RiskLevel.MEDIUM, victim=PersonFactory(is_police_staff=True)))
    # A southern case the northern officer is named on (need to know across the line).
    cases.append(make_case(actor=users["other_officer"], team=s1, risk=RiskLevel.HIGH, allocate=[users["officer"]]))

    ties = [now - dt.timedelta(hours=h) for h in (3, 30, 300)]
    actions = []
    for n, case in enumerate(cases):
        for m in range(rng.randint(4, 9)):
            state = rng.choice(["open-past", "open-past", "open-future", "done", "declined", "awaiting", "cancelled"])
            created = rng.choice(ties) if rng.random() < 0.3 else now - dt.timedelta(minutes=rng.randint(5, 20000))
            due = now + dt.timedelta(hours=rng.randint(1, 100)) * (-1 if state == "open-past" else 1)
            status = {"awaiting": ActionStatus.DECLINED}.get(state, state.split("-")[0])
            declined = status == ActionStatus.DECLINED
            actions.append(
                Action(
                    key=f"eq:{n}:{m}",
                    case=case,
                    kind=rng.choice(ActionKind.values),
                    rule="R3",
                    reason="equivalence",
                    victim_id=case.victim_id,
                    subject_id=case.subject_id,
                    created_at=created,
                    due_at=due,
                    priority=rng.choice(Priority.values),
                    status=status,
                    closed_at=None if status == ActionStatus.OPEN else now,
                    rationale="Declined for the test" if declined else "",
                    signoff=SignOff.AWAITING
                    if state == "awaiting"
                    else rng.choice([SignOff.SIGNED_OFF, SignOff.NOT_NEEDED])
                    if declined
                    else SignOff.NOT_NEEDED,
                    level=rng.choice([1, 1, 2, 3, 4]),
                    # Mostly someone of the case's team; now and then anyone (or no one).
                    owner=rng.choice(officers[case.team_id]) if rng.random() < 0.7 else rng.choice([*staff, None]),
                    # Now and then the action's team is not the case's (the case moved).
                    team=case.team if rng.random() < 0.85 else rng.choice(teams),
                )
            )
    Action.objects.bulk_create(actions)
    return {"now": now, "users": users, "teams": teams}


FILTERS: list[dict[str, Any]] = [
    {},
    *({"status": value} for value in ["open", "overdue", "awaiting", "done", "declined", "cancelled", "all"]),
    {"kind": [ActionKind.SAFETY_PLAN, ActionKind.EXECUTE_WARRANT]},
    {"level": ["2"]},
    {"level": ["1", "4"], "status": "all"},
]


def _reference(user: Any, filters: dict[str, Any], now: dt.datetime) -> tuple[list[int], dict[str, int]]:
    qs = board_queryset(user, filters=filters, now=now)
    return list(qs.values_list("pk", flat=True)), board_counts(qs, now=now)


def _check(user: Any, filters: dict[str, Any], now: dt.datetime) -> int:
    ids, counts = _reference(user, filters, now)
    paginator = Paginator(ids, board.PER_PAGE)
    for asked in [*range(1, paginator.num_pages + 2), 0, -1]:
        expected = paginator.get_page(asked)
        page, got, capped = board_page(user, filters, number=asked, now=now)
        where = f"{user.username} {filters} page {asked}"
        assert [a.pk for a in page.object_list] == list(expected.object_list), where
        assert page.number == expected.number, where
        assert page.has_next() == expected.has_next() and page.has_previous() == expected.has_previous(), where
        for name, value in counts.items():
            if name in capped:
                assert value > got[name], where  # "more than N" is true
            else:
                assert got[name] == value, where
        if not capped:
            assert page.num_pages == paginator.num_pages, where
    return len(ids)


@pytest.mark.parametrize("cap", [1000, 3])
def test_the_fast_board_shows_what_the_definition_shows(force: dict[str, Any], cap: int, monkeypatch: Any) -> None:
    # Small pages and (second run) a tiny cap, so every path is taken: the small board read in
    # one query, and the large one walked segment by segment with capped counts.
    monkeypatch.setattr(board, "PER_PAGE", 4)
    monkeypatch.setattr(board, "COUNT_CAP", cap)
    now = force["now"]
    seen = {}
    for (name, user), filters in itertools.product(force["users"].items(), FILTERS):
        seen[name, str(filters)] = _check(user, filters, now)
    for team in force["teams"]:
        for name in ("inspector", "superintendent"):
            _check(force["users"][name], {"team": team.pk, "status": "all"}, now)
    # The data set exercises what it claims to: full boards for the ranks, nothing for the rest.
    assert seen["superintendent", "{}"] > 4 and seen["supervisor", "{}"] > 4 and seen["inspector", "{}"] > 4
    assert seen["officer", "{'status': 'all'}"] > 8
    assert seen["inactive_inspector", "{'status': 'all'}"] == 0 and seen["analyst", "{'status': 'all'}"] == 0


def test_restricted_cases_stay_off_the_boards_of_people_not_named(force: dict[str, Any]) -> None:
    now = force["now"]
    for name, user in force["users"].items():
        page, _counts, _capped = board_page(user, {"status": "all"}, number=1, now=now)
        for action in page.object_list:
            case = action.case
            if case.sensitive:
                assert case.access_grants.filter(user=user).exists(), (name, case.reference)
