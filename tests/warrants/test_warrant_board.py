from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.actions.builders import make_case
from tests.conftest import PASSWORD
from tests.factories import PersonFactory, PlaceFactory
from vigil.cases.services import report_record, sighting_record
from vigil.core.constants import LinkStatus, RiskLevel
from vigil.people.models import PersonLink
from vigil.warrants.models import Warrant
from vigil.warrants.selectors import (
    Rfgv,
    distance_m,
    frequency_score,
    recency_score,
    warrant_board,
)
from vigil.warrants.services import warrant_issue

# The warrant board's reading: the engine is not asked (live_bridge).
pytestmark = [pytest.mark.django_db, pytest.mark.policy_offline]
DAYS = dt.timedelta(days=1)
HOME = (53.80000, -1.55000)


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _issue(actor: Any, subject: Any, ref: str, days_ago: int) -> Warrant:
    return warrant_issue(
        actor=actor,
        reference=ref,
        subject=subject,
        reason="Failed to appear at court",
        issued_at=timezone.now() - days_ago * DAYS,
        reported_at=timezone.now() - days_ago * DAYS,
    )


def test_distance_is_right_at_the_scale_that_matters() -> None:
    # One minute of latitude is 1,852 m by definition of the nautical mile (to within 0.5%).
    assert distance_m((53.8, -1.55), (53.8 + 1 / 60, -1.55)) == pytest.approx(1852, rel=0.005)
    # 0.005 degrees of longitude at 53.8 N: 111,195 m * cos(53.8) * 0.005 = 328 m.
    assert distance_m((53.8, -1.55), (53.8, -1.545)) == pytest.approx(328.3, abs=1.5)
    assert distance_m(HOME, HOME) == 0


def test_scores_in_bands() -> None:
    assert [recency_score(d) for d in (None, 3, 60, 120, 300, 900)] == [0, 5, 4, 3, 2, 1]
    assert [frequency_score(n) for n in (0, 1, 2, 3, 5, 9)] == [0, 1, 2, 3, 4, 5]
    assert Rfgv(5, 3, 5, 2).total == 15


def test_ranked_by_risk_then_days_then_a_sighting_nearby(officer: Any, supervisor: Any) -> None:
    high_subject, medium_subject, near_subject, far_subject = (PersonFactory() for _ in range(4))
    make_case(actor=officer, team=officer.team, risk=RiskLevel.HIGH, subject=high_subject)
    make_case(actor=officer, team=officer.team, risk=RiskLevel.MEDIUM, subject=medium_subject)
    victim_home = PlaceFactory(lat=HOME[0], lon=HOME[1])
    make_case(
        actor=officer, team=officer.team, risk=RiskLevel.MEDIUM, subject=near_subject, victim=PersonFactory(home=victim_home)
    )
    make_case(
        actor=officer,
        team=officer.team,
        risk=RiskLevel.MEDIUM,
        subject=far_subject,
        victim=PersonFactory(home=PlaceFactory(lat=HOME[0], lon=HOME[1])),
    )
    unlinked = PersonFactory()  # a warrant for someone who is no victim's subject: not on this board

    w_high = _issue(officer, high_subject, "W-HIGH", 2)
    w_medium_old = _issue(officer, medium_subject, "W-MED-OLD", 20)
    w_near = _issue(officer, near_subject, "W-NEAR", 5)
    w_far = _issue(officer, far_subject, "W-FAR", 5)
    _issue(officer, unlinked, "W-UNLINKED", 30)
    sighting_record(actor=officer, subject=near_subject, reported_at=timezone.now() - DAYS, lat=HOME[0] + 0.002, lon=HOME[1])
    sighting_record(actor=officer, subject=far_subject, reported_at=timezone.now() - 0.5 * DAYS, lat=HOME[0] + 0.05, lon=HOME[1])

    rows = warrant_board(supervisor, now=timezone.now())
    assert [r.warrant for r in rows] == [w_high, w_medium_old, w_near, w_far]
    near = rows[2]
    assert near.sighting_near and near.sighting_distance_m == pytest.approx(222.4, abs=2)
    assert not rows[3].sighting_near and rows[3].sighting_distance_m == pytest.approx(5560, rel=0.01)
    assert rows[0].risk_level == RiskLevel.HIGH and rows[1].days_outstanding == 20

    body = _client(supervisor).get(reverse("warrant_board")).content.decode()
    assert re.findall(r'data-warrant="([\w-]+)"', body) == ["W-HIGH", "W-MED-OLD", "W-NEAR", "W-FAR"]
    assert "Within 500 m of a victim" in body and "W-UNLINKED" not in body


def test_a_linked_record_counts_and_victims_are_counted_once(officer: Any) -> None:
    subject = PersonFactory(full_name="Michael Doyle")
    alias = PersonFactory(full_name="Mike Doyle")
    victim = PersonFactory()
    victim_again = PersonFactory()
    a, b = sorted((victim, victim_again), key=lambda p: p.pk)
    PersonLink.objects.create(
        a=a, b=b, status=LinkStatus.CONFIRMED, score=0.99, evidence="same person", created_at=timezone.now()
    )
    a, b = sorted((subject, alias), key=lambda p: p.pk)
    PersonLink.objects.create(a=a, b=b, status=LinkStatus.AUTO, score=0.97, evidence="nickname", created_at=timezone.now())
    first = make_case(actor=officer, team=officer.team, risk=RiskLevel.STANDARD, victim=victim, subject=subject)
    make_case(actor=officer, team=officer.team, risk=RiskLevel.HIGH, victim=victim_again, subject=alias)
    other = make_case(actor=officer, team=officer.team, risk=RiskLevel.MEDIUM, subject=alias)
    for case in (first, other):
        report_record(actor=officer, case=case, category="stalking", reported_at=timezone.now() - 10 * DAYS)

    warrant = _issue(officer, alias, "W-ALIAS", 3)  # issued under the nickname record
    (row,) = warrant_board(officer, now=timezone.now())
    assert row.warrant == warrant
    assert row.risk_level == RiskLevel.HIGH
    assert row.victims == 2  # the two linked victim records are one woman
    assert row.rfgv == Rfgv(recency=5, frequency=2, gravity=5, victims=2)


def test_another_team_sees_no_warrant_for_our_subject(officer: Any, outsider: Any) -> None:
    subject = PersonFactory()
    make_case(actor=officer, team=officer.team, risk=RiskLevel.HIGH, subject=subject)
    _issue(officer, subject, "W-OURS", 1)
    assert warrant_board(outsider, now=timezone.now()) == []
    assert "W-OURS" not in _client(outsider).get(reverse("warrant_board")).content.decode()
