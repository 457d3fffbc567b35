"""Notifications, with a real SMTP server in the test process: work that reaches someone is
emailed to them, every message is recorded, failures are retried, digests gather the day's
normal work, and GOV.UK Notify can be chosen instead of email."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, UserFactory
from tests.notifications.smtp import SmtpSink, body
from vigil.actions.escalation import escalate_due
from vigil.actions.models import Action
from vigil.actions.services import action_reassign
from vigil.cases.services import case_open, report_record
from vigil.core import times
from vigil.core.constants import Role
from vigil.notifications.models import Message
from vigil.notifications.producers import notify_from_audit, start_cursor
from vigil.notifications.services import digest_time, message_queue, preference_set, send_digests, send_due

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def people(team: Any) -> dict[str, Any]:
    return {
        "officer": UserFactory(username="n-officer", role=Role.OFFICER, team=team, email="priya.shah@force.example"),
        "other": UserFactory(username="n-other", role=Role.OFFICER, team=team, email="tom.ellis@force.example"),
        "sergeant": UserFactory(username="n-sergeant", role=Role.SUPERVISOR, team=team, email="sgt.dana@force.example"),
    }


def _case(people: dict[str, Any]) -> Any:
    """A report taken 30 hours ago, recorded now by the officer in one request (as the page does:
    the request id ties the policy's rows to the officer's)."""
    from vigil.core.current import reset_request_id, set_request_id

    officer = people["officer"]
    token = set_request_id()
    try:
        case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team, allocate=[officer])
        report_record(actor=officer, case=case, category="domestic_abuse", reported_at=times.now() - dt.timedelta(hours=30))
    finally:
        reset_request_id(token)
    return case


def _run(capture: Any) -> int:
    with capture(execute=True):
        return notify_from_audit()


def test_reassigned_and_escalated_work_is_emailed_and_recorded(
    people: dict[str, Any], smtp: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    start_cursor()
    case = _case(people)
    # The report is 30 hours old: its three 24-hour actions reached the sergeant at once. The
    # officer who recorded it is not emailed about their own work (the page told them).
    assert _run(django_capture_on_commit_callbacks) == 3
    escalated = smtp.to("sgt.dana@force.example")
    assert len(escalated) == 3 and all(m["Subject"].startswith("Overdue, now with you: ") for m in escalated)
    assert not smtp.to("priya.shah@force.example")
    action = Action.objects.filter(case=case, kind="supervisor_review").get()
    action_reassign(actor=people["sergeant"], action=action, owner=people["other"])
    escalate_due()  # nothing more is due: no new step, no email
    assert _run(django_capture_on_commit_callbacks) == 1
    [assigned] = smtp.to("tom.ellis@force.example")
    assert assigned["Subject"] == f"New for you: Supervisor review ({case.reference})"
    assert f"/actions/{action.pk}/" in body(assigned) and case.victim.full_name not in body(assigned)
    recorded = Message.objects.filter(template="action_escalated", user=people["sergeant"])
    assert recorded.count() == 3 and {m.status for m in recorded} == {"sent"}
    assert all(m.provider_ref.startswith("<") for m in recorded)
    # Reading the trail again sends nothing twice.
    assert _run(django_capture_on_commit_callbacks) == 0 and len(smtp.messages) == 4


def test_a_digest_holds_normal_work_but_immediate_work_goes_at_once(
    people: dict[str, Any], smtp: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    sergeant = people["sergeant"]
    preference_set(actor=sergeant, mode="digest")
    with django_capture_on_commit_callbacks(execute=True):
        normal = message_queue(template="action_assigned", subject="Normal", context={"action": None, "url": "/"}, user=sergeant)
        urgent = message_queue(
            template="action_assigned",
            subject="Urgent",
            context={"action": None, "url": "/"},
            user=sergeant,
            priority="immediate",
        )
    assert normal is not None and urgent is not None
    normal.refresh_from_db()
    urgent.refresh_from_db()
    assert normal.status == "digest" and urgent.status == "sent"
    assert [m["Subject"] for m in smtp.messages] == ["Urgent"]
    cutoff = digest_time(timezone.localdate() + dt.timedelta(days=1))
    assert send_digests(at=cutoff - dt.timedelta(minutes=1)) == 0  # before tomorrow's digest time
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_digests(at=cutoff)
    assert sent == 1
    digest = smtp.messages[-1]
    assert digest["Subject"] == "Vigil: 1 update for you" and "- Normal" in body(digest)
    normal.refresh_from_db()
    assert normal.status == "in_digest" and normal.digest is not None and normal.digest.status == "sent"
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(at=cutoff) == 0


def test_a_refused_message_is_retried_then_failed_and_recorded(
    people: dict[str, Any], smtp: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    smtp.refuse["tom.ellis@force.example"] = 451
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            template="action_assigned", subject="Try", context={"action": None, "url": "/"}, user=people["other"]
        )
    assert message is not None
    message.refresh_from_db()
    assert message.status == "retrying" and message.attempts == 1 and "refused" in message.last_error
    assert message.next_attempt_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due(at=message.next_attempt_at - dt.timedelta(seconds=1)) == 0
    del smtp.refuse["tom.ellis@force.example"]
    send_due(at=message.next_attempt_at)  # the test backend runs the task at once
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2 and len(smtp.to("tom.ellis@force.example")) == 1
    # No address at all: recorded as failed, never silently dropped.
    nobody = UserFactory(username="n-noemail", role=Role.OFFICER, email="")
    failed = message_queue(template="action_assigned", subject="x", context={"action": None, "url": "/"}, user=nobody)
    assert failed is not None and failed.status == "failed" and "no email address" in failed.last_error


def test_each_person_chooses_immediate_or_a_daily_digest(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["officer"])
    page = client.get(reverse("notification_preferences"))
    assert page.status_code == 200 and "One email a day" in page.content.decode()
    assert client.post(reverse("notification_preferences"), {"mode": "digest"}).status_code == 302
    assert people["officer"].notification_preference.mode == "digest"
    refused = client.post(reverse("notification_preferences"), {"mode": "pigeon"})
    assert refused.status_code == 400 and "Choose how you want to be told from the list" in refused.content.decode()


class _FakeNotify(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        self.received.append(
            {"path": self.path, "auth": self.headers["Authorization"], "json": json.loads(self.rfile.read(length))}
        )
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}).encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def notify_api() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeNotify.received = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_gov_uk_notify_can_be_chosen_by_setting(
    people: dict[str, Any], notify_api: str, django_capture_on_commit_callbacks: Any
) -> None:
    key = "vigiltest-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
    with (
        override_settings(
            VIGIL_NOTIFICATIONS_BACKEND="govuk_notify",
            VIGIL_NOTIFY_API_KEY=key,
            VIGIL_NOTIFY_TEMPLATE_ID="f33517ff-2a88-4f6e-b855-c550268ce08a",
            VIGIL_NOTIFY_BASE_URL=notify_api,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = message_queue(
            template="action_assigned", subject="Via Notify", context={"action": None, "url": "/x/"}, user=people["other"]
        )
    assert message is not None
    message.refresh_from_db()
    assert message.status == "sent" and message.backend == "govuk_notify"
    assert message.provider_ref == "740e5834-3a29-46b4-9a6f-16142fde533a"
    [request] = _FakeNotify.received
    assert request["path"] == "/v2/notifications/email" and request["auth"].startswith("Bearer ")
    assert request["json"]["email_address"] == "tom.ellis@force.example"
    assert request["json"]["template_id"] == "f33517ff-2a88-4f6e-b855-c550268ce08a"
    assert request["json"]["personalisation"]["subject"] == "Via Notify" and "/x/" in request["json"]["personalisation"]["body"]
