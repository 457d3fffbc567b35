"""Opening a case from an incident, through the pages, as an officer would."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, TeamFactory, UserFactory
from vigil.actions.models import Action
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case, Report
from vigil.cases.services import case_open
from vigil.core.constants import Role
from vigil.intake.models import IntakeDraft
from vigil.people.models import Person, PersonLink, Place, Relationship

pytestmark = pytest.mark.django_db


def _start(client: Any) -> int:
    response = client.post(reverse("intake_start"))
    assert response.status_code == 302
    return int(re.search(r"/cases/new/(\d+)/", response["Location"]).group(1))  # type: ignore[union-attr]


def _victim_fields(**extra: Any) -> dict[str, Any]:
    fields = {
        "person-full_name": "Samira Haddou",
        "person-born_day": "2",
        "person-born_month": "5",
        "person-born_year": "1978",
        "person-sex": "female",
        "home-address": "14 Mill Lane",
        "home-postcode": "vg1 1aa",
    }
    fields.update(extra)
    return fields


def _when(now: dt.datetime) -> dict[str, Any]:
    local = timezone.localtime(now)
    return {"told_day": local.day, "told_month": local.month, "told_year": local.year, "told_time": local.strftime("%H:%M")}


def test_an_officer_opens_a_case_with_a_new_victim_a_suspect_a_child_and_the_first_report(
    officer: Any, client_for: Any, gazetteer: None
) -> None:
    client = client_for(officer)
    pk = _start(client)
    response = client.post(reverse("intake_victim", args=[pk]), {**_victim_fields(), "action": "continue"})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        reverse("intake_suspect", args=[pk]),
        {
            "known-known": "yes",
            "person-full_name": "Lionel Mackey",
            "person-aliases": "Lionel Mackie",
            "person-born_year": "1980",
            "person-born_month": "11",
            "person-born_day": "17",
            "person-sex": "male",
            "home-postcode": "VG1 2BB",
            "home-address": "3 Elm Road",
            "rel-kind": "ex_partner",
            "rel-since_year": "2005",
            "rel-until_day": "1",
            "rel-until_month": "3",
            "rel-until_year": "2019",
            "action": "continue",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        reverse("intake_household", args=[pk]),
        {
            "action": "add",
            "member-full_name": "Amira Haddou",
            "member-born_day": "12",
            "member-born_month": "6",
            "member-born_year": str(timezone.localdate().year - 9),
            "member-lives_with": "victim",
            "member-school": "Mill Lane Primary",
            "school-postcode": "VG2 3CC",
        },
    )
    assert response.status_code == 302
    assert "Amira Haddou" in client.get(reverse("intake_household", args=[pk])).content.decode()
    assert client.post(reverse("intake_household", args=[pk]), {"action": "continue"}).status_code == 302
    now = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    response = client.post(
        reverse("intake_report", args=[pk]),
        {
            "category": "stalking",
            **_when(now),
            "happened": "same",
            "where": "victim_home",
            "reported_by": "victim",
            "children_present": ["0"],
            "summary": "He keeps waiting outside her home.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    check = html.unescape(client.get(reverse("intake_check", args=[pk])).content.decode())
    for words in ("Samira Haddou", "Lionel Mackey", "Former partner", "Amira Haddou", "Stalking", "At the victim's home"):
        assert words in check
    assert "the centre of the postcode VG1 1AA" in check
    response = client.post(reverse("intake_check", args=[pk]), {})
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert f"Case {case.reference} is open and the first report is recorded." in page
    assert "What the policy did" in page and "This created: " in page and ">Tell the school" in page
    assert case.victim.full_name == "Samira Haddou" and case.subject is not None
    assert case.subject.aliases.get().name == "Lionel Mackie"
    assert case.victim.home is not None and (case.victim.home.lat, case.victim.home.lon) == (51.527, -0.187)
    assert case.victim.home.address == "14 Mill Lane, VG1 1AA"
    assert case.access_grants.filter(user=officer).exists()
    rel = Relationship.objects.get(a=case.victim, b=case.subject)
    assert rel.kind == "ex_partner" and rel.since == dt.date(2005, 1, 1) and rel.until == dt.date(2019, 3, 1)
    child = Person.objects.get(full_name="Amira Haddou")
    assert child.home == case.victim.home
    assert Relationship.objects.filter(a=case.victim, b=child, kind="household").exists()
    school = Place.objects.get(kind="school", person=child)
    assert school.label == "Mill Lane Primary" and school.lat == 51.531
    report = Report.objects.get(case=case)
    assert report.category == "stalking" and report.reported_by == case.victim and report.place == case.victim.home
    assert list(report.children_present.all()) == [child]
    kinds = set(Action.objects.filter(case=case).values_list("kind", flat=True))
    assert {"complete_risk_assessment", "database_checks", "supervisor_review", "notify_school"} <= kinds
    draft = IntakeDraft.objects.get(pk=pk)
    assert draft.submitted_at is not None and draft.case == case
    # What was typed is stored encrypted, never as plain text.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM intake_intakedraft WHERE id = %s", [pk])
        raw = cursor.fetchone()[0]
    assert "Samira" not in raw and raw.startswith("vgl1:")


def test_typing_a_name_offers_only_the_records_the_officer_may_see_with_the_reasons(
    officer: Any, client_for: Any, gazetteer: None
) -> None:
    seen = PersonFactory(full_name="Samira Haddou", born_on=dt.date(1978, 5, 2), born_year=1978)
    case = case_open(actor=officer, victim=seen, subject=PersonFactory(full_name="Kieran Boyd"), team=officer.team)
    other_team = TeamFactory()
    hidden = PersonFactory(full_name="Samira Hadou", born_on=dt.date(1978, 5, 2), born_year=1978)
    case_open(actor=officer, victim=hidden, subject=PersonFactory(), team=other_team)
    from vigil.people.linking import link_new_person

    for person in (seen, hidden):
        link_new_person(person, actor="test")
    PersonLink.objects.all().delete()  # only the index matters here, not links between the two

    client = client_for(officer)
    pk = _start(client)
    response = client.post(reverse("intake_victim", args=[pk]), {**_victim_fields(), "action": "search"})
    body = response.content.decode()
    assert "Is this one of these people already on record?" in body
    assert f'value="{seen.pk}"' in body and f'value="{hidden.pk}"' not in body
    assert "same date of birth" in body and case.reference in body
    search = AuditEvent.objects.filter(action="person.search", actor=officer).latest("seq")
    assert search.new["shown"] == [seen.pk]
    assert "Samira" not in str(search.new)
    # Choosing a record they may not see is refused, whatever is posted.
    response = client.post(
        reverse("intake_victim", args=[pk]), {**_victim_fields(), "person-record": str(hidden.pk), "action": "continue"}
    )
    assert response.status_code == 400
    assert "Choose the victim from the records shown" in response.content.decode()
    # Choosing the visible record stores it, not a new one.
    response = client.post(
        reverse("intake_victim", args=[pk]), {**_victim_fields(), "person-record": str(seen.pk), "action": "continue"}
    )
    assert response.status_code == 302
    assert IntakeDraft.objects.get(pk=pk).data["victim"]["existing"] == seen.pk


def test_continuing_without_choosing_asks_about_the_matches_first(officer: Any, client_for: Any, gazetteer: None) -> None:
    seen = PersonFactory(full_name="Samira Haddou", born_on=dt.date(1978, 5, 2), born_year=1978)
    case_open(actor=officer, victim=seen, subject=PersonFactory(), team=officer.team)
    from vigil.people.linking import link_new_person

    link_new_person(seen, actor="test")
    client = client_for(officer)
    pk = _start(client)
    response = client.post(reverse("intake_victim", args=[pk]), {**_victim_fields(), "action": "continue"})
    assert response.status_code == 400
    assert "Check whether the victim is one of the records below" in response.content.decode()
    response = client.post(
        reverse("intake_victim", args=[pk]), {**_victim_fields(), "person-record": "new", "action": "continue"}
    )
    assert response.status_code == 302
    assert IntakeDraft.objects.get(pk=pk).data["victim"]["existing"] is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"person-full_name": ""}, "Enter the full name of the victim"),
        ({"person-born_day": "31", "person-born_month": "2"}, "The date of birth of the victim must be a real date"),
        ({"person-born_year": "0001"}, "the year must be between 1900"),
        ({"person-born_year": "123456789012345678901234567890"}, "The date of birth of the victim must be a real date"),
        ({"person-born_day": "", "person-born_month": "5"}, "must include a day and a month, or only the year"),
        ({"home-postcode": "not a postcode"}, "Enter a real postcode for the victim's home"),
        ({"home-postcode": "VG9 9ZZ"}, "We could not find the postcode VG9 9ZZ for the victim's home"),
        ({"home-coordinates": "north-ish"}, "Enter the map position of the victim's home as latitude and longitude"),
    ],
)
def test_bad_victim_input_names_the_field_and_saves_nothing(
    officer: Any, client_for: Any, gazetteer: None, fields: dict[str, str], message: str
) -> None:
    client = client_for(officer)
    pk = _start(client)
    response = client.post(reverse("intake_victim", args=[pk]), {**_victim_fields(**fields), "action": "continue"})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "govuk-error-summary" in body and message in body
    assert IntakeDraft.objects.get(pk=pk).data == {}


def test_a_pin_refines_the_postcode_and_grid_references_are_read(officer: Any, client_for: Any, gazetteer: None) -> None:
    client = client_for(officer)
    pk = _start(client)
    fields = _victim_fields(**{"home-coordinates": "51.5274, -0.1876", "person-record": "new"})
    assert client.post(reverse("intake_victim", args=[pk]), {**fields, "action": "continue"}).status_code == 302
    home = IntakeDraft.objects.get(pk=pk).data["victim"]["home"]
    assert (home["lat"], home["lon"], home["positioned_by"]) == (51.5274, -0.1876, "pin")
    fields = _victim_fields(**{"home-coordinates": "529090 179645", "person-record": "new"})
    assert client.post(reverse("intake_victim", args=[pk]), {**fields, "action": "continue"}).status_code == 302
    home = IntakeDraft.objects.get(pk=pk).data["victim"]["home"]
    assert abs(home["lat"] - 51.501) < 0.001 and abs(home["lon"] - -0.1416) < 0.001


def test_roles_that_may_not_change_cases_cannot_open_one(client_for: Any, team: Any) -> None:
    for role in (Role.ANALYST, Role.IDVA, Role.ADMIN):
        user = UserFactory(role=role, team=team)
        client = client_for(user)
        assert client.get(reverse("intake_start")).status_code == 404
        assert client.post(reverse("intake_start")).status_code == 404
    assert IntakeDraft.objects.count() == 0


def test_another_officers_draft_is_not_found(officer: Any, client_for: Any, team: Any) -> None:
    pk = _start(client_for(officer))
    colleague = UserFactory(role=Role.OFFICER, team=team)
    assert client_for(colleague).get(reverse("intake_victim", args=[pk])).status_code == 404


def test_a_case_is_never_half_opened(officer: Any, client_for: Any, gazetteer: None, monkeypatch: Any) -> None:
    client = client_for(officer)
    pk = _start(client)
    assert client.post(reverse("intake_victim", args=[pk]), {**_victim_fields(), "action": "continue"}).status_code == 302
    assert client.post(reverse("intake_suspect", args=[pk]), {"known-known": "no"}).status_code == 302
    response = client.post(
        reverse("intake_report", args=[pk]),
        {
            "category": "domestic_abuse",
            **_when(timezone.now()),
            "happened": "same",
            "where": "victim_home",
            "reported_by": "victim",
        },
    )
    assert response.status_code == 302
    people, places = Person.objects.count(), Place.objects.count()

    from django.core.exceptions import ValidationError

    from vigil.intake import recording

    def refuse(**kwargs: Any) -> Any:
        raise ValidationError({"category": "refused for the test"})

    monkeypatch.setattr(recording, "report_record", refuse)
    response = client.post(reverse("intake_check", args=[pk]), {})
    assert response.status_code == 400 and "refused for the test" in response.content.decode()
    assert Case.objects.count() == 0 and Person.objects.count() == people and Place.objects.count() == places
    assert IntakeDraft.objects.get(pk=pk).submitted_at is None


def _to_report(client: Any) -> int:
    pk = _start(client)
    assert client.post(reverse("intake_victim", args=[pk]), {**_victim_fields(), "action": "continue"}).status_code == 302
    assert client.post(reverse("intake_suspect", args=[pk]), {"known-known": "no"}).status_code == 302
    return pk


@pytest.mark.parametrize(
    ("step", "fields", "message"),
    [
        ("suspect", {}, "Select yes if you know who the suspect is"),
        ("suspect", {"known-known": "yes", "person-full_name": "", "rel-kind": "partner"}, "Enter the full name of the suspect"),
        (
            "suspect",
            {"known-known": "yes", "person-full_name": "Lionel Mackey", "rel-kind": ""},
            "Choose how the suspect is related to the victim",
        ),
        (
            "suspect",
            {
                "known-known": "yes",
                "person-full_name": "Lionel Mackey",
                "rel-kind": "ex_partner",
                "rel-since_year": "2010",
                "rel-until_year": "2005",
            },
            "The date they separated must be after the date the relationship began",
        ),
        (
            "household",
            {"action": "add", "member-full_name": "", "member-lives_with": "victim"},
            "Enter the full name of the child",
        ),
        (
            "household",
            {"action": "add", "member-full_name": "Amira Haddou", "member-lives_with": "victim"},
            "Enter their date of birth",
        ),
        (
            "household",
            {
                "action": "add",
                "member-full_name": "Amira Haddou",
                "member-born_year": "2015",
                "member-lives_with": "victim",
                "school-postcode": "x",
            },
            "Enter a real postcode for the school",
        ),
        (
            "report",
            {"category": "", "happened": "same", "where": "victim_home", "reported_by": "victim"},
            "Select the kind of report",
        ),
        (
            "report",
            {"category": "stalking", "happened": "same", "where": "other", "reported_by": "victim"},
            "Enter where it happened, a postcode, or both",
        ),
        (
            "report",
            {"category": "stalking", "happened": "same", "where": "victim_home", "reported_by": "other"},
            "Enter the full name of the person who told the police",
        ),
        (
            "report",
            {"category": "stalking", "happened": "same", "where": "victim_home", "reported_by": "victim", "told_year": "2999"},
            "cannot be in the future",
        ),
    ],
)
def test_bad_input_on_each_page_names_the_field_and_keeps_nothing(
    officer: Any, client_for: Any, gazetteer: None, step: str, fields: dict[str, str], message: str
) -> None:
    client = client_for(officer)
    pk = _to_report(client) if step == "report" else _start(client)
    if step == "household":
        client.post(reverse("intake_victim", args=[pk]), {**_victim_fields(), "action": "continue"})
    before = IntakeDraft.objects.get(pk=pk).data
    posted = dict(fields)
    if step == "report":
        posted = {**_when(timezone.now() - dt.timedelta(minutes=5)), **posted}
    if step == "suspect" and posted.get("known-known") == "yes":
        posted["action"] = "continue"
        posted.setdefault("person-record", "new")
    response = client.post(reverse(f"intake_{step}", args=[pk]), posted)
    body = html.unescape(response.content.decode())
    assert response.status_code == 400, body[:2000]
    assert "govuk-error-summary" in body and message in body, body[body.find("error-summary__list") :][:800]
    assert "This field is required" not in body
    if not fields:  # nothing answered: only the first question is asked about
        assert body.count("<li><a href=") == 1
    assert IntakeDraft.objects.get(pk=pk).data == before


def test_the_search_as_you_type_endpoint_uses_the_home_postcode_and_audits(
    officer: Any, client_for: Any, gazetteer: None
) -> None:
    from vigil.people.services import place_create

    home = place_create(actor="test", address="14 Mill Lane, VG1 1AA", kind="home", lat=51.527, lon=-0.187)
    seen = PersonFactory(full_name="Samira Haddou", born_on=None, born_year=None, birth_precision="unknown", home=home)
    case_open(actor=officer, victim=seen, subject=PersonFactory(), team=officer.team)
    from vigil.people.linking import link_new_person

    link_new_person(seen, actor="test")
    client = client_for(officer)
    posted = {"prefix": "person", "person-full_name": "Samira Hadou"}
    without = html.unescape(client.post(reverse("person_suggest"), posted).content.decode())
    within = html.unescape(
        client.post(
            reverse("person_suggest"), {**posted, "home-address": "14 Mill Lane", "home-postcode": "VG1 1AA"}
        ).content.decode()
    )
    assert "homes within 100 m" in within or "same address" in within
    assert "homes within 100 m" not in without
    assert AuditEvent.objects.filter(action="person.search", actor=officer).count() == 2
    # Only a role that may open cases may search.
    analyst = UserFactory(role=Role.ANALYST, team=officer.team)
    assert client_for(analyst).post(reverse("person_suggest"), posted).status_code == 404


def test_maps_use_the_forces_tile_server_or_say_typing_is_easier(officer: Any, client_for: Any) -> None:
    from django.test import override_settings

    client = client_for(officer)
    pk = _start(client)
    plain = html.unescape(client.get(reverse("intake_victim", args=[pk])).content.decode())
    assert 'data-tiles-url=""' in plain and "typing the address or postcode is easier" in plain
    url = "https://tiles.example.police.uk/os/{z}/{x}/{y}.png"
    with override_settings(VIGIL_MAP_TILES_URL=url, VIGIL_MAP_TILES_ATTRIBUTION="© Crown copyright"):
        tiled = html.unescape(client.get(reverse("intake_victim", args=[pk])).content.decode())
    assert f'data-tiles-url="{url}"' in tiled and "© Crown copyright" in tiled
    assert "typing the address or postcode is easier" not in tiled
