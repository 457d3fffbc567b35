"""Regression (issue 13 item 4): a sighting that happened before facts already recorded must
not duplicate open work nor close work nobody did.

The story: a stalking report, a no-contact order with an exclusion zone round her home, a
DASH that makes the pair high (R3: safety plan, MARAC referral, weekly risk review), and the
officer's safety plan done the day after. Then a sighting near her home that happened
between the report and the DASH arrives: first through the portal (it counts from when the
portal received it), then typed by an officer with an earlier `reported_at` (the engine
places it before the DASH and the decision, and the store must stay honest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import PersonFactory, PlaceFactory
from tests.portal.conftest import issue, report_data, sign_in
from vigil.actions.models import Action, Decision
from vigil.actions.services import action_complete
from vigil.cases.models import Sighting
from vigil.cases.services import assessment_record, case_open, report_record, sighting_record
from vigil.core import times
from vigil.core.constants import ActionStatus
from vigil.core.times import Happened
from vigil.orders.services import order_grant
from vigil.people.services import relationship_create
from vigil.portal.constants import SubmissionStatus
from vigil.portal.models import PortalSubmission

pytestmark = pytest.mark.django_db

HOME = (51.5007, -0.1410)
DAY = dt.timedelta(days=1)


class Story:
    def __init__(self, officer: Any, start: dt.datetime) -> None:
        home = PlaceFactory(lat=HOME[0], lon=HOME[1])
        self.victim = PersonFactory(full_name="Ruth Almond", home=home)
        self.subject = PersonFactory(full_name="Desmond Kittering", home=PlaceFactory(lat=51.60, lon=-0.30))
        self.son = PersonFactory(full_name="Owen Almond")
        relationship_create(actor=officer, a=self.victim, b=self.son, kind="family")
        self.case = case_open(actor=officer, victim=self.victim, subject=self.subject, team=officer.team, allocate=[officer])
        self.start = start
        report_record(actor=officer, case=self.case, category="stalking", reported_at=start, reported_by=self.victim)
        order_grant(
            actor=officer,
            reference="SPO-REG-1",
            order_type="spo",
            subject=self.subject,
            protected=[self.victim],
            starts_at=start + dt.timedelta(hours=2),
            reported_at=start + dt.timedelta(hours=2),
            conditions=[{"kind": "exclusion_zone", "place": home, "radius_m": 500}],
        )
        assessment_record(
            actor=officer,
            case=self.case,
            instrument="dash",
            answers={n: "yes" if n <= 14 else "no" for n in range(1, 25)},
            completed_at=start + DAY,
        )
        for kind in ("safety_plan", "database_checks", "supervisor_review"):
            for action in Action.objects.filter(case=self.case, kind=kind, status=ActionStatus.OPEN):
                action_complete(actor=officer, action=action, note="Done with the victim.", at=start + 2 * DAY)
        self.before = {a.pk: a.status for a in Action.objects.filter(case=self.case)}
        assert self.open_of("refer_marac") == 1 and self.open_of("review_risk") == 1

    def open_of(self, kind: str) -> int:
        return Action.objects.filter(case=self.case, kind=kind, status=ActionStatus.OPEN).count()


def _no_phantom_done(story: Story) -> None:
    """Every action closed as done or declined was closed by a person's decision about it,
    or by an event the engine names; none was closed by a decision taken before it existed."""
    for action in Action.objects.filter(case=story.case, status__in=(ActionStatus.DONE, ActionStatus.DECLINED)):
        decided = Decision.objects.filter(case=story.case, action_kind=action.kind, withdrawn=False)
        if action.closing_reason.startswith(("completed by an officer", "declined on")) or action.decided_by_id:
            assert decided.filter(recorded_at__gte=action_known(action)).exists() or decided.filter(action=action).exists(), (
                f"{action.kind} closed by a decision taken before it existed"
            )
        else:
            assert action.closing_reason, f"{action.kind} closed without saying what closed it"


def action_known(action: Action) -> dt.datetime:
    from vigil.audit.models import AuditEvent

    created = AuditEvent.objects.filter(action="action.create", object_type="actions.action", object_id=str(action.pk)).get()
    return created.at


def test_a_back_dated_portal_sighting_duplicates_nothing_and_closes_nothing(officer: Any) -> None:
    story = Story(officer, timezone.now() - 6 * DAY)
    client = Client()
    assert sign_in(client, issue(officer, _world(story), person=story.son)).status_code == 302
    seen = timezone.localtime(story.start + dt.timedelta(hours=12))  # before the DASH
    data = report_data(client, day=seen.day, month=seen.month, year=seen.year, time=seen.strftime("%H:%M"))
    data.update(where="", lat="51.5010", lon="-0.1412")  # about 40 m from her home, inside the zone
    assert client.post("/report/what-happened", data).status_code == 302
    submission = PortalSubmission.objects.get()
    assert submission.status == SubmissionStatus.RECORDED, submission.last_error
    sighting = Sighting.objects.get()
    assert sighting.reported_at == submission.received_at and sighting.seen_at < story.start + DAY

    assert story.open_of("refer_marac") == 1
    assert Action.objects.filter(case=story.case, kind="review_risk", rule="R3", status=ActionStatus.OPEN).count() == 1
    # Nothing stored before the sighting changed its status.
    after = {a.pk: a.status for a in Action.objects.filter(pk__in=story.before)}
    assert after == story.before
    # What the sighting created (the breach's arrest, R12's call back) is open.
    new = Action.objects.filter(case=story.case).exclude(pk__in=story.before)
    assert {a.kind for a in new} >= {"arrest_suspect", "victim_contact"}
    assert all(a.status == ActionStatus.OPEN for a in new)
    _no_phantom_done(story)


def test_an_officers_back_dated_sighting_carries_open_work_and_closes_nothing_nobody_did(officer: Any) -> None:
    start = timezone.now() - 6 * DAY
    with times.clock_at(start + 3 * DAY):
        story = Story(officer, start)
    marac = Action.objects.get(case=story.case, kind="refer_marac", status=ActionStatus.OPEN)
    # Two days later an officer types in a sighting the police were told of before the DASH.
    with times.clock_at(start + 5 * DAY):
        sighting_record(
            actor=officer,
            subject=story.subject,
            near=story.victim,
            lat=51.5010,
            lon=-0.1412,
            reported_by=story.son,
            reported_at=story.start + dt.timedelta(hours=12),
            happened=Happened.at(story.start + dt.timedelta(hours=11)),
        )
    # No second referral or weekly review: the open ones were carried to the engine's new keys.
    assert story.open_of("refer_marac") == 1
    assert Action.objects.filter(case=story.case, kind="review_risk", rule="R3", status=ActionStatus.OPEN).count() == 1
    marac.refresh_from_db()
    assert marac.status == ActionStatus.OPEN
    # The safety plan the sighting's breach asks for is open: the officer's safety plan was
    # recorded before Vigil knew of the sighting, so it does not settle it.
    plans = Action.objects.filter(case=story.case, kind="safety_plan")
    assert sorted(p.status for p in plans) == [ActionStatus.DONE, ActionStatus.OPEN]
    new = Action.objects.filter(case=story.case).exclude(pk__in=story.before)
    assert not new.filter(status__in=(ActionStatus.DONE, ActionStatus.DECLINED), decided_by__isnull=False).exists()
    assert not new.filter(closing_reason__startswith="completed by an officer").exists()
    # What an event did (the DASH after the sighting reviewed the risk) says so.
    for action in new.filter(status=ActionStatus.DONE):
        assert action.closing_reason.startswith("risk reviewed with a DASH"), action.closing_reason
    # Anything the engine no longer asks for is cancelled, naming the sighting.
    for action in Action.objects.filter(case=story.case, status=ActionStatus.CANCELLED):
        assert "the sighting the police were told of at" in action.closing_reason
    _no_phantom_done(story)


def _world(story: Story) -> Any:
    from tests.portal.conftest import World

    return World(case=story.case, victim=story.victim, subject=story.subject, son=story.son)
