from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.actions.builders import assessed, complete_all_but, of_kind, reported, warranted
from tests.conftest import PASSWORD
from tests.factories import PersonFactory, UserFactory
from vigil.actions.models import Action
from vigil.actions.selectors import actions_for_user
from vigil.actions.services import action_complete, action_decline, action_reassign
from vigil.cases.models import Case
from vigil.cases.services import case_open
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus, Priority, RiskLevel, Role, SignOff

# Board, forms and audit trail over actions the engine made from the facts the tests record
# (the live bridge on), with the clock held (`frozen_clock`) so how overdue each is, and the
# level the ladder raised it to, never depends on today's date.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

HOURS = dt.timedelta(hours=1)
DAYS = dt.timedelta(days=1)
PRIORITY_RANK = {Priority.IMMEDIATE: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}
RISK_RANK = {RiskLevel.HIGH: 0, RiskLevel.MEDIUM: 1, RiskLevel.STANDARD: 2, "": 3}


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _rows(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-action="(\d+)"', body)]


def _case(owner: Any, team: Any = None) -> Case:
    """A case the owner opened (the policy's actions on it are theirs)."""
    return case_open(actor=owner, victim=PersonFactory(), subject=PersonFactory(), team=team or owner.team)


def _pks(actions: list[Action]) -> set[int]:
    return {a.pk for a in actions}


def _board_order(actions: list[Action]) -> list[int]:
    """The board's order, worked out here: overdue (or waiting for sign-off) first, then
    priority, then the case's risk, then the oldest."""
    now = times.now()

    def key(a: Action) -> tuple[Any, ...]:
        urgent = (a.status == ActionStatus.OPEN and a.due_at < now) or a.signoff == SignOff.AWAITING
        return (0 if urgent else 1, PRIORITY_RANK[a.priority], RISK_RANK[a.case.risk_level], a.created_at, a.pk)

    return [a.pk for a in sorted((Action.objects.select_related("case").get(pk=a.pk) for a in actions), key=key)]


def test_supervisor_sees_a_team_members_overdue_warrant_at_the_top(officer: Any, colleague: Any, supervisor: Any) -> None:
    high = _case(officer)
    assessed(high, actor=officer, ago=22 * DAYS)
    warrant = of_kind(warranted(high, actor=officer, ago=21 * DAYS, reference="W1"), ActionKind.EXECUTE_WARRANT)
    complete_all_but(high, warrant, actor=officer)  # everything else was done; the warrant sat for 20 days
    overdue = reported(_case(colleague), actor=colleague, ago=30 * HOURS)  # due 6 hours ago: level 2
    only_officer = reported(_case(officer), actor=officer, ago=HOURS)  # not due: level 1, the officer's own
    warrant.refresh_from_db()
    assert (warrant.priority, warrant.level) == (Priority.HIGH, 4)
    assert {a.level for a in Action.objects.filter(pk__in=_pks(overdue))} == {2}

    response = _client(supervisor).get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    rows = _rows(body)
    assert rows[0] == warrant.pk
    assert rows == _board_order([warrant, *overdue])
    assert not _pks(only_officer) & set(rows)  # level 1 is the officer's, not yet the supervisor's
    first = body.split('data-action="')[1]
    assert high.reference in first and "overdue by 20 days" in first and "W1" in first
    assert "vigil-risk--high" in first


def test_an_officer_does_not_see_another_teams_actions(officer: Any, outsider: Any) -> None:
    mine = reported(_case(officer), actor=officer, ago=HOURS)
    their_case = _case(outsider)
    theirs = reported(their_case, actor=outsider, ago=5 * DAYS)  # level 4: the force's top
    body = _client(officer).get(reverse("home")).content.decode()
    assert set(_rows(body)) == _pks(mine)
    assert their_case.reference not in body
    assert set(_rows(_client(outsider).get(reverse("home")).content.decode())) == _pks(theirs)


def test_an_officer_sees_only_their_own_actions_not_colleagues(officer: Any, colleague: Any) -> None:
    made = reported(_case(officer), actor=officer, ago=3 * DAYS)  # level 3 by now
    given = of_kind(made, ActionKind.DATABASE_CHECKS)
    action_reassign(actor=officer, action=given, owner=colleague)
    assert set(actions_for_user(officer)) == {a for a in made if a.pk != given.pk}
    assert list(actions_for_user(colleague)) == [given]


def test_each_rank_sees_its_own_level_and_scope(
    officer: Any, supervisor: Any, inspector: Any, superintendent: Any, neighbour_team: Any, outsider: Any
) -> None:
    neighbour = UserFactory(role=Role.OFFICER, team=neighbour_team)
    a2 = reported(_case(officer), actor=officer, ago=30 * HOURS)  # due 6 hours ago: level 2
    a3_next = reported(_case(neighbour), actor=neighbour, ago=50 * HOURS)  # a day past due: level 3
    a3_far = reported(_case(outsider), actor=outsider, ago=50 * HOURS)
    a4_far = reported(_case(outsider), actor=outsider, ago=5 * DAYS)  # three days past due: level 4
    for made, level in ((a2, 2), (a3_next, 3), (a3_far, 3), (a4_far, 4)):
        assert {a.level for a in Action.objects.filter(pk__in=_pks(made))} == {level}

    assert set(actions_for_user(supervisor)) == set(a2)
    assert set(actions_for_user(inspector)) == set(a3_next)  # their area at level 3, not level 2, not another area
    assert set(actions_for_user(superintendent)) == set(a4_far)
    assert not set(a3_far) & set(actions_for_user(inspector))


def test_order_is_overdue_then_priority_then_risk_then_age(officer: Any) -> None:
    standard = _case(officer)
    made = [
        *reported(_case(officer), actor=officer, ago=30 * HOURS),  # overdue: high and medium
        *assessed(_case(officer), actor=officer, ago=2 * HOURS),  # high risk, not due: high
        *assessed(_case(officer), actor=officer, ago=3 * HOURS, level=RiskLevel.MEDIUM),  # medium risk: medium
        *reported(standard, actor=officer, ago=4 * HOURS),  # not assessed, older: high and medium
        *warranted(standard, actor=officer, ago=HOURS),  # not assessed: high and low
    ]
    stored = list(Action.objects.select_related("case").filter(pk__in=_pks(made)))
    now = times.now()
    not_due = [a for a in stored if a.due_at >= now]
    # The world has each thing the order weighs, so the check below can fail.
    assert any(a.due_at < now for a in stored) and {a.priority for a in stored} >= {"high", "medium", "low"}
    assert {a.case.risk_level for a in not_due if a.priority == Priority.HIGH} == {RiskLevel.HIGH, ""}  # "": not assessed
    body = _client(officer).get(reverse("home")).content.decode()
    assert _rows(body) == _board_order(made)


def test_a_decline_waiting_for_sign_off_is_on_the_supervisors_board(officer: Any, supervisor: Any) -> None:
    case = _case(officer)
    plan = of_kind(assessed(case, actor=officer, ago=2 * HOURS), ActionKind.SAFETY_PLAN)  # high risk, level 1
    declined = action_decline(
        actor=officer, action=plan, rationale="Victim has moved out of the area; the new force has the referral."
    )
    declined.refresh_from_db()
    assert (declined.signoff, declined.level) == (SignOff.AWAITING, 2)  # R11: a high-risk pair's decline
    body = _client(supervisor).get(reverse("home")).content.decode()
    assert _rows(body) == [declined.pk]
    assert "waiting for sign-off" in body and "Victim has moved out of the area" in body


def test_filters_counts_and_the_refresh_fragment(officer: Any, supervisor: Any) -> None:
    case = _case(officer)
    report = reported(case, actor=officer, ago=51 * HOURS)  # a day past due: level 3
    done = of_kind(report, ActionKind.DATABASE_CHECKS)
    action_complete(actor=officer, action=done, note="Checks done: nothing further found.")
    r6 = warranted(case, actor=officer, ago=25 * HOURS)
    warrant = of_kind(r6, ActionKind.EXECUTE_WARRANT)  # standard risk: due in 6 days, level 1
    contact = of_kind(r6, ActionKind.VICTIM_CONTACT)  # due an hour ago: level 2
    level3 = [a for a in report if a.pk != done.pk]
    client = _client(supervisor)

    body = client.get(reverse("home")).content.decode()
    shown = [*level3, contact]
    assert set(_rows(body)) == _pks(shown) and warrant.pk not in _rows(body)
    assert re.search(r"<strong>3</strong> actions shown", body) and re.search(r"<strong>3</strong> overdue", body)
    assert 'class="moj-filter-layout vigil-filter-layout"' in body and 'class="moj-filter"' in body

    assert _rows(client.get(reverse("home"), {"kind": "victim_contact"}).content.decode()) == [contact.pk]
    assert _rows(client.get(reverse("home"), {"level": "2"}).content.decode()) == [contact.pk]
    assert set(_rows(client.get(reverse("home"), {"level": "3"}).content.decode())) == _pks(level3)
    finished = client.get(reverse("home"), {"status": "done"}).content.decode()
    assert _rows(finished) == [done.pk] and "Filtered by:" in finished
    assert set(_rows(client.get(reverse("home"), {"status": "overdue"}).content.decode())) == _pks(shown)
    # A bad value is ignored, not an error.
    assert client.get(reverse("home"), {"level": "9", "team": "x"}).status_code == 200

    fragment = client.get(reverse("home"), {"kind": "victim_contact"}, headers={"X-Vigil-Refresh": "board"}).content.decode()
    assert "<html" not in fragment and _rows(fragment) == [contact.pk]


def test_the_board_paginates(officer: Any) -> None:
    made = [a for n in range(9) for a in reported(_case(officer), actor=officer, ago=(n + 1) * HOURS)]
    assert len(made) == 27
    client = _client(officer)
    first = client.get(reverse("home")).content.decode()
    assert len(_rows(first)) == 25 and "Page 1 of 2" in first and "<strong>27</strong> actions shown" in first
    second = _rows(client.get(reverse("home"), {"page": 2}).content.decode())
    assert _rows(first) + second == _board_order(made)


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
    made = [*reported(_case(officer), actor=officer, ago=10 * HOURS), *reported(_case(officer), actor=officer, ago=9 * HOURS)]
    order = _board_order(made)
    assert len(order) == 6
    client = _client(officer)
    body = client.get(reverse("home")).content.decode()
    assert "<strong>More than 3</strong> actions shown" in body and "stops counting at 3" in body
    assert _rows(body) == order[:2]
    assert "Page 1<" in body and "Page 1 of" not in body and 'rel="next"' in body
    last = client.get(reverse("home"), {"page": 3}).content.decode()
    assert _rows(last) == order[4:] and "<strong>6</strong> actions shown" in last and "Page 3 of 3" in last
