"""The case list's and the warrant board's filters, read from the query string, and the tags
that say which filters are in use."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.actions.builders import assessed_case, complete_all_but
from tests.conftest import PASSWORD
from vigil.actions.models import Action
from vigil.cases.models import Case
from vigil.cases.services import sighting_record
from vigil.core import times
from vigil.core.constants import RiskLevel
from vigil.warrants.services import warrant_issue

# The lists over cases whose risk and actions the engine set from recorded facts, at a held clock.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
DAYS = dt.timedelta(days=1)


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _cases(body: str) -> list[str]:
    return re.findall(r'data-case="([\w-]+)"', body)


def test_the_case_list_filters_by_risk_overdue_and_referral_and_says_so(officer: Any) -> None:
    high = assessed_case(actor=officer, team=officer.team, risk=RiskLevel.HIGH, ago=2 * DAYS)  # its plan is overdue
    medium = assessed_case(actor=officer, team=officer.team, risk=RiskLevel.MEDIUM)  # nothing due yet
    unassessed = assessed_case(actor=officer, team=officer.team)
    Case.objects.filter(pk=medium.pk).update(referred_with_consent=True)
    open_high = Action.objects.filter(case=high, status="open")
    overdue = open_high.filter(due_at__lt=times.now()).count()
    assert overdue and not Action.objects.filter(case=medium, status="open", due_at__lt=times.now()).exists()
    client = _client(officer)

    body = client.get(reverse("case_list")).content.decode()
    assert sorted(_cases(body)) == sorted([high.reference, medium.reference, unassessed.reference])
    assert f"{open_high.count()} open, " in body and f"{overdue} overdue" in body and "none open" in body

    assert _cases(client.get(reverse("case_list"), {"risk": "high"}).content.decode()) == [high.reference]
    both = client.get(reverse("case_list"), {"risk": ["medium", "none"]}).content.decode()
    assert sorted(_cases(both)) == sorted([medium.reference, unassessed.reference])
    assert _cases(client.get(reverse("case_list"), {"overdue": "on"}).content.decode()) == [high.reference]
    referred = client.get(reverse("case_list"), {"referred": "on"}).content.decode()
    assert _cases(referred) == [medium.reference]

    # The tags say what is filtered; each links to the list without it, search kept.
    body = client.get(reverse("case_list"), {"risk": ["high", "medium"], "q": high.victim.full_name}).content.decode()
    assert "Filtered by:" in body
    assert 'href="?risk=medium&amp;q=' in body and 'href="?risk=high&amp;q=' in body
    # A value that is not valid is left out, not an error.
    response = client.get(reverse("case_list"), {"risk": "catastrophic", "team": "x"})
    assert response.status_code == 200 and len(_cases(response.content.decode())) == 3


def test_the_warrant_board_filters_by_risk_time_outstanding_and_a_sighting_near_a_victim(officer: Any) -> None:
    from tests.factories import PersonFactory, PlaceFactory

    home = PlaceFactory(lat=53.8, lon=-1.55)
    near_case = assessed_case(
        actor=officer, team=officer.team, risk=RiskLevel.HIGH, victim=PersonFactory(home=home), subject=PersonFactory()
    )
    far_case = assessed_case(actor=officer, team=officer.team, risk=RiskLevel.MEDIUM)
    now = times.now()
    warrant_issue(
        actor=officer, reference="W-NEAR", subject=near_case.subject, reason="Failed to appear", issued_at=now - 3 * DAYS
    )
    warrant_issue(
        actor=officer, reference="W-OLD", subject=far_case.subject, reason="Failed to appear", issued_at=now - 30 * DAYS
    )
    sighting_record(actor=officer, subject=near_case.subject, reported_at=now - DAYS, lat=53.8012, lon=-1.55)
    client = _client(officer)

    def board(**params: Any) -> list[str]:
        return re.findall(r'data-warrant="([\w-]+)"', client.get(reverse("warrant_board"), params).content.decode())

    assert board() == ["W-NEAR", "W-OLD"]
    assert board(near="on") == ["W-NEAR"]
    assert board(outstanding="28") == ["W-OLD"]
    assert board(risk="medium") == ["W-OLD"]
    assert board(risk="none") == []
    body = client.get(reverse("warrant_board"), {"near": "on"}).content.decode()
    assert "1</strong> outstanding warrant with these filters (of 2)" in body and "Seen near a victim" in body
    assert "gravity 5, victims 1" in body and "of 20" in body


def test_the_analyst_filters_the_pseudonymised_list_by_area_risk_and_month(officer: Any, otp_login: Any) -> None:
    from tests.factories import TeamFactory, UserFactory
    from vigil.core.constants import Role

    other = TeamFactory()
    high = assessed_case(actor=officer, team=officer.team, risk=RiskLevel.HIGH)
    for done in (
        assessed_case(actor=officer, team=officer.team, risk=RiskLevel.MEDIUM),
        assessed_case(actor=officer, team=other, risk=RiskLevel.HIGH),
    ):
        complete_all_but(done, None, actor=officer)  # their work done: only `high` has open actions
    Case.objects.filter(pk=high.pk).update(created_at=times.now() - 70 * DAYS)
    analyst = otp_login(Client(), UserFactory(username="analyst-lists", role=Role.ANALYST, team=None))

    def rows(**params: Any) -> tuple[int, str]:
        body = analyst.get(reverse("analyst_cases"), params).content.decode()
        return len(re.findall(r'data-pseudonym="P-[0-9A-F]+"', body)), body

    count, body = rows()
    assert count == 3 and "High: <strong>2</strong>" in body and "Medium: <strong>1</strong>" in body
    assert rows(area=officer.team.area.name)[0] == 2
    assert rows(risk="high")[0] == 2
    assert rows(risk="high", area=other.area.name)[0] == 1
    assert rows(open_actions="on")[0] == 1
    month = timezone.localtime(times.now() - 70 * DAYS).strftime("%Y-%m")
    count, body = rows(opened_to=month)
    assert count == 1 and "with these filters (of 3)" in body
    # No name, reference or free text reaches the page, whatever the filter.
    assert high.reference not in body and high.victim.full_name not in body
