from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import PersonFactory
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case, Report
from vigil.cases.services import case_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(officer: Any) -> Case:
    return case_open(
        actor=officer,
        victim=PersonFactory(full_name="Aisha Okafor"),
        subject=PersonFactory(full_name="Gareth Pryce"),
        team=officer.team,
    )


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_case_list_searches_by_name_and_shows_only_the_teams_cases(officer: Any, outsider: Any, case: Case) -> None:
    response = _client(officer).get(reverse("case_list"), {"q": "okafor"})
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert case.reference not in _client(outsider).get(reverse("case_list")).content.decode()


def test_case_page_is_404_for_an_officer_of_another_team(outsider: Any, case: Case) -> None:
    assert _client(outsider).get(reverse("case_detail", args=[case.pk])).status_code == 404


def test_viewing_a_case_is_audited(officer: Any, case: Case) -> None:
    response = _client(officer).get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert "Aisha Okafor" in response.content.decode()
    assert AuditEvent.objects.filter(action="case.view", object_id=str(case.pk), actor=officer).exists()


def test_report_form_shows_an_error_summary_and_saves_nothing(officer: Any, case: Case) -> None:
    response = _client(officer).post(reverse("report_new", args=[case.pk]), {"category": "", "reported_at": "yesterday"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Choose what kind of report it is" in body
    assert "Enter the date and time as year-month-day" in body
    assert Report.objects.count() == 0


def test_report_form_records_a_report(officer: Any, case: Case) -> None:
    response = _client(officer).post(
        reverse("report_new", args=[case.pk]),
        {"category": "stalking", "reported_at": "2025-03-02 02:10", "summary": "Waited outside."},
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.category == "stalking" and report.case == case
    assert AuditEvent.objects.filter(action="report.record", object_id=str(report.pk)).exists()


def test_anonymous_users_are_sent_to_sign_in(case: Case) -> None:
    response = Client().get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_case_page_says_an_order_past_its_expiry_has_expired(officer: Any, case: Case) -> None:
    import datetime as dt

    from django.utils import timezone

    from vigil.orders.services import order_grant

    now = timezone.now()
    for reference, starts, expires in (
        ("DVPO-1", now - dt.timedelta(days=60), now - dt.timedelta(days=32)),
        ("RO-2", now - dt.timedelta(days=10), None),
        ("SPO-3", now + dt.timedelta(days=2), now + dt.timedelta(days=200)),
    ):
        order_grant(
            actor=officer,
            reference=reference,
            order_type="dvpo",
            subject=case.subject,
            protected=[case.victim],
            starts_at=starts,
            expires_at=expires,
            conditions=[{"kind": "no_contact"}],
        )
    body = " ".join(_client(officer).get(reverse("case_detail", args=[case.pk])).content.decode().split())
    assert "DVPO-1 (Domestic violence protection order)</strong>:" in body
    section = body.split("DVPO-1", 1)[1]
    assert ", expired." in section.split("RO-2", 1)[0]
    assert ", in force." in section.split("RO-2", 1)[1].split("SPO-3", 1)[0]
    assert ", not yet in force." in section.split("SPO-3", 1)[1]
