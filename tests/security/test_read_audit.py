"""Reads of personal records are audited (issue 14, defect 12), and so are changes of a user's
role or rights in the admin (defect 10)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.world import World, build_world
from vigil.audit.models import AuditEvent
from vigil.core.constants import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.user(role))
    return client


@pytest.mark.parametrize(
    ("name", "args", "action"),
    [
        ("action_detail", ("action",), "action.view"),
        ("portal_access", ("case",), "case.view"),
        ("risk_assessment_start", ("case",), "case.view"),
        ("report_new", ("case",), "case.view"),
        ("person_link_queue", (), "link.queue_view"),
    ],
)
def test_a_page_that_shows_personal_records_audits_the_read(world: World, name: str, args: tuple[str, ...], action: str) -> None:
    officer = world.user("officer")
    url = reverse(name, args=[getattr(world, a).pk for a in args])
    before = AuditEvent.objects.filter(actor=officer, action=action).count()
    assert _client(world, "officer").get(url).status_code == 200
    rows = AuditEvent.objects.filter(actor=officer, action=action)
    assert rows.count() == before + 1
    if args:
        assert rows.order_by("-seq").first().case_id == world.case.pk


def test_the_risk_check_page_audits_the_answers_it_shows(world: World) -> None:
    client = _client(world, "officer")
    response = client.post(reverse("risk_assessment_start", args=[world.case.pk]), {"instrument": "dash"})
    assert response.status_code == 302
    from vigil.risk.models import AssessmentDraft

    draft = AssessmentDraft.objects.get(case=world.case)
    assert client.get(reverse("risk_assessment_check", args=[world.case.pk, draft.pk])).status_code == 200
    row = AuditEvent.objects.get(action="assessment.view")
    assert row.case_id == world.case.pk and row.object_id == str(draft.pk)


def test_an_admin_list_audits_which_rows_it_showed(world: World) -> None:
    client = _client(world, "admin")
    assert client.get(reverse("admin:cases_case_changelist")).status_code == 200
    row = AuditEvent.objects.get(action="admin.list", object_type="cases.case")
    assert str(world.case.pk) in row.new["shown"] and str(world.restricted.pk) not in row.new["shown"]


def test_a_role_change_in_the_admin_is_in_the_audit_trail(world: World) -> None:
    officer: Any = world.user("officer")
    data = {
        "username": officer.username,
        "first_name": officer.first_name,
        "last_name": officer.last_name,
        "email": "",
        "role": Role.SUPERINTENDENT,
        "team": officer.team_id,
        "organisation": "",
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2025-01-01",
        "initial-date_joined_1": "09:00:00",
    }
    response = _client(world, "admin").post(reverse("admin:core_user_change", args=[officer.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    officer.refresh_from_db()
    assert officer.role == Role.SUPERINTENDENT
    row = AuditEvent.objects.get(action="user.change", object_id=str(officer.pk))
    assert row.old == {"role": "officer"} and row.new == {"role": "superintendent"}
    assert row.actor == world.user("admin")
    assert "password" not in str(row.new)
