"""Concurrency as a property (issue 14, defects 3 and 4): N requests sent at once to a live
server on PostgreSQL, released together by a barrier, with exact outcomes.

- Completing and declining one action at once, by two people: exactly one decision, one audit
  row of it, and every other request refused.
- Wrong PINs at once: every one counted, the lock holds, and the right PIN gets in only if
  fewer wrong PINs than the limit were counted before it (read from the audit trail's order).
- Refused tries at once from one address: exactly the limit's number answered as refusals.

Each request runs in its own thread of the live server with its own database connection.
SQLite serialises writers, so these run in the PostgreSQL pass (`postgres_only`)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.actions.builders import make_case, of_kind, reported
from tests.factories import PersonFactory, TeamFactory, UserFactory
from vigil.actions.models import Action, Decision
from vigil.audit.models import AuditEvent
from vigil.audit.verify import verify_chain
from vigil.core.constants import ActionStatus, Role
from vigil.portal.models import PortalRateHit, ReportingAccess
from vigil.portal.services import reporting_access_issue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def _policy_action(case: Any, officer: Any) -> Any:
    """The database checks the policy asks for after a report an hour ago (the live server's
    threads run on the real clock, so the facts are placed relative to it)."""
    return of_kind(reported(case, actor=officer, ago=dt.timedelta(hours=1)), "database_checks")


CSRF = "r" * 32  # a CSRF secret of Django's length: the cookie and the header carry the same value


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.fail("these races need PostgreSQL's row locks: run with scripts/with-postgres.sh")


def signed_in(user: Any) -> requests.Session:
    """A browser-like session for the live server: signed in, second factor passed."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Race test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, session.session_key)
    browser.cookies.set(settings.CSRF_COOKIE_NAME, CSRF)
    browser.headers["X-CSRFToken"] = CSRF
    return browser


def post(url: str, data: dict[str, Any], browser: Any = requests) -> requests.Response:
    return browser.post(url, data, allow_redirects=False, timeout=60)


def at_once(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Run every call in its own thread, all released together; the responses in call order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # a connection error is a result too, and fails the test below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors = [r for r in results if not isinstance(r, requests.Response)]
    assert not errors, errors
    return results


# --- defect 3: two people deciding one action at once ------------------------------------------


@pytest.mark.parametrize("round_", range(3))
def test_complete_and_decline_at_once_record_exactly_one_decision(live_server: Any, round_: int) -> None:
    team = TeamFactory()
    officer = UserFactory(username=f"race-officer-{round_}", role=Role.OFFICER, team=team)
    sergeant = UserFactory(username=f"race-sergeant-{round_}", role=Role.SUPERVISOR, team=team)
    case = make_case(actor=officer, team=team)
    action = _policy_action(case, officer)
    people = [signed_in(officer), signed_in(sergeant)]
    url = f"{live_server.url}/actions/{action.pk}"
    calls: list[Callable[[], requests.Response]] = []
    for n in range(8):
        browser = people[n % 2]
        if n % 4 < 2:
            calls.append(lambda b=browser: post(f"{url}/complete/", {"note": "Done."}, b))
        else:
            calls.append(
                lambda b=browser: post(f"{url}/decline/", {"rationale": "Arrested by a neighbouring force this morning."}, b)
            )
    responses = at_once(calls)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {302: 1, 400: 7}, statuses
    refused = [r for r in responses if r.status_code == 400]
    assert all("this action is already" in r.text for r in refused)
    assert Decision.objects.filter(action=action).count() == 1
    decisions = AuditEvent.objects.filter(
        object_type="actions.action", object_id=str(action.pk), action__in=["action.complete", "action.decline"]
    )
    assert decisions.count() == 1
    action.refresh_from_db()
    winner = decisions.get().action
    assert action.status == (ActionStatus.DONE if winner == "action.complete" else ActionStatus.DECLINED)
    assert verify_chain().ok


def test_two_reassignments_at_once_after_a_completion_are_refused(live_server: Any) -> None:
    team = TeamFactory()
    officer = UserFactory(username="race-reassign", role=Role.OFFICER, team=team)
    other = UserFactory(username="race-other", role=Role.OFFICER, team=team)
    case = make_case(actor=officer, team=team)
    action = _policy_action(case, officer)
    browser = signed_in(officer)
    url = f"{live_server.url}/actions/{action.pk}"
    calls: list[Callable[[], requests.Response]] = [lambda: post(f"{url}/complete/", {"note": "Done."}, browser)]
    calls += [lambda: post(f"{url}/reassign/", {"owner": other.pk}, browser) for _ in range(5)]
    responses = at_once(calls)
    action.refresh_from_db()
    reassigned = AuditEvent.objects.filter(action="action.reassign", object_id=str(action.pk)).count()
    completed = AuditEvent.objects.filter(action="action.complete", object_id=str(action.pk))
    assert completed.count() == 1 and action.status == ActionStatus.DONE
    # A reassignment either came before the completion (in the chain's order) or was refused.
    done_seq = completed.get().seq
    assert AuditEvent.objects.filter(action="action.reassign", object_id=str(action.pk), seq__gt=done_seq).count() == 0
    assert sum(r.status_code == 302 for r in responses) == 1 + reassigned


# --- defect 4: the PIN counter and the rate limiter --------------------------------------------


@pytest.fixture
def access_for() -> Callable[[], Any]:
    officer = UserFactory(username="race-portal", role=Role.OFFICER, team=TeamFactory())

    def issue() -> Any:
        case = make_case(actor=officer, team=officer.team, victim=PersonFactory(), subject=PersonFactory())
        return reporting_access_issue(
            actor=officer, case=case, reporter_person=case.victim, expires_at=timezone.now() + dt.timedelta(days=7)
        )

    return issue


def _wrong(pin: str, n: int) -> str:
    return f"{(int(pin) + 1 + n) % 1_000_000:06d}"


def test_wrong_pins_at_once_are_each_counted_and_the_lock_holds(live_server: Any, access_for: Any) -> None:
    issued = access_for()
    sign_in = f"{live_server.url}/report"
    calls: list[Callable[[], requests.Response]] = [
        lambda n=n: post(sign_in, {"reference": issued.reference, "pin": _wrong(issued.pin, n)}) for n in range(12)
    ]
    responses = at_once(calls)
    assert all(r.status_code == 200 and "The reference or PIN is not right" in r.text for r in responses)
    access = ReportingAccess.objects.get(pk=issued.access.pk)
    assert access.failed_attempts == 12 and access.locked_at is not None
    assert AuditEvent.objects.filter(action="portal.pin_wrong", object_id=str(access.pk)).count() == 12
    right = post(sign_in, {"reference": issued.reference, "pin": issued.pin})
    assert right.status_code == 200 and "locked it to keep your report safe" in right.text


def test_the_right_pin_among_wrong_ones_gets_in_only_before_the_limit(live_server: Any, access_for: Any) -> None:
    """The probe's race: 29 wrong PINs and the right one, at once."""
    issued = access_for()
    sign_in = f"{live_server.url}/report"
    calls: list[Callable[[], requests.Response]] = [
        lambda n=n: post(sign_in, {"reference": issued.reference, "pin": _wrong(issued.pin, n)}) for n in range(29)
    ]
    calls.insert(14, lambda: post(sign_in, {"reference": issued.reference, "pin": issued.pin}))
    responses = at_once(calls)
    access = ReportingAccess.objects.get(pk=issued.access.pk)
    assert access.failed_attempts == 29 and access.locked_at is not None
    wrong_rows = AuditEvent.objects.filter(action="portal.pin_wrong", object_id=str(access.pk))
    assert wrong_rows.count() == 29
    signed = AuditEvent.objects.filter(action="portal.sign_in", object_id=str(access.pk)).first()
    right = responses[14]
    if signed is None:
        assert right.status_code in (200, 429) and right.status_code != 302
    else:
        assert right.status_code == 302
        assert wrong_rows.filter(seq__lt=signed.seq).count() < settings.VIGIL_PORTAL_PIN_MAX_FAILURES
    # The rate limiter counted every refused try, and answered exactly the limit's number of
    # them as refusals (the rest "too many").
    refused = [r for r in responses if r.status_code != 302]
    limit = settings.VIGIL_PORTAL_RATE_LIMIT
    assert sum(r.status_code == 429 for r in refused) == len(refused) - limit


def test_refused_tries_at_once_from_one_address_meet_the_limit_exactly(live_server: Any) -> None:
    sign_in = f"{live_server.url}/report"
    calls: list[Callable[[], requests.Response]] = [
        lambda n=n: post(sign_in, {"reference": f"RAAA{n % 10}-BB{n:02d}", "pin": "000000"}) for n in range(30)
    ]
    statuses = Counter(r.status_code for r in at_once(calls))
    limit = settings.VIGIL_PORTAL_RATE_LIMIT
    assert statuses == {200: limit, 429: 30 - limit}, statuses
    from vigil.portal.throttle import bucket_for

    assert PortalRateHit.objects.filter(bucket=bucket_for("ip", "127.0.0.1")).count() == 30


def test_opened_actions_stay_open_when_nobody_races(live_server: Any) -> None:
    """The control: one person, one request, one decision (the barrier is not what refuses)."""
    team = TeamFactory()
    officer = UserFactory(username="race-control", role=Role.OFFICER, team=team)
    action = _policy_action(make_case(actor=officer, team=team), officer)
    response = post(f"{live_server.url}/actions/{action.pk}/complete/", {"note": "Done."}, signed_in(officer))
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == ActionStatus.DONE
