"""R12 through the live system: a report sent through the victims' portal is never silence.
A family member's sighting, described in words only (no map point, so no place the policy can
read) and with no order in force, is recorded by the portal as a `sighting` reported by the
sender and near the victim, and the live policy stores a `victim_contact` for the victim, as
replay would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.portal.conftest import World, issue, report_data, sign_in
from vigil.actions.models import Action
from vigil.cases.models import Sighting
from vigil.cases.services import assessment_record, report_record
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus, Instrument, Priority, ReportCategory, Source
from vigil.portal.constants import SubmissionStatus
from vigil.portal.models import PortalSubmission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def _first_report(officer: Any, world: World) -> None:
    """The report the case was opened from: it names the victim and the subject together,
    which is what makes the victim his victim for the policy."""
    report_record(
        actor=officer,
        case=world.case,
        category=ReportCategory.DOMESTIC_ABUSE,
        reported_at=times.now() - dt.timedelta(days=3),
        reported_by=world.victim,
    )


def _send(officer: Any, world: World, **overrides: Any) -> Sighting:
    client = Client()
    assert sign_in(client, issue(officer, world, person=world.son)).status_code == 302
    response = client.post("/report/what-happened", report_data(client, **overrides))
    assert response.status_code == 302
    submission = PortalSubmission.objects.get()
    assert submission.status == SubmissionStatus.RECORDED, submission.last_error
    sighting = Sighting.objects.get()
    assert (sighting.source, sighting.reported_by, sighting.near) == (Source.PORTAL, world.son, world.victim)
    return sighting


def test_a_sons_portal_sighting_with_no_map_point_gets_the_victim_called_back(world: World, officer: Any) -> None:
    _first_report(officer, world)
    sighting = _send(officer, world, where="Somewhere on the high street", lat=None, lon=None)
    assert (sighting.lat, sighting.lon) == (None, None)
    [contact] = Action.objects.filter(kind=ActionKind.VICTIM_CONTACT)
    assert (contact.victim, contact.subject, contact.rule) == (world.victim, world.subject, "R12")
    assert (contact.status, contact.priority) == (ActionStatus.OPEN, Priority.HIGH)
    assert contact.created_at == sighting.reported_at
    assert contact.due_at == sighting.reported_at + dt.timedelta(hours=4)
    assert "call" in contact.reason and "back" in contact.reason


def test_for_a_high_pair_the_call_back_is_immediate_within_the_hour(world: World, officer: Any) -> None:
    _first_report(officer, world)
    assessment_record(
        actor=officer,
        case=world.case,
        instrument=Instrument.DASH,
        answers={n: "yes" for n in range(1, 25)},
        completed_at=times.now() - dt.timedelta(days=2),
    )
    sighting = _send(officer, world)
    [contact] = Action.objects.filter(kind=ActionKind.VICTIM_CONTACT, status=ActionStatus.OPEN)
    assert (contact.rule, contact.priority) == ("R12", Priority.IMMEDIATE)
    assert contact.due_at == sighting.reported_at + dt.timedelta(hours=1)


def test_a_second_portal_report_while_the_call_back_is_open_adds_none(world: World, officer: Any) -> None:
    _first_report(officer, world)
    first = _send(officer, world)
    client = Client()
    assert sign_in(client, issue(officer, world, person=world.victim)).status_code == 302
    later = timezone.localtime(first.seen_at + dt.timedelta(minutes=10))
    data = report_data(client, day=later.day, month=later.month, year=later.year, time=later.strftime("%H:%M"))
    assert client.post("/report/what-happened", data).status_code == 302
    assert PortalSubmission.objects.filter(status=SubmissionStatus.RECORDED).count() == 2
    assert Sighting.objects.filter(reported_by=world.victim).count() == 1
    [contact] = Action.objects.filter(kind=ActionKind.VICTIM_CONTACT)
    assert contact.due_at == first.reported_at + dt.timedelta(hours=4)


def test_they_broke_the_order_in_another_way_lets_the_policy_find_the_breach_and_call_back(world: World, officer: Any) -> None:
    """'They broke the order in another way' is recorded as a sighting of him near the
    victim: with a no-contact order in force the policy finds the breach (R5, an arrest), and
    the victim is called back (R12), as replay would for the same sighting."""
    from vigil.cases.models import Flag
    from vigil.core.constants import ConditionKind, OrderType
    from vigil.orders.services import order_grant

    _first_report(officer, world)
    order_grant(
        actor=officer,
        reference="NMO-PORTAL-7",
        order_type=OrderType.NON_MOLESTATION_ORDER,
        subject=world.subject,
        protected=[world.victim],
        starts_at=times.now() - dt.timedelta(days=2),
        reported_at=times.now() - dt.timedelta(days=2),
        conditions=[{"kind": ConditionKind.NO_CONTACT}],
    )
    sighting = _send(officer, world, kind="breach", where="", lat=None, lon=None)
    arrest = Action.objects.get(kind=ActionKind.ARREST_SUSPECT)
    assert (arrest.rule, arrest.status, arrest.created_at) == ("R5", ActionStatus.OPEN, sighting.reported_at)
    assert Flag.objects.filter(kind="breach").exists()
    assert Action.objects.filter(kind=ActionKind.VICTIM_CONTACT, rule="R12", status=ActionStatus.OPEN).exists()


def test_they_broke_the_order_with_no_order_in_force_is_still_never_silence(world: World, officer: Any) -> None:
    _first_report(officer, world)
    _send(officer, world, kind="breach", where="", lat=None, lon=None)
    assert not Action.objects.filter(kind=ActionKind.ARREST_SUSPECT).exists()
    assert Action.objects.filter(kind=ActionKind.VICTIM_CONTACT, rule="R12", status=ActionStatus.OPEN).exists()
