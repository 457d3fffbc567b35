"""The person page: one human across linked records, every case and victim the user may see,
and whether R9 (one subject, two or more victims) has fired."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PersonFactory, PlaceFactory, UserFactory
from vigil.actions.models import Action
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case, Flag
from vigil.cases.services import case_open, report_record
from vigil.core.constants import Role
from vigil.people.models import PersonLink
from vigil.people.services import person_create, place_create
from vigil.warrants.services import warrant_issue

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _report(officer: Any, case: Case, day: int) -> None:
    report_record(actor=officer, case=case, category="stalking", reported_at=dt.datetime(2025, 3, day, 21, 0, tzinfo=UTC))


def _signed_in(otp_login: Any, user: Any) -> Client:
    return otp_login(Client(enforce_csrf_checks=True), user)


@pytest.fixture
def serial(officer: Any) -> dict[str, Any]:
    """Two records of one man, written down by two victims' reports, linked automatically."""
    daniel = person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", sex="male")
    danny = person_create(actor=officer, full_name="Danny Rourke", born="1990-07-23", sex="male", aliases=["D. Rourke"])
    first = person_create(actor=officer, full_name="Aisha Okafor", born="1992-01-05", sex="female")
    second = person_create(actor=officer, full_name="Megan Talbot", born="1988-09-30", sex="female")
    case_1 = case_open(actor=officer, victim=first, subject=daniel, team=officer.team, allocate=[officer])
    case_2 = case_open(actor=officer, victim=second, subject=danny, team=officer.team, allocate=[officer])
    _report(officer, case_1, 2)
    _report(officer, case_2, 9)
    return {"daniel": daniel, "danny": danny, "first": first, "second": second, "case_1": case_1, "case_2": case_2}


def test_the_page_shows_every_linked_record_case_and_victim(otp_login: Any, officer: Any, serial: dict[str, Any]) -> None:
    link = PersonLink.objects.get()
    assert link.status == "auto" and {link.a_id, link.b_id} == {serial["daniel"].pk, serial["danny"].pk}

    response = _signed_in(otp_login, officer).get(reverse("person_detail", args=[serial["daniel"].pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Danny Rourke" in body and "D. Rourke" in body  # the linked record and its alias
    assert "given name is a nickname (Daniel/Danny)" in body  # the evidence in words
    assert "Linked automatically" in body and f"{link.score:.3f}" in body
    assert serial["case_1"].reference in body and serial["case_2"].reference in body
    assert "Aisha Okafor" in body and "Megan Talbot" in body


def test_r9_fires_across_two_linked_records_and_shows_on_the_page(otp_login: Any, officer: Any, serial: dict[str, Any]) -> None:
    flags = Flag.objects.filter(kind="serial_perpetrator")
    reviews = Action.objects.filter(kind="serial_perpetrator_review", rule="R9")
    assert flags.exists() and reviews.exists()

    body = _signed_in(otp_login, officer).get(reverse("person_detail", args=[serial["danny"].pk])).content.decode()

    assert "Serial perpetrator (R9): named in reports by 2 victims" in body
    assert "More than one victim" in body and flags.first().detail in body  # type: ignore[union-attr]
    assert "serial_perpetrator<" not in body  # the label, not the code
    assert reverse("action_detail", args=[reviews.first().pk]) in body  # type: ignore[union-attr]
    assert "Serial perpetrator review" in body


def test_reading_the_page_is_audited(otp_login: Any, officer: Any, serial: dict[str, Any]) -> None:
    _signed_in(otp_login, officer).get(reverse("person_detail", args=[serial["daniel"].pk]))
    assert AuditEvent.objects.filter(action="person.view", object_id=str(serial["daniel"].pk), actor=officer).count() == 1


def test_a_user_without_access_gets_404(otp_login: Any, outsider: Any, serial: dict[str, Any]) -> None:
    client = _signed_in(otp_login, outsider)
    for person in ("daniel", "danny", "first"):
        assert client.get(reverse("person_detail", args=[serial[person].pk])).status_code == 404
    assert client.get(reverse("person_detail", args=[999999])).status_code == 404
    assert not AuditEvent.objects.filter(action="person.view", actor=outsider).exists()


def test_an_analyst_gets_404(otp_login: Any, serial: dict[str, Any]) -> None:
    analyst = UserFactory(username="analyst", role=Role.ANALYST, team=None)
    assert _signed_in(otp_login, analyst).get(reverse("person_detail", args=[serial["daniel"].pk])).status_code == 404


def test_same_name_different_birth_and_home_is_not_linked_nor_shown(otp_login: Any, officer: Any) -> None:
    """The false-positive guard: two Lionel Mackeys, born eight years apart, living apart."""
    leeds = place_create(actor=officer, address="14 Harehills Lane, Leeds LS8 4AA", kind="home", lat=53.81, lon=-1.52)
    york = place_create(actor=officer, address="3 Bootham Row, York YO30 7BW", kind="home", lat=53.96, lon=-1.09)
    elder = person_create(actor=officer, full_name="Lionel Mackey", born="1972-02-03", sex="male", home=york)
    younger = person_create(actor=officer, full_name="Lionel Mackey", born="1980-11-17", sex="male", home=leeds)
    case_1 = case_open(actor=officer, victim=PersonFactory(full_name="Priya Nair"), subject=elder, team=officer.team)
    case_2 = case_open(actor=officer, victim=PersonFactory(full_name="Joanne Kerr"), subject=younger, team=officer.team)
    _report(officer, case_1, 2)
    _report(officer, case_2, 9)

    assert not PersonLink.objects.exists()
    assert not Flag.objects.filter(kind="serial_perpetrator").exists()
    body = _signed_in(otp_login, officer).get(reverse("person_detail", args=[younger.pk])).content.decode()
    assert case_2.reference in body and case_1.reference not in body
    assert "Priya Nair" not in body and "1972" not in body
    assert "No other record is linked to this one." in body
    assert "so the rule does not apply" in body


def test_a_protected_home_is_never_printed(otp_login: Any, officer: Any, supervisor: Any) -> None:
    refuge = PlaceFactory(address="1 Hidden Refuge Lane, Leeds LS1 9ZZ", protected=True)
    victim = PersonFactory(full_name="Maryam Example", home=refuge)
    case = case_open(actor=officer, victim=victim, subject=PersonFactory(), team=officer.team, allocate=[officer])
    reveal = reverse("place_reveal", args=[case.pk, refuge.pk])

    allocated = _signed_in(otp_login, officer).get(reverse("person_detail", args=[victim.pk])).content.decode()
    colleague = _signed_in(otp_login, supervisor).get(reverse("person_detail", args=[victim.pk])).content.decode()

    for body in (allocated, colleague):
        assert "Hidden Refuge" not in body and "Protected address" in body
    assert reveal in allocated and reveal not in colleague


def test_case_page_and_warrant_board_link_to_the_person(otp_login: Any, officer: Any, serial: dict[str, Any]) -> None:
    warrant_issue(
        actor=officer,
        subject=serial["danny"],
        reference="WAR-PP-1",
        reason="Failed to appear.",
        issued_at=dt.datetime(2025, 3, 10, 9, 0, tzinfo=UTC),
        reported_at=dt.datetime(2025, 3, 10, 9, 0, tzinfo=UTC),
    )
    client = _signed_in(otp_login, officer)
    case_page = client.get(reverse("case_detail", args=[serial["case_1"].pk])).content.decode()
    board = client.get(reverse("warrant_board")).content.decode()
    assert reverse("person_detail", args=[serial["daniel"].pk]) in case_page
    assert reverse("person_detail", args=[serial["first"].pk]) in case_page
    assert reverse("person_detail", args=[serial["danny"].pk]) in board


def test_an_officer_who_may_see_one_victims_case_is_never_told_the_other_victims_name(
    otp_login: Any, officer: Any, outsider: Any
) -> None:
    """R9 fires on the outsider's case; its flag and review say how many victims, and the
    other victim (on a case of another team) is named nowhere the outsider can read."""
    daniel = person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", sex="male")
    first = person_create(actor=officer, full_name="Aisha Okafor", born="1992-01-05", sex="female")
    second = person_create(actor=outsider, full_name="Megan Talbot", born="1988-09-30", sex="female")
    case_1 = case_open(actor=officer, victim=first, subject=daniel, team=officer.team, allocate=[officer])
    case_2 = case_open(actor=outsider, victim=second, subject=daniel, team=outsider.team, allocate=[outsider])
    _report(officer, case_1, 2)
    _report(outsider, case_2, 9)
    assert Flag.objects.filter(kind="serial_perpetrator", case=case_2).exists()
    client = _signed_in(otp_login, outsider)
    review = Action.objects.get(case=case_2, kind="serial_perpetrator_review")
    for url in (
        reverse("case_detail", args=[case_2.pk]),
        reverse("person_detail", args=[daniel.pk]),
        reverse("action_detail", args=[review.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "named in reports by 2 victims" in body, url
        assert "Aisha Okafor" not in body, url
    assert client.get(reverse("case_detail", args=[case_1.pk])).status_code == 404


def test_a_victims_page_leaves_out_the_sections_about_a_subject(otp_login: Any, officer: Any, serial: dict[str, Any]) -> None:
    body = _signed_in(otp_login, officer).get(reverse("person_detail", args=[serial["first"].pk])).content.decode()
    assert serial["case_1"].reference in body
    assert 'id="victims"' not in body and 'id="serial"' not in body
    subject_page = _signed_in(otp_login, officer).get(reverse("person_detail", args=[serial["daniel"].pk])).content.decode()
    assert 'id="victims"' in subject_page and 'id="serial"' in subject_page
