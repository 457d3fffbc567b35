"""Operation Encompass delivered, end to end with a real SMTP server: the policy's notify_school
becomes an email to the school's key adult with only the minimum; the one-use link completes
the action; a failure or no acknowledgement leaves it open to escalate; an unknown school is work
on the officer's board."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, PlaceFactory
from tests.notifications.smtp import SmtpSink, body
from vigil.actions.escalation import escalate_due
from vigil.actions.models import Action
from vigil.audit.models import AuditEvent
from vigil.cases.services import case_open, report_record
from vigil.core import times
from vigil.schools.models import ChildSchool, KeyAdult, School, SchoolNotice
from vigil.schools.services import encompass_dispatch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

NARRATIVE = "He kicked the kitchen door in while the children watched."
ADDRESS = "14 Larkspur Close, Northshire ZZ99 7QQ"


@pytest.fixture
def school(db: Any) -> School:
    school = School.objects.create(
        urn=990001,
        name="Hollin Brook Primary School",
        postcode="ZZ99 1AA",
        phase="Primary",
        status="Open",
        updated_at=times.now(),
    )
    KeyAdult.objects.create(school=school, name="Mrs Priya Okafor", email="dsl@hollinbrook.example", phone="01632 960 111")
    return school


def _incident(officer: Any, *, child_school: School | None) -> tuple[Any, Any]:
    victim = PersonFactory(full_name="Abigail Thornbury", home=PlaceFactory(address=ADDRESS))
    subject = PersonFactory(full_name="Gavin Thornbury")
    child = PersonFactory(full_name="Ellie Thornbury", born_on=timezone.localdate() - dt.timedelta(days=8 * 365 + 40))
    if child_school is not None:
        ChildSchool.objects.create(child=child, school=child_school, recorded_at=times.now())
    case = case_open(actor=officer, victim=victim, subject=subject, team=officer.team, allocate=[officer])
    report_record(
        actor=officer,
        case=case,
        category="domestic_abuse",
        reported_at=times.now() - dt.timedelta(hours=2),
        children_present=[child],
        summary=NARRATIVE,
    )
    return case, child


def _dispatch(capture: Any) -> None:
    with capture(execute=True):
        encompass_dispatch()


def _ack_path(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/encompass/ack/[^\s]+/)", body(message))
    assert found, body(message)
    return found.group(1)


def test_the_key_adult_gets_only_the_minimum_and_the_link_closes_the_action(
    officer: Any, school: School, smtp: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    case, child = _incident(officer, child_school=school)
    action = Action.objects.get(case=case, kind="notify_school")
    _dispatch(django_capture_on_commit_callbacks)
    [message] = smtp.to("dsl@hollinbrook.example")
    text = body(message)
    assert "Ellie Thornbury" in text and "of an incident that may affect this child" in text
    assert timezone.localtime(action.created_at).strftime("%-d %B %Y") in text
    assert officer.get_full_name() in text  # the police contact
    for never in (NARRATIVE, "kitchen", "Gavin", ADDRESS, "Larkspur", "Abigail"):
        assert never not in text and never not in str(message["Subject"])
    notice = SchoolNotice.objects.get(action=action)
    assert notice.status == "sent" and notice.message.status == "sent" and notice.message.attempts == 1
    # Opening the link shows a button; only pressing it acknowledges (a mail scanner only opens).
    client = Client()
    page = client.get(_ack_path(message))
    assert page.status_code == 200 and "I have received it" in page.content.decode()
    assert "Ellie" not in page.content.decode()
    action.refresh_from_db()
    assert action.status == "open"
    done = client.post(_ack_path(message))
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    action.refresh_from_db()
    assert action.status == "done" and "acknowledged" in action.rationale
    row = AuditEvent.objects.get(action="action.complete", object_id=str(action.pk))
    assert row.actor_label.startswith("key adult Mrs Priya Okafor")
    assert AuditEvent.objects.filter(action="encompass.acknowledge").count() == 1
    # Single use.
    assert client.post(_ack_path(message)).status_code == 404
    assert client.get(_ack_path(message)).status_code == 404
    assert client.get(_ack_path(message)[:-3] + "xx/").status_code == 404


def test_no_acknowledgement_by_9am_leaves_it_open_to_escalate(
    officer: Any, school: School, smtp: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    case, _ = _incident(officer, child_school=school)
    _dispatch(django_capture_on_commit_callbacks)
    action = Action.objects.get(case=case, kind="notify_school")
    assert timezone.localtime(action.due_at).hour == 9
    escalate_due(now=action.due_at - dt.timedelta(minutes=1))
    action.refresh_from_db()
    assert action.level == 1
    escalate_due(now=action.due_at + dt.timedelta(minutes=1))
    action.refresh_from_db()
    assert action.status == "open" and action.level == 2


def test_a_failed_delivery_stays_open_on_the_board_and_can_be_sent_again(
    officer: Any, school: School, smtp: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    smtp.refuse["dsl@hollinbrook.example"] = 550
    case, _ = _incident(officer, child_school=school)
    _dispatch(django_capture_on_commit_callbacks)
    action = Action.objects.get(case=case, kind="notify_school")
    notice = SchoolNotice.objects.get(action=action)
    assert notice.status == "failed" and "refused the address" in notice.last_error
    assert notice.message.status == "failed" and smtp.messages == []
    client = Client()
    client.force_login(officer)
    board = client.get(reverse("home")).content.decode()
    assert "Delivery to Hollin Brook Primary School failed" in board
    page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "could not be delivered" in page and "01632 960 111" in page
    action.refresh_from_db()
    assert action.status == "open"
    del smtp.refuse["dsl@hollinbrook.example"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("encompass_resend", args=[action.pk])).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "sent" and len(smtp.to("dsl@hollinbrook.example")) == 1


def test_a_child_with_no_known_school_is_work_to_find_it(
    officer: Any, school: School, smtp: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    case, child = _incident(officer, child_school=None)
    _dispatch(django_capture_on_commit_callbacks)
    action = Action.objects.get(case=case, kind="notify_school")
    assert SchoolNotice.objects.get(action=action).status == "no_school" and smtp.messages == []
    client = Client()
    client.force_login(officer)
    assert "Find the school of Ellie Thornbury" in client.get(reverse("home")).content.decode()
    found = client.get(reverse("encompass_school", args=[action.pk]), {"q": "hollin"}).content.decode()
    assert "Hollin Brook Primary School" in found
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("encompass_school", args=[action.pk]), {"school": school.pk})
    assert response.status_code == 302
    assert SchoolNotice.objects.get(action=action).status == "sent"
    assert "Ellie Thornbury" in body(smtp.to("dsl@hollinbrook.example")[0])
    assert "Find the school" not in client.get(reverse("home")).content.decode()
