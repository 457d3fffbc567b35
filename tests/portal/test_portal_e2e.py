"""End to end through the live policy bridge (runs once the engine and bridge have landed):
a family member reports a sighting inside an exclusion zone through the portal, and the
officer's board shows an immediate arrest_suspect for that subject."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import PlaceFactory
from tests.portal.conftest import World, issue, report_data, sign_in
from vigil.actions.models import Action
from vigil.cases.models import Sighting
from vigil.cases.services import assessment_record
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus, ConditionKind, Instrument, OrderType, Priority, Source
from vigil.orders.services import order_grant
from vigil.portal.constants import SubmissionStatus
from vigil.portal.models import PortalSubmission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def test_a_sighting_reported_by_the_son_inside_the_exclusion_zone_puts_an_immediate_arrest_on_the_board(
    world: World, officer: Any, otp_login: Any
) -> None:
    home = PlaceFactory(address="3 Invented Close", lat=51.5010, lon=-0.1410, protected=True)
    now = times.now()
    assessment_record(
        actor=officer,
        case=world.case,
        instrument=Instrument.DASH,
        answers={n: "yes" for n in range(1, 25)},
        completed_at=now - dt.timedelta(days=20),
    )
    order_grant(
        actor=officer,
        reference="SPO-E2E-PORTAL",
        order_type=OrderType.SPO,
        subject=world.subject,
        protected=[world.victim],
        starts_at=now - dt.timedelta(days=14),
        reported_at=now - dt.timedelta(days=14),
        conditions=[{"kind": ConditionKind.EXCLUSION_ZONE, "place": home, "radius_m": 500}],
    )

    client = Client()
    assert sign_in(client, issue(officer, world, person=world.son)).status_code == 302
    # About 110 m north of the protected home.
    response = client.post("/report/what-happened", report_data(client, where="", lat="51.5020", lon="-0.1410"))
    assert response.status_code == 302

    submission = PortalSubmission.objects.get()
    assert submission.status == SubmissionStatus.RECORDED, submission.last_error
    sighting = Sighting.objects.get()
    assert sighting.source == Source.PORTAL and sighting.reported_by == world.son

    arrest = Action.objects.get(kind=ActionKind.ARREST_SUSPECT, subject=world.subject, status=ActionStatus.OPEN)
    assert arrest.priority == Priority.IMMEDIATE
    # The action dates from when the police were told (the portal received it), not from the
    # earlier time the reporter gives for the sighting, which is kept as when it happened.
    assert arrest.created_at == sighting.reported_at == submission.received_at
    assert sighting.seen_at == submission.happened_at < sighting.reported_at

    board = otp_login(Client(), officer).get("/").content.decode()
    assert str(arrest.pk) in re.findall(r'data-action="(\d+)"', board)
    assert "Arrest the suspect" in board


def test_staff_read_what_a_waiting_portal_report_says_and_the_read_is_audited(
    officer: Any, otp_login: Any, world: World, monkeypatch: Any
) -> None:
    """A report the portal could not record (here the recording fails) waits for an officer:
    the list in the navigation shows its words (where, who saw it, what they said), and each
    read is in the audit."""
    from vigil.audit.models import AuditEvent
    from vigil.portal.services import portal_submission_process, portal_submission_receive

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("vigil.cases.services.sighting_record", broken)
    issued = issue(officer, world)
    submission = portal_submission_receive(
        access=issued.access,
        kind="breach",
        happened_at=times.now() - dt.timedelta(hours=1),
        where="Outside the corner shop on Elm Row",
        details="He stood across the road and watched the door for ten minutes.",
    )
    submission = portal_submission_process(submission=submission)
    assert submission.status == SubmissionStatus.FAILED
    client = otp_login(Client(), officer)
    assert "Portal reports (1 waiting)" in client.get("/").content.decode()
    body = client.get("/portal/reports/").content.decode()
    assert "Outside the corner shop on Elm Row" in body and "watched the door for ten minutes" in body
    assert AuditEvent.objects.filter(action="portal.submission_view", object_id=str(submission.pk), actor=officer).count() == 1
