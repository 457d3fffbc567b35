"""Defects of the second security round where a page said more than its reader may know
(issue 14: defects 1, 2, 5). The content-aware matrix (test_authz_content.py) checks every
page; these tests reproduce each defect as it was found."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.world import MarkedWorld, build_marked_world
from vigil.audit.chronology import case_audit_rows
from vigil.audit.models import AuditEvent
from vigil.cases.models import Sighting
from vigil.core.access import visible_queryset
from vigil.orders.models import OrderCondition
from vigil.people.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> MarkedWorld:
    return build_marked_world()


def _get(world: MarkedWorld, role: str, url: str) -> str:
    client = Client()
    client.force_login(world.user(role))
    response = client.get(url)
    assert response.status_code == 200, (url, role, response.status_code)
    return response.content.decode()


# --- defect 1: another case's sighting on a case page -------------------------------------------


def test_a_case_page_shows_only_its_own_pairs_sightings(world: MarkedWorld) -> None:
    """A restricted case for case A's subject, named to one officer, with a sighting whose
    summary is secret: case A's page, read by another officer, does not show it (not in the
    risk chart's titles, not in the chart's events table)."""
    page = _get(world, "supervisor", reverse("case_detail", args=[world.case.pk]))
    assert "Mkhiddensighting" not in page and "Mksouthsighting" not in page
    # The hidden case's own page still shows it to the officer named on it.
    assert "Mkhiddensighting" in _get(world, "officer", reverse("case_detail", args=[world.hidden.pk]))


def test_case_a_chronology_leaves_out_sightings_near_other_victims(world: MarkedWorld) -> None:
    hidden = Sighting.objects.get(near=world.hidden_victim)
    rows = case_audit_rows(world.case).filter(object_type="cases.sighting")
    assert str(hidden.pk) not in {r.object_id for r in rows}
    assert not rows.exists()  # case A has no sighting of its own in this world
    csv = _get(world, "supervisor", reverse("chronology_export", args=[world.case.pk, "csv"]))
    assert "Subject seen" not in csv


# --- defect 2: a protected address without a label, printed as plain text -----------------------


def test_a_protected_place_without_a_label_never_prints_its_address(world: MarkedWorld) -> None:
    place = Place.objects.get(protected=True, label="")
    assert "Mksecretclose" not in str(place)
    condition = OrderCondition.objects.get(place=place)
    assert str(condition) == "Exclusion zone of 200 m around a protected address"
    for role in ("idva", "supervisor", "officer"):
        assert "Mksecretclose" not in _get(world, role, reverse("case_detail", args=[world.case.pk])), role
    admin_page = _get(world, "admin", reverse("admin:orders_ordercondition_changelist"))
    assert "Mksecretclose" not in admin_page and "a protected address" in admin_page


# --- defect 5: the admin role reads restricted data -------------------------------------------------


def test_the_audit_admin_hides_rows_about_restricted_people(world: MarkedWorld) -> None:
    admin = world.user("admin")
    created = AuditEvent.objects.get(action="person.create", object_id=str(world.hidden_victim.pk))
    assert not visible_queryset(admin, AuditEvent).filter(pk=created.pk).exists()
    assert "Mkhiddenvictim" not in _get_follow(world, reverse("admin:audit_auditevent_change", args=[created.pk]))
    # Rows about what the admin may read are still there.
    south = AuditEvent.objects.get(action="person.create", object_id=str(world.south_victim.pk))
    assert visible_queryset(admin, AuditEvent).filter(pk=south.pk).exists()


def test_the_sighting_admin_hides_sightings_near_a_restricted_victim(world: MarkedWorld) -> None:
    admin: Any = world.user("admin")
    hidden = Sighting.objects.get(near=world.hidden_victim)
    assert not visible_queryset(admin, Sighting).filter(pk=hidden.pk).exists()
    assert visible_queryset(admin, Sighting).filter(near=world.south_victim).exists()
    assert "Mkhiddensighting" not in _get_follow(world, reverse("admin:cases_sighting_change", args=[hidden.pk]))


def _get_follow(world: MarkedWorld, url: str) -> str:
    client = Client()
    client.force_login(world.user("admin"))
    return client.get(url, follow=True).content.decode()
