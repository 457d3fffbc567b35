from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.actions.builders import make_action, make_case
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from vigil.actions.selectors import actions_for_user
from vigil.core.constants import ActionKind, ActionStatus, Priority, RiskLevel, Role, SignOff

# Board, forms and audit trail: the actions are built here, the engine is not asked (live_bridge).
pytestmark = [pytest.mark.django_db, pytest.mark.policy_offline]

HOURS = dt.timedelta(hours=1)
DAYS = dt.timedelta(days=1)


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _rows(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-action="(\d+)"', body)]


def test_supervisor_sees_a_team_members_overdue_warrant_at_the_top(officer: Any, colleague: Any, supervisor: Any) -> None:
    high = make_case(actor=officer, team=officer.team, risk=RiskLevel.HIGH)
    medium = make_case(actor=officer, team=officer.team, risk=RiskLevel.MEDIUM)
    not_due = make_action(medium, kind=ActionKind.REFER_MARAC, owner=colleague, level=2, priority=Priority.IMMEDIATE)
    warrant = make_action(
        high,
        kind=ActionKind.EXECUTE_WARRANT,
        owner=officer,
        due_in=-20 * DAYS,
        age=21 * DAYS,
        level=4,
        rule="R6",
        reason="Execute warrant W1 for a subject whose victim is at high risk",
    )
    overdue_low = make_action(
        medium, kind=ActionKind.SAFETY_PLAN, owner=colleague, due_in=-2 * HOURS, level=2, priority=Priority.LOW
    )
    only_officer = make_action(high, kind=ActionKind.DATABASE_CHECKS, owner=officer, due_in=-HOURS, level=1)

    response = _client(supervisor).get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    rows = _rows(body)
    assert rows[0] == warrant.pk
    assert rows == [warrant.pk, overdue_low.pk, not_due.pk]
    assert only_officer.pk not in rows  # level 1 is the officer's, not yet the supervisor's
    first = body.split('data-action="')[1]
    assert high.reference in first and "overdue by 20 days" in first and "Execute warrant W1" in first
    assert "vigil-risk--high" in first


def test_an_officer_does_not_see_another_teams_actions(officer: Any, outsider: Any) -> None:
    mine = make_action(make_case(actor=officer, team=officer.team), owner=officer)
    theirs = make_action(make_case(actor=outsider, team=outsider.team), owner=outsider, level=4, due_in=-DAYS)
    body = _client(officer).get(reverse("home")).content.decode()
    assert _rows(body) == [mine.pk]
    assert theirs.case.reference not in body
    assert _rows(_client(outsider).get(reverse("home")).content.decode()) == [theirs.pk]


def test_an_officer_sees_only_their_own_actions_not_colleagues(officer: Any, colleague: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    mine = make_action(case, owner=officer)
    make_action(case, owner=colleague, level=3, due_in=-3 * DAYS)
    assert list(actions_for_user(officer)) == [mine]


def test_each_rank_sees_its_own_level_and_scope(
    officer: Any, supervisor: Any, inspector: Any, superintendent: Any, neighbour_team: Any, outsider: Any
) -> None:
    neighbour = UserFactory(role=Role.OFFICER, team=neighbour_team)
    ours = make_case(actor=officer, team=officer.team)
    next_door = make_case(actor=neighbour, team=neighbour_team)
    far = make_case(actor=outsider, team=outsider.team)
    a2 = make_action(ours, owner=officer, level=2, due_in=-HOURS)
    a3_next = make_action(next_door, owner=neighbour, level=3, due_in=-2 * DAYS)
    a3_far = make_action(far, owner=outsider, level=3, due_in=-2 * DAYS)
    a4_far = make_action(far, owner=outsider, level=4, due_in=-4 * DAYS)

    assert set(actions_for_user(supervisor)) == {a2}
    assert set(actions_for_user(inspector)) == {a3_next}  # their area at level 3, not level 2, not another area
    assert set(actions_for_user(superintendent)) == {a4_far}
    assert a3_far not in set(actions_for_user(inspector))


def test_order_is_overdue_then_priority_then_risk_then_age(officer: Any) -> None:
    high = make_case(actor=officer, team=officer.team, risk=RiskLevel.HIGH)
    standard = make_case(actor=officer, team=officer.team, risk=RiskLevel.STANDARD)
    low_overdue = make_action(standard, owner=officer, due_in=-HOURS, priority=Priority.LOW)
    high_risk_medium = make_action(high, owner=officer, priority=Priority.MEDIUM)
    std_medium_old = make_action(standard, owner=officer, priority=Priority.MEDIUM, age=5 * DAYS)
    std_medium_new = make_action(standard, owner=officer, priority=Priority.MEDIUM, age=HOURS)
    immediate = make_action(standard, owner=officer, priority=Priority.IMMEDIATE)
    body = _client(officer).get(reverse("home")).content.decode()
    assert _rows(body) == [low_overdue.pk, immediate.pk, high_risk_medium.pk, std_medium_old.pk, std_medium_new.pk]


def test_a_decline_waiting_for_sign_off_is_on_the_supervisors_board(officer: Any, supervisor: Any) -> None:
    case = make_case(actor=officer, team=officer.team, risk=RiskLevel.HIGH)
    declined = make_action(
        case,
        owner=officer,
        status=ActionStatus.DECLINED,
        closed_at=timezone.now(),
        rationale="Victim has moved out of the area; the new force has the referral.",
        signoff=SignOff.AWAITING,
    )
    body = _client(supervisor).get(reverse("home")).content.decode()
    assert _rows(body) == [declined.pk]
    assert "waiting for sign-off" in body and "Victim has moved out of the area" in body


def test_filters_counts_and_the_refresh_fragment(officer: Any, supervisor: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    warrant = make_action(case, kind=ActionKind.EXECUTE_WARRANT, owner=officer, level=2, due_in=-DAYS)
    plan = make_action(case, kind=ActionKind.SAFETY_PLAN, owner=officer, level=3)
    make_action(case, kind=ActionKind.SAFETY_PLAN, owner=officer, level=2, status=ActionStatus.DONE, closed_at=timezone.now())
    client = _client(supervisor)

    body = client.get(reverse("home")).content.decode()
    assert _rows(body) == [warrant.pk, plan.pk]
    assert re.search(r"<strong>2</strong> actions shown", body) and re.search(r"<strong>1</strong> overdue", body)
    assert 'class="moj-filter-layout vigil-filter-layout"' in body and 'class="moj-filter"' in body

    assert _rows(client.get(reverse("home"), {"kind": "safety_plan"}).content.decode()) == [plan.pk]
    assert _rows(client.get(reverse("home"), {"level": "2"}).content.decode()) == [warrant.pk]
    done = client.get(reverse("home"), {"status": "done"}).content.decode()
    assert len(_rows(done)) == 1 and "Filtered by:" in done
    assert _rows(client.get(reverse("home"), {"status": "overdue"}).content.decode()) == [warrant.pk]
    # A bad value is ignored, not an error.
    assert client.get(reverse("home"), {"level": "9", "team": "x"}).status_code == 200

    fragment = client.get(reverse("home"), {"kind": "safety_plan"}, headers={"X-Vigil-Refresh": "board"}).content.decode()
    assert "<html" not in fragment and _rows(fragment) == [plan.pk]


def test_the_board_paginates(officer: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    for _ in range(27):
        make_action(case, owner=officer)
    client = _client(officer)
    first = client.get(reverse("home")).content.decode()
    assert len(_rows(first)) == 25 and "Page 1 of 2" in first and "<strong>27</strong> actions shown" in first
    assert len(_rows(client.get(reverse("home"), {"page": 2}).content.decode())) == 2


def test_the_board_page_has_no_inline_script(officer: Any) -> None:
    body = _client(officer).get(reverse("home")).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", body, flags=re.S)
    assert scripts and all("src=" in attrs and not content.strip() for attrs, content in scripts)
    assert "actions/board-refresh" in body


def test_the_analyst_lands_on_the_pseudonymised_list(db: Any) -> None:
    analyst = UserFactory(username="analyst1", role=Role.ANALYST)
    response = _client(analyst).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("analyst_cases")


def test_a_board_past_the_count_cap_says_more_than_and_still_pages(officer: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("vigil.actions.board.COUNT_CAP", 3)
    monkeypatch.setattr("vigil.actions.board.PER_PAGE", 2)
    case = make_case(actor=officer, team=officer.team)
    made = [make_action(case, owner=officer, age=(10 - n) * HOURS) for n in range(5)]
    client = _client(officer)
    body = client.get(reverse("home")).content.decode()
    assert "<strong>More than 3</strong> actions shown" in body and "stops counting at 3" in body
    assert _rows(body) == [made[0].pk, made[1].pk]
    assert "Page 1<" in body and "Page 1 of" not in body and 'rel="next"' in body
    last = client.get(reverse("home"), {"page": 3}).content.decode()
    assert _rows(last) == [made[4].pk] and "<strong>5</strong> actions shown" in last and "Page 3 of 3" in last
