"""The report flow: what is recorded, what the reporter sees (never the subject), kind
validation messages, and that nothing sent is lost when recording fails."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import PlaceFactory
from tests.portal.conftest import World, issue, report_data, sign_in
from vigil.cases.models import ContactAttempt, Sighting
from vigil.core.constants import Source
from vigil.orders.models import Breach
from vigil.portal.constants import SubmissionStatus
from vigil.portal.models import PortalSubmission

# The portal's pages and records: the engine is not asked (live_bridge; *_e2e tests run it).
pytestmark = [pytest.mark.django_db, pytest.mark.policy_offline]


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode().replace("&#x27;", "'").replace("&#x2019;", "’"))


def _signed_in(officer: Any, world: World, **kwargs: Any) -> Client:
    client = Client()
    assert sign_in(client, issue(officer, world, **kwargs)).status_code == 302
    return client


def test_a_sighting_with_a_place_on_the_map_is_recorded_for_the_case(world: World, officer: Any) -> None:
    client = _signed_in(officer, world)
    response = client.post("/report/what-happened", report_data(client, where="", lat="51.501234", lon="-0.141234"))
    assert response.status_code == 302 and response["Location"] == "/report/sent"
    submission = PortalSubmission.objects.get()
    assert submission.status == SubmissionStatus.RECORDED
    sighting = Sighting.objects.get()
    assert (sighting.subject, sighting.near, sighting.reported_by) == (world.subject, world.victim, world.son)
    assert sighting.source == Source.PORTAL
    assert (sighting.lat, sighting.lon) == pytest.approx((51.501234, -0.141234))
    assert submission.reference in sighting.summary and "Grey hoodie" in sighting.summary
    assert submission.recorded_as == f"cases.sighting:{sighting.pk}"
    receipt = client.get("/report/sent")
    assert "Your report has been sent" in _text(receipt) and submission.reference in _text(receipt)


def test_the_reporter_never_sees_anything_about_the_subject(world: World, officer: Any) -> None:
    client = Client()
    pages = [client.get("/report"), sign_in(client, issue(officer, world))]
    pages.append(client.get("/report/what-happened"))
    pages.append(client.post("/report/what-happened", report_data(client, where="")))  # with errors
    pages.append(client.post("/report/what-happened", report_data(client)))
    pages.append(client.get("/report/sent"))
    for page in pages:
        body = page.content.decode()
        for name_part in world.subject.full_name.split():
            assert name_part not in body
        assert world.case.reference not in body


def test_a_contact_attempt_needs_how_and_is_recorded(world: World, officer: Any) -> None:
    client = _signed_in(officer, world, person=world.victim)
    response = client.post("/report/what-happened", report_data(client, kind="contact"))
    assert response.status_code == 400 and "Choose how they tried to contact you." in _text(response)
    response = client.post("/report/what-happened", report_data(client, kind="contact", channel="message"))
    assert response.status_code == 302
    attempt = ContactAttempt.objects.get()
    assert (attempt.victim, attempt.subject, attempt.channel, attempt.reported_by) == (
        world.victim,
        world.subject,
        "message",
        world.victim,
    )
    assert attempt.source == Source.PORTAL


def test_they_broke_the_order_in_another_way_is_recorded_as_a_sighting_near_the_victim(world: World, officer: Any) -> None:
    """A report through the portal is a sighting or a contact attempt like any other
    (POLICY.md, R12): the policy, not the portal, decides whether an order was broken, so
    the report is recorded whether or not an order is in force (the policy's side is in
    test_victims_report_e2e.py)."""
    client = _signed_in(officer, world)
    response = client.post(
        "/report/what-happened",
        report_data(client, kind="breach", place="elsewhere", seen_by="someone_else", seen_by_name="A neighbour"),
    )
    assert response.status_code == 302
    submission = PortalSubmission.objects.get()
    assert submission.status == SubmissionStatus.RECORDED
    sighting = Sighting.objects.get()
    assert (sighting.subject, sighting.near, sighting.reported_by) == (world.subject, world.victim, world.son)
    assert sighting.source == Source.PORTAL and not Breach.objects.exists()
    assert "they broke the order in another way" in sighting.summary and "Seen by someone else: A neighbour." in sighting.summary
    assert submission.recorded_as == f"cases.sighting:{sighting.pk}"


def test_a_place_chosen_by_name_is_the_place_of_the_sighting(world: World, officer: Any) -> None:
    world.victim.home = PlaceFactory(label="victim's home")
    world.victim.save(update_fields=["home"])
    client = _signed_in(officer, world, person=world.victim)
    form = _text(client.get("/report/what-happened"))
    assert "At or near my home" in form and "Somewhere else" in form
    assert world.victim.home.address not in form  # never an address: a home may be a refuge
    response = client.post("/report/what-happened", report_data(client, place=str(world.victim.home_id), where=""))
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    assert sighting.place == world.victim.home
    assert (sighting.lat, sighting.lon) == (world.victim.home.lat, world.victim.home.lon)
    assert "Place chosen: At or near my home." in sighting.summary


def test_a_family_member_is_offered_the_home_of_the_person_they_report_for(world: World, officer: Any) -> None:
    world.victim.home = PlaceFactory()
    world.victim.save(update_fields=["home"])
    client = _signed_in(officer, world)
    assert "At or near the home of the person you are reporting for" in _text(client.get("/report/what-happened"))


def test_a_place_not_offered_is_refused(world: World, officer: Any) -> None:
    other = PlaceFactory()
    client = _signed_in(officer, world)
    response = client.post("/report/what-happened", report_data(client, place=str(other.pk)))
    assert response.status_code == 400 and "Choose where it happened from the list" in _text(response)
    assert not PortalSubmission.objects.exists()


def test_a_typed_postcode_goes_through_the_gazetteer(world: World, officer: Any, tmp_path: Any) -> None:
    path = tmp_path / "postcodes.csv"
    path.write_text("postcode,latitude,longitude\nVG3 7KL,53.79,-1.55\n")
    call_command("gazetteer", "load", str(path), stdout=io.StringIO())
    client = _signed_in(officer, world)
    response = client.post(
        "/report/what-happened", report_data(client, place="elsewhere", where="By the bus shelter", postcode="vg37kl")
    )
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    assert (sighting.lat, sighting.lon) == (53.79, -1.55)
    assert sighting.place is not None and sighting.place.address == "By the bus shelter (VG3 7KL)"
    assert sighting.place.label == "By the bus shelter (VG3 7KL)"


def test_a_report_without_a_place_is_still_recorded_and_a_day_without_a_time_stays_a_day(world: World, officer: Any) -> None:
    client = _signed_in(officer, world)
    response = client.post("/report/what-happened", report_data(client, place="unknown", where="", time=""))
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    assert sighting.place is None and sighting.lat is None
    assert sighting.seen_at_date_only
    assert "The sender gave the day, not the time." in sighting.summary


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": None}, "Choose what happened: they were seen, they tried to contact you, or something else."),
        ({"place": "elsewhere", "postcode": "nonsense"}, "That postcode does not look right. Check it, or leave it empty."),
        ({"seen_by": None}, "Tell us who saw it: you, or someone else."),
        ({"day": "31", "month": "2"}, "That date does not exist."),
        ({"day": ""}, "Enter the date it happened, for example 27 3 2025."),
        ({"time": "quarter past"}, "Enter the time like 14:30 or 9pm, or leave it empty if you do not know."),
        ({"year": str(timezone.localdate().year + 1)}, "The date and time must be now or in the past."),
        ({"portal_token": "forged"}, "Something went wrong with the form. Please check your answers and send it again."),
    ],
)
def test_bad_answers_get_a_clear_kind_message_and_nothing_is_sent(
    world: World, officer: Any, overrides: dict[str, Any], message: str
) -> None:
    client = _signed_in(officer, world)
    response = client.post("/report/what-happened", report_data(client, **overrides))
    assert response.status_code == 400
    body = _text(response)
    assert message in body
    assert "There is a problem" in body and "If you are in danger now, call 999" in body
    assert not PortalSubmission.objects.exists()


def test_the_form_needs_a_signed_in_report(db: Any) -> None:
    response = Client().get("/report/what-happened")
    assert response.status_code == 302 and response["Location"] == "/report"
    assert Client().get("/report/sent")["Location"] == "/report"


def test_only_the_session_cookie_is_set_and_finishing_clears_it(world: World, officer: Any) -> None:
    client = Client()
    assert not client.get("/report").cookies
    response = sign_in(client, issue(officer, world))
    assert set(response.cookies) == {"sessionid"}
    assert not client.get("/report/what-happened").cookies.get("csrftoken")
    client.post("/report/what-happened", report_data(client))
    token = client.session["portal_form_token"]
    response = client.post("/report/finish", {"portal_token": token})
    assert response.status_code == 302 and response["Location"] == "/help"
    assert response.cookies["sessionid"].value == ""
    assert client.get("/report/sent")["Location"] == "/report"


# --- nothing a victim sends is lost ---------------------------------------------------------


def _broken(**kwargs: Any) -> Any:
    raise RuntimeError("the policy run fell over")


def test_when_recording_fails_the_report_is_kept_shown_to_officers_and_retried(
    world: World, officer: Any, otp_login: Any, monkeypatch: Any
) -> None:
    from vigil.cases import services

    recording = services.sighting_record
    monkeypatch.setattr(services, "sighting_record", _broken)
    client = _signed_in(officer, world)
    response = client.post("/report/what-happened", report_data(client, details="He was by the school gate"))
    assert response.status_code == 302 and response["Location"] == "/report/sent"
    assert "Your report has been sent" in _text(client.get("/report/sent"))

    submission = PortalSubmission.objects.get()
    assert submission.status == SubmissionStatus.FAILED
    assert submission.details == "He was by the school gate"
    assert "RuntimeError: the policy run fell over" in submission.last_error
    assert submission.attempts == 2  # the first try, and the retry task (immediate backend in tests)
    assert not Sighting.objects.exists()

    officer_client = otp_login(Client(), officer)
    for url in (f"/cases/{world.case.pk}/", "/portal/reports/"):
        page = _text(officer_client.get(url))
        assert submission.reference in page and "Not recorded yet" in page and "the policy run fell over" in page

    monkeypatch.setattr(services, "sighting_record", recording)
    out = io.StringIO()
    call_command("portal-retry", stdout=out)
    assert "Tried 1 submission(s); 1 recorded, 0 still waiting." in out.getvalue()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RECORDED and submission.last_error == ""
    sighting = Sighting.objects.get()
    assert "He was by the school gate" in sighting.summary and sighting.source == Source.PORTAL


def test_an_officer_can_retry_a_failed_report_from_the_case(world: World, officer: Any, otp_login: Any, monkeypatch: Any) -> None:
    from vigil.cases import services

    recording = services.contact_attempt_record
    monkeypatch.setattr(services, "contact_attempt_record", _broken)
    client = _signed_in(officer, world)
    client.post("/report/what-happened", report_data(client, kind="contact", channel="call"))
    submission = PortalSubmission.objects.get()
    assert submission.status == SubmissionStatus.FAILED
    monkeypatch.setattr(services, "contact_attempt_record", recording)
    response = otp_login(Client(), officer).post(f"/portal/reports/{submission.pk}/retry/")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RECORDED
    assert ContactAttempt.objects.get().channel == "call"


def test_a_retry_is_never_run_twice_into_two_records(world: World, officer: Any) -> None:
    from vigil.portal.services import portal_submission_process

    client = _signed_in(officer, world)
    client.post("/report/what-happened", report_data(client))
    submission = PortalSubmission.objects.get()
    portal_submission_process(submission=submission)
    call_command("portal-retry", stdout=io.StringIO())
    assert Sighting.objects.count() == 1


def test_the_exclusion_zone_place_is_not_needed_to_report(world: World, officer: Any) -> None:
    # A place exists for the order, but the reporter never sees or needs it.
    PlaceFactory(address="14 Invented Road", protected=True)
    client = _signed_in(officer, world)
    body = _text(client.get("/report/what-happened"))
    assert "14 Invented Road" not in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", (14, 30)),
        ("14.30", (14, 30)),
        ("1430", (14, 30)),
        ("9", (9, 0)),
        ("9pm", (21, 0)),
        ("9.30 pm", (21, 30)),
        ("9:30am", (9, 30)),
        ("12am", (0, 0)),
        ("12pm", (12, 0)),
        ("0930", (9, 30)),
        ("25:00", None),
        ("13pm", None),
        ("half nine", None),
    ],
)
def test_the_time_is_read_as_people_write_it(text: str, expected: tuple[int, int] | None) -> None:

    from vigil.core.when import parse_time

    assert parse_time(text) == (dt.time(*expected) if expected else None)


def test_the_form_speaks_to_the_person_reporting(world: World, officer: Any) -> None:
    client = Client()
    sign_in(client, issue(officer, world))
    body = _text(client.get("/report/what-happened"))
    assert "They tried to contact you, or the person you are reporting for" in body
    assert "the victim" not in body.lower()
