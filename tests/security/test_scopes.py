"""Need to know, restricted cases and protected addresses, for every role."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import PersonFactory
from tests.security.world import STAFF_ROLES, World, build_world
from vigil.actions import access as actions_access
from vigil.audit.models import AuditEvent
from vigil.cases import access as cases_access
from vigil.cases.access import place_display, pseudonym
from vigil.cases.models import Case
from vigil.core import access
from vigil.orders import access as orders_access
from vigil.people.models import PROTECTED_TEXT
from vigil.warrants import access as warrants_access

pytestmark = pytest.mark.django_db

SEES_CASE = {"officer", "supervisor", "inspector", "superintendent", "idva", "admin"}
WRITES_CASE = {"officer", "supervisor", "inspector", "superintendent"}


@pytest.fixture
def world() -> World:
    return build_world()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_case_and_its_records_follow_need_to_know(world: World, role: str) -> None:
    user = world.user(role)
    sees = role in SEES_CASE
    assert cases_access.cases_for_user(user).filter(pk=world.case.pk).exists() is sees
    getters = [
        (cases_access.get_case_for_user, world.case),
        (cases_access.get_person_for_user, world.victim),
        (cases_access.get_person_for_user, world.subject),
        (cases_access.get_place_for_user, world.open_place),
        (orders_access.get_order_for_user, world.order),
        (warrants_access.get_warrant_for_user, world.warrant),
        (actions_access.get_action_for_user, world.action),
    ]
    for getter, obj in getters:
        if sees:
            assert getter(user, obj.pk).pk == obj.pk
        else:
            with pytest.raises(Http404):
                getter(user, obj.pk)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_only_police_roles_get_the_write_door(world: World, role: str) -> None:
    user = world.user(role)
    writers = [
        (cases_access.get_rw_case_for_user, world.case),
        (cases_access.get_rw_person_for_user, world.victim),
        (cases_access.get_rw_place_for_user, world.open_place),
        (orders_access.get_rw_order_for_user, world.order),
        (warrants_access.get_rw_warrant_for_user, world.warrant),
    ]
    for getter, obj in writers:
        if role in WRITES_CASE:
            assert getter(user, obj.pk).pk == obj.pk
        else:
            with pytest.raises(Http404):
                getter(user, obj.pk)


def test_reads_of_personal_records_are_audited(world: World) -> None:
    officer = world.user("officer")
    cases_access.get_person_for_user(officer, world.victim.pk)
    orders_access.get_order_for_user(officer, world.order.pk)
    warrants_access.get_warrant_for_user(officer, world.warrant.pk)
    actions = set(AuditEvent.objects.filter(actor=officer).values_list("action", flat=True))
    assert {"person.view", "order.view", "warrant.view"} <= actions


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_restricted_case_is_a_404_for_everyone_not_named(world: World, role: str) -> None:
    response = _client(world.user(role)).get(reverse("case_detail", args=[world.restricted.pk]))
    # Only the officer is named on it: not the supervisor of the same team, not the superintendent.
    assert response.status_code == (200 if role == "officer" else 404)
    listed = world.restricted.reference in _client(world.user(role)).get(reverse("case_list")).content.decode()
    assert listed is (role == "officer")


@pytest.mark.parametrize("staff_side", ["victim", "subject"])
def test_a_case_involving_police_staff_is_restricted_even_if_not_marked(world: World, staff_side: str) -> None:
    person = PersonFactory(is_police_staff=True)
    other = PersonFactory()
    victim, subject = (person, other) if staff_side == "victim" else (other, person)
    case = Case.objects.create(
        reference="VG-SEC-3", victim=victim, subject=subject, team=world.case.team, created_at=world.case.created_at
    )
    assert not case.sensitive
    for role in ("officer", "supervisor", "inspector", "superintendent", "admin"):
        with pytest.raises(Http404):
            cases_access.get_case_for_user(world.user(role), case.pk)


def test_an_adviser_sees_nothing_without_consent(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(referred_with_consent=False)
    assert not cases_access.cases_for_user(world.user("idva")).exists()
    with pytest.raises(Http404):
        cases_access.get_person_for_user(world.user("idva"), world.victim.pk)


def test_an_adviser_sees_a_case_only_while_their_referral_is_open(world: World) -> None:
    """Named on the case and the flag set is not enough: the open referral must name them."""
    from vigil.idva.models import IdvaReferral

    adviser = world.user("idva")
    assert list(cases_access.cases_for_user(adviser)) == [world.case]
    IdvaReferral.objects.filter(pk=world.idva_referral.pk).update(  # type: ignore[attr-defined]
        status="withdrawn", ended_at=world.case.created_at, ended_reason="Asked us to stop."
    )
    assert not cases_access.cases_for_user(adviser).exists()
    with pytest.raises(Http404):
        cases_access.get_case_for_user(adviser, world.case.pk)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_protected_address_is_shown_to_no_one_but_allocated_staff(world: World, role: str) -> None:
    user = world.user(role)
    shown = place_display(user, world.case, world.place)
    assert shown.text == PROTECTED_TEXT and shown.protected
    assert "Refuge Lane" not in repr(shown)
    assert shown.lat is None and shown.lon is None
    assert shown.can_reveal is (role == "officer")
    response = _client(user).get(reverse("place_reveal", args=[world.case.pk, world.place.pk]))
    assert response.status_code == (200 if role == "officer" else 404)
    assert ("1 Hidden Refuge Lane" in response.content.decode()) is (role == "officer")


def test_every_reveal_is_audited(world: World) -> None:
    officer = world.user("officer")
    client = _client(officer)
    url = reverse("place_reveal", args=[world.case.pk, world.place.pk])
    for _ in range(2):
        assert client.get(url).status_code == 200
    reveals = AuditEvent.objects.filter(
        action="place.reveal", actor=officer, object_id=str(world.place.pk), case_id=world.case.pk
    )
    assert reveals.count() == 2


def test_the_case_page_never_prints_the_protected_address(world: World) -> None:
    for role in SEES_CASE:
        body = _client(world.user(role)).get(reverse("case_detail", args=[world.case.pk])).content.decode()
        assert "Hidden Refuge Lane" not in body, role


def test_a_place_that_is_not_the_cases_cannot_be_revealed_through_it(world: World) -> None:
    from tests.factories import PlaceFactory

    elsewhere = PlaceFactory(protected=True)
    response = _client(world.user("officer")).get(reverse("place_reveal", args=[world.case.pk, elsewhere.pk]))
    assert response.status_code == 404


def test_the_template_tag_shows_a_reveal_link_only_to_allocated_staff(world: World) -> None:
    from django.template import Context, Template

    template = Template("{% load vigil_access %}{% place_text case place %}")
    for role, link in (("officer", True), ("supervisor", False)):
        request = RequestFactory().get("/")
        request.user = world.user(role)
        html = template.render(Context({"request": request, "case": world.case, "place": world.place}))
        assert PROTECTED_TEXT in html and "Hidden Refuge" not in html
        assert ("/address/" in html) is link
    request = RequestFactory().get("/")
    request.user = world.user("officer")
    html = template.render(Context({"request": request, "case": world.case, "place": world.open_place}))
    assert "22 Ordinary Street" in html


def test_the_analyst_sees_pseudonyms_counts_and_risk_but_no_names_addresses_or_text(world: World) -> None:
    body = _client(world.user("analyst")).get(reverse("analyst_cases")).content.decode()
    assert pseudonym(world.case.pk) in body
    for secret in ("Maryam", "Darren", "Example", "Refuge", "Ordinary Street", "school gates", "VG-SEC-1", "safety plan"):
        assert secret not in body, secret
    # Restricted cases are left out altogether.
    assert pseudonym(world.restricted.pk) not in body
    assert AuditEvent.objects.filter(action="analyst.view", actor=world.user("analyst")).exists()


def test_the_admin_lists_only_what_the_access_helpers_allow(world: World) -> None:
    from vigil.people.models import Person, Place

    admin = world.user("admin")
    assert not access.visible_queryset(admin, Case).filter(pk=world.restricted.pk).exists()
    assert access.visible_queryset(admin, Case).filter(pk=world.case.pk).exists()
    # Protected places never appear in the admin, even to the administrator.
    assert not access.visible_queryset(admin, Place).filter(pk=world.place.pk).exists()
    assert not access.visible_queryset(world.user("analyst"), Person).exists()
    body = _client(admin).get("/admin/people/place/").content.decode()
    assert "Hidden Refuge" not in body
