"""An officer's private calendar feed of their open actions' deadlines: a signed, revocable
address; the kinds, priorities, case references and links only, never a name."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest

from tests.actions.builders import make_case
from tests.factories import PlaceFactory
from vigil.actions.models import Action
from vigil.audit.models import AuditEvent
from vigil.cases.services import report_record
from vigil.deadlines.models import CalendarFeed
from vigil.deadlines.services import feed_token
from vigil.people.services import person_create
from vigil.warrants.services import warrant_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]  # at NOW
NOW = dt.datetime(2025, 6, 11, 20, 10, tzinfo=dt.UTC)


@pytest.fixture
def work(officer: Any) -> Any:
    """Open actions on the officer's board for a pair with unusual names, aliases and an address."""
    home = PlaceFactory(address="17 Quillfeather Gardens, Marrowdale", label="Thistlewood flat")
    victim = person_create(actor=officer, full_name="Oriane Vasquez-Thistlewood", born="1984-02-03", home=home)
    subject = person_create(actor=officer, full_name="Barnaby Quillfeather", born="1979-08-30", aliases=["Barney Quilfeather"])
    case = make_case(actor=officer, team=officer.team, victim=victim, subject=subject)
    report_record(
        actor=officer, case=case, category="stalking", reported_at=NOW - dt.timedelta(hours=3), summary="Barnaby waited outside"
    )
    warrant_issue(
        actor=officer,
        reference="W-77",
        subject=subject,
        reason="failed to appear: Barnaby Quillfeather",
        issued_at=NOW - dt.timedelta(hours=1),
    )
    Action.objects.filter(case=case).update(owner=officer)
    return case


def _subscribe(client: Any, officer: Any, otp_login: Any) -> str:
    otp_login(client, officer)
    assert client.post("/account/calendar/", {"do": "new"}).status_code == 302
    feed = CalendarFeed.objects.get(user=officer, revoked_at__isnull=True)
    page = client.get("/account/calendar/").content.decode()
    url = f"/calendar/{feed_token(feed)}/deadlines.ics"
    assert url in page
    return url


def test_the_feed_holds_every_open_action_and_no_personal_name(client: Any, officer: Any, otp_login: Any, work: Any) -> None:
    url = _subscribe(client, officer, otp_login)
    client.logout()  # a calendar app fetches it without signing in
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    open_actions = Action.objects.filter(case=work, status="open")
    assert {str(e["uid"]) for e in events} == {f"vigil-action-{a.pk}" for a in open_actions}
    assert len(events) >= 4  # R1's three and R6's warrant work
    for event in events:
        action = open_actions.get(pk=int(str(event["uid"]).rsplit("-", 1)[1]))
        assert event.decoded("dtstart") == action.due_at
        assert str(event["summary"]) == f"{action.get_kind_display()}: {work.reference}"
        assert str(event["url"]).endswith(f"/actions/{action.pk}/")
    unfolded = text.replace("\r\n ", "")
    for words in (
        "Oriane",
        "Vasquez",
        "Thistlewood",
        "Barnaby",
        "Quillfeather",
        "Barney",
        "Quilfeather",
        "Marrowdale",
        "17 Quillfeather",
    ):
        assert words.lower() not in unfolded.lower(), words
    assert AuditEvent.objects.filter(action="calendar_feed.read", actor=officer).exists()


def test_a_stopped_or_replaced_feed_stops_working_and_a_forged_token_never_works(
    client: Any, officer: Any, otp_login: Any, work: Any
) -> None:
    first = _subscribe(client, officer, otp_login)
    assert client.post("/account/calendar/", {"do": "new"}).status_code == 302
    second = f"/calendar/{feed_token(CalendarFeed.objects.get(user=officer, revoked_at__isnull=True))}/deadlines.ics"
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    feed = CalendarFeed.objects.get(user=officer, revoked_at__isnull=True)
    token = feed_token(feed)
    value, signature = token.rsplit(":", 1)
    for forged in (f"{value}:{signature[:-2]}xx", f"{feed.pk}.{feed.key}", f"{feed.pk + 1}.{feed.key}:{signature}", "nonsense"):
        assert client.get(f"/calendar/{forged}/deadlines.ics").status_code == 404
    assert client.post("/account/calendar/", {"do": "stop"}).status_code == 302
    assert client.get(second).status_code == 404
    assert AuditEvent.objects.filter(action="calendar_feed.revoke", actor=officer).count() == 2


def test_a_feed_shows_only_the_owner_s_board(client: Any, officer: Any, otp_login: Any, work: Any, outsider: Any) -> None:
    otp_login(client, outsider)
    client.post("/account/calendar/", {"do": "new"})
    url = f"/calendar/{feed_token(CalendarFeed.objects.get(user=outsider))}/deadlines.ics"
    calendar = icalendar.Calendar.from_ical(client.get(url).content)
    assert list(calendar.walk("VEVENT")) == [] and work.reference.encode() not in client.get(url).content


def test_the_page_is_for_police_roles(client: Any, otp_login: Any) -> None:
    from tests.factories import UserFactory

    analyst = UserFactory(username="analyst", role="analyst")
    otp_login(client, analyst)
    assert client.get("/account/calendar/").status_code == 404
    assert client.post("/account/calendar/", {"do": "new"}).status_code == 404
    assert not CalendarFeed.objects.exists()
