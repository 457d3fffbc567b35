"""Each fact the policy reads can be recorded on a case through its own page; bad input is
refused with a message naming the field, and nothing is half-saved."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, PlaceFactory, UserFactory
from vigil.actions.models import Action
from vigil.alarms.models import Alarm, AlarmActivation
from vigil.cases.models import Case, ContactAttempt, Intelligence, JusticeEvent, Report, Sighting
from vigil.cases.services import case_open, report_record
from vigil.core.constants import Role
from vigil.intake.facts import FACTS
from vigil.orders.models import Breach, OrderCondition, ProtectiveOrder
from vigil.orders.services import order_grant
from vigil.people.models import Person, Place
from vigil.people.services import relationship_create
from vigil.warrants.models import Warrant
from vigil.warrants.services import warrant_issue

pytestmark = pytest.mark.django_db

FACT_MODELS = [Report, Sighting, ContactAttempt, Intelligence, JusticeEvent, ProtectiveOrder, OrderCondition, Breach]
FACT_MODELS += [Warrant, Alarm, AlarmActivation, Place, Person]


@pytest.fixture
def case(officer: Any) -> Case:
    home = PlaceFactory(lat=51.527, lon=-0.187, label="victim's home", address="27 Alder Close, VG1 1AA")
    victim = PersonFactory(full_name="Samira Haddou", home=home)
    suspect = PersonFactory(full_name="Lionel Mackey", home=PlaceFactory(lat=51.529, lon=-0.189))
    son = PersonFactory(full_name="Idris Haddou", home=home, born_on=dt.date(2003, 6, 12), born_year=2003)
    relationship_create(actor=officer, a=victim, b=suspect, kind="ex_partner")
    relationship_create(actor=officer, a=victim, b=son, kind="household")
    return case_open(actor=officer, victim=victim, subject=suspect, team=officer.team, allocate=[officer])


def _now_fields(moment: dt.datetime | None = None) -> dict[str, Any]:
    local = timezone.localtime(moment or timezone.now() - dt.timedelta(minutes=2))
    return {
        "told_day": local.day,
        "told_month": local.month,
        "told_year": local.year,
        "told_time": local.strftime("%H:%M"),
        "happened": "same",
    }


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in FACT_MODELS}


def _post(client: Any, case: Case, slug: str, fields: dict[str, Any]) -> Any:
    return client.post(reverse("fact_record", args=[case.pk, slug]), {**_now_fields(), **fields})


def _son(case: Case) -> Person:
    return Person.objects.get(full_name="Idris Haddou")


def test_a_sighting_near_the_victim_reported_by_her_son_at_a_new_place(officer: Any, client_for: Any, case: Case) -> None:
    client = client_for(officer)
    response = _post(
        client,
        case,
        "sighting",
        {
            "near": str(case.victim_id),
            "where": "other",
            "place-address": "street corner outside the victim's home",
            "place-coordinates": "51.5274, -0.1876",
            "reported_by": str(_son(case).pk),
            "summary": "Standing on the corner.",
        },
    )
    assert response.status_code == 302, html.unescape(response.content.decode())[:4000]
    sighting = Sighting.objects.get()
    assert sighting.near == case.victim and sighting.reported_by == _son(case) and sighting.subject == case.subject
    assert sighting.place is not None and (sighting.lat, sighting.lon) == (51.5274, -0.1876)
    page = client.get(response["Location"]).content.decode()
    assert "The sighting was recorded." in page


def test_an_order_with_a_200_metre_zone_around_her_home(officer: Any, client_for: Any, case: Case) -> None:
    client = client_for(officer)
    response = _post(
        client,
        case,
        "order",
        {
            "reference": "ISPO-1",
            "order_type": "interim_spo",
            "protected": [str(case.victim_id)],
            "expires_day": "5",
            "expires_month": "4",
            "expires_year": str(timezone.localdate().year + 1),
            "no_contact": "on",
            "exclusion": "on",
            "zone_place": str(case.victim.home_id),
            "radius_m": "200",
        },
    )
    assert response.status_code == 302, html.unescape(response.content.decode())[:4000]
    order = ProtectiveOrder.objects.get()
    assert order.reference == "ISPO-1" and list(order.protected.all()) == [case.victim]
    assert timezone.localtime(order.expires_at).time() == dt.time(23, 59)
    zone = order.conditions.get(kind="exclusion_zone")
    assert zone.place == case.victim.home and zone.radius_m == 200
    assert order.conditions.filter(kind="no_contact").exists()


def test_bail_conditions_become_an_order_the_policy_checks(officer: Any, client_for: Any, case: Case) -> None:
    client = client_for(officer)
    until = timezone.localtime() + dt.timedelta(days=30)
    response = _post(
        client,
        case,
        "released",
        {
            "on_bail": "yes",
            "expires_day": until.day,
            "expires_month": until.month,
            "expires_year": until.year,
            "expires_time": "10:00",
            "no_contact": "on",
        },
    )
    assert response.status_code == 302, html.unescape(response.content.decode())[:4000]
    release = JusticeEvent.objects.get(kind="released")
    assert timezone.localtime(release.bail_until).strftime("%H:%M") == "10:00"
    order = ProtectiveOrder.objects.get(order_type="bail_conditions")
    assert order.expires_at == release.bail_until and order.conditions.get().kind == "no_contact"


def test_warrants_are_issued_executed_and_withdrawn_through_their_pages(officer: Any, client_for: Any, case: Case) -> None:
    client = client_for(officer)
    # R6 acts on a warrant for a subject linked to a victim, which a report does.
    report_record(actor=officer, case=case, category="stalking", reported_at=timezone.now() - dt.timedelta(days=2))
    response = _post(client, case, "warrant", {"reference": "W-1", "reason": "failed to appear at court"})
    assert response.status_code == 302
    warrant = Warrant.objects.get()
    assert warrant.officer_in_case == officer and warrant.status == "outstanding"
    assert Action.objects.filter(case=case, kind="execute_warrant", status="open").exists()
    response = _post(
        client,
        case,
        "warrant-executed",
        {"warrant": str(warrant.pk), "custody_reference": "CUST-77", "arrested_by": "PC 1203 Adeyemi"},
    )
    assert response.status_code == 302, html.unescape(response.content.decode())[:4000]
    warrant.refresh_from_db()
    assert warrant.status == "executed"
    assert JusticeEvent.objects.get(kind="arrest").summary.endswith("Custody reference CUST-77.")
    assert JusticeEvent.objects.get(kind="arrest").custody_reference == warrant.custody_reference == "CUST-77"
    assert JusticeEvent.objects.get(kind="arrest").arrested_by == warrant.executed_by == "PC 1203 Adeyemi"
    assert not Action.objects.filter(case=case, kind="execute_warrant", status="open").exists()
    second = warrant_issue(
        actor=officer, reference="W-2", subject=case.subject, reason="failed to appear", issued_at=timezone.now()
    )
    response = _post(client, case, "warrant-withdrawn", {"warrant": str(second.pk), "reason": "The court withdrew it."})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "withdrawn" and second.withdrawn_reason == "The court withdrew it."


@pytest.mark.parametrize(
    ("slug", "fields", "check"),
    [
        ("report", {"category": "harassment", "where": "unknown", "reported_by": "officer"}, lambda c: Report.objects.get()),
        (
            "contact",
            {"victim": "VICTIM", "channel": "message", "reported_by": "VICTIM"},
            lambda c: ContactAttempt.objects.get(channel="message", victim=c.victim),
        ),
        (
            "intelligence",
            {"where": "unknown", "weapons": "on", "summary": "Keeps a knife in his car."},
            lambda c: Intelligence.objects.get(weapons=True, threat_to_kill=False),
        ),
        ("arrest", {"custody_reference": ""}, lambda c: JusticeEvent.objects.get(kind="arrest")),
        (
            "charge",
            {"offence": "breach of an order"},
            lambda c: JusticeEvent.objects.get(kind="charge", offence="breach of an order"),
        ),
        ("released", {"on_bail": "no"}, lambda c: JusticeEvent.objects.get(kind="released", bail_until=None)),
        ("court", {"outcome": "failed_to_appear"}, lambda c: JusticeEvent.objects.get(outcome="failed_to_appear")),
        ("alarm", {"person": "VICTIM", "where": "HOME"}, lambda c: Alarm.objects.get(person=c.victim, place=c.victim.home)),
        (
            "alarm-pressed",
            {"person": "VICTIM", "where": "HOME"},
            lambda c: AlarmActivation.objects.get(person=c.victim),
        ),
    ],
)
def test_each_fact_is_recorded(officer: Any, client_for: Any, case: Case, slug: str, fields: dict[str, str], check: Any) -> None:
    values = {k: {"VICTIM": str(case.victim_id), "HOME": str(case.victim.home_id)}.get(v, v) for k, v in fields.items()}
    response = _post(client_for(officer), case, slug, values)
    assert response.status_code == 302, html.unescape(response.content.decode())[:4000]
    assert check(case)


def test_a_breach_and_an_order_ended(officer: Any, client_for: Any, case: Case) -> None:
    order = order_grant(
        actor=officer,
        reference="NMO-1",
        order_type="non_molestation_order",
        subject=case.subject,
        protected=[case.victim],
        starts_at=timezone.now() - dt.timedelta(days=3),
        reported_at=timezone.now() - dt.timedelta(days=3),
        conditions=[{"kind": "no_contact"}],
    )
    client = client_for(officer)
    response = _post(
        client,
        case,
        "breach",
        {
            "order": str(order.pk),
            "where": str(case.victim.home_id),
            "reported_by": str(case.victim_id),
            "summary": "At the door.",
        },
    )
    assert response.status_code == 302, html.unescape(response.content.decode())[:4000]
    assert Breach.objects.get().order == order
    assert Action.objects.filter(case=case, kind="arrest_suspect", status="open").exists()
    response = _post(client, case, "order-ended", {"order": str(order.pk), "reason": "Discharged by the court."})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "ended"


ORDER = {"reference": "O-9", "order_type": "spo", "protected": ["VICTIM"]}


def _days(prefix: str, day: int, month: int, year: int) -> dict[str, str]:
    return {f"{prefix}_day": str(day), f"{prefix}_month": str(month), f"{prefix}_year": str(year)}


BAD = [
    ("report", {"category": "", "where": "unknown", "reported_by": "officer"}, "Select the kind of report"),
    ("report", {"category": "theft", "where": "unknown", "reported_by": "someone"}, "Enter the full name of the person who told"),
    ("sighting", {"near": "VICTIM", "where": "other", "reported_by": "VICTIM"}, "Enter the place, a postcode, or both"),
    ("sighting", {"near": "VICTIM", "where": "other", "place-coordinates": "99, 500", "reported_by": "VICTIM"}, "map position"),
    ("sighting", {"near": "9999999", "where": "unknown", "reported_by": "VICTIM"}, "Choose who he was seen near from the list"),
    ("contact", {"victim": "VICTIM", "channel": "", "reported_by": "VICTIM"}, "Select how he tried to make contact"),
    ("intelligence", {"where": "unknown", "summary": ""}, "Enter what the intelligence says"),
    ("order", {"reference": "", "order_type": "spo", "protected": ["VICTIM"], "no_contact": "on"}, "Enter order reference"),
    ("order", {"reference": "O-9", "order_type": "spo", "protected": ["VICTIM"]}, "Select at least one condition"),
    (
        "order",
        {"reference": "O-9", "order_type": "spo", "protected": ["VICTIM"], "exclusion": "on", "zone_place": "HOME"},
        "Enter the radius of the exclusion zone",
    ),
    (
        "order",
        {
            "reference": "O-9",
            "order_type": "spo",
            "protected": ["VICTIM"],
            "exclusion": "on",
            "zone_place": "HOME",
            "radius_m": "-5",
        },
        "radius of the exclusion zone must be 1 or more",
    ),
    (
        "order",
        {
            "reference": "O-9",
            "order_type": "spo",
            "protected": ["VICTIM"],
            "no_contact": "on",
            "expires_day": "31",
            "expires_month": "2",
            "expires_year": "2030",
        },
        "the order ends must be a real date",
    ),
    (
        "order",
        {
            "reference": "O-9",
            "order_type": "spo",
            "protected": ["VICTIM"],
            "no_contact": "on",
            "expires_day": "1",
            "expires_month": "1",
            "expires_year": "2001",
        },
        "The date the order ends must be after it was granted",
    ),
    ("order", {"reference": "O-9", "order_type": "spo", "protected": [], "no_contact": "on"}, "Select who the order protects"),
    ("warrant", {"reference": "W-9", "reason": ""}, "Enter why the warrant was issued"),
    ("charge", {"offence": ""}, "Enter offence"),
    (
        "released",
        {"on_bail": "yes", "expires_day": "1", "expires_month": "1", "expires_year": "2001", "expires_time": "10:00"},
        "must be after his release",
    ),
    ("released", {"on_bail": "yes"}, "Enter the date he must answer bail"),
    ("court", {"outcome": ""}, "Select the outcome of the hearing"),
    ("alarm", {"person": "", "where": "HOME"}, "Select whose alarm it is"),
    ("arrest", {"told_year": "0001"}, "the year must be 1900 or later"),
    ("arrest", {"told_year": "123456789012345678901234567890"}, "the police were told must be a real date"),
    ("arrest", {"told_time": "25:99"}, "Enter the time the police were told like 14:30 or 9pm"),
    ("arrest", {"told_year": "2999"}, "The time the police were told cannot be in the future"),
    (
        "arrest",
        {"happened": "moment", "at_day": "30", "at_month": "2", "at_year": "2020"},
        "The date it happened must be a real date",
    ),
    (
        "arrest",
        {
            "happened": "window",
            "from_day": "2",
            "from_month": "1",
            "from_year": "2020",
            "to_day": "1",
            "to_month": "1",
            "to_year": "2020",
        },
        "The second date must be after the first",
    ),
]


@pytest.mark.parametrize(("slug", "fields", "message"), BAD, ids=[f"{s}-{i}" for i, (s, _, _) in enumerate(BAD)])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    officer: Any, client_for: Any, case: Case, slug: str, fields: dict[str, Any], message: str
) -> None:
    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return {"VICTIM": str(case.victim_id), "HOME": str(case.victim.home_id)}.get(value, value)

    before = _counts()
    audit_before = __import__("vigil.audit.models", fromlist=["AuditEvent"]).AuditEvent.objects.count()
    response = _post(client_for(officer), case, slug, {k: resolve(v) for k, v in fields.items()})
    body = html.unescape(response.content.decode())
    assert response.status_code == 400, body[:3000]
    assert "govuk-error-summary" in body and message in body, body[body.find("error-summary__list") :][:1500]
    assert "This field is required" not in body and "Ensure this value" not in body
    assert _counts() == before
    from vigil.audit.models import AuditEvent

    assert AuditEvent.objects.exclude(action__in=["case.view"]).count() == audit_before


def test_a_failing_service_leaves_no_new_place_behind(officer: Any, client_for: Any, case: Case, monkeypatch: Any) -> None:
    from django.core.exceptions import ValidationError

    from vigil.intake import facts

    def refuse(**kwargs: Any) -> Any:
        raise ValidationError({"near": "refused for the test"})

    monkeypatch.setattr(facts, "sighting_record", refuse)
    before = _counts()
    response = _post(
        client_for(officer),
        case,
        "sighting",
        {"near": str(case.victim_id), "where": "other", "place-address": "the park", "reported_by": str(case.victim_id)},
    )
    assert response.status_code == 400 and "refused for the test" in response.content.decode()
    assert _counts() == before


def test_only_roles_that_may_change_a_case_see_the_forms_and_others_get_404(
    officer: Any, outsider: Any, client_for: Any, case: Case, team: Any
) -> None:
    assert client_for(officer).get(reverse("fact_menu", args=[case.pk])).status_code == 200
    for fact in FACTS:
        assert client_for(outsider).get(reverse("fact_record", args=[case.pk, fact.slug])).status_code == 404
    for role in (Role.IDVA, Role.ANALYST, Role.ADMIN):
        user = UserFactory(role=role, team=team)
        assert client_for(user).get(reverse("fact_menu", args=[case.pk])).status_code == 404
        response = client_for(user).post(reverse("fact_record", args=[case.pk, "arrest"]), _now_fields())
        assert response.status_code == 404
    assert not JusticeEvent.objects.exists()


def test_every_fact_page_renders_with_its_choices(officer: Any, client_for: Any, case: Case) -> None:
    order_grant(
        actor=officer,
        reference="NMO-2",
        order_type="non_molestation_order",
        subject=case.subject,
        protected=[case.victim],
        starts_at=timezone.now() - dt.timedelta(days=1),
        conditions=[{"kind": "no_contact"}],
    )
    warrant_issue(actor=officer, reference="W-5", subject=case.subject, reason="failed to appear", issued_at=timezone.now())
    client = client_for(officer)
    menu = html.unescape(client.get(reverse("fact_menu", args=[case.pk])).content.decode())
    for fact in FACTS:
        assert fact.title in menu
        page = html.unescape(client.get(reverse("fact_record", args=[case.pk, fact.slug])).content.decode())
        assert fact.button in page, fact.slug
        if fact.place_question:
            assert "Samira Haddou's home: 27 Alder Close, VG1 1AA" in page


def test_a_protected_home_is_offered_by_its_label_never_its_address(officer: Any, client_for: Any, case: Case) -> None:
    Place.objects.filter(pk=case.victim.home_id).update(protected=True)
    page = html.unescape(client_for(officer).get(reverse("fact_record", args=[case.pk, "sighting"])).content.decode())
    assert "Samira Haddou's home (protected address)" in page
    assert "27 Alder Close" not in page


def test_after_a_save_the_case_page_says_what_the_policy_did_and_links_each_new_action(
    officer: Any, client_for: Any, case: Case
) -> None:
    client = client_for(officer)
    response = _post(client, case, "report", {"category": "stalking", "where": "unknown", "reported_by": str(case.victim_id)})
    assert response.status_code == 302
    page = html.unescape(client.get(response["Location"]).content.decode())
    panel = page[page.index('id="policy-outcome"') :][:4000]
    assert "What the policy did" in panel
    for action in Action.objects.filter(case=case, status="open"):
        assert reverse("action_detail", args=[action.pk]) in panel
    assert re.search(r'This created: <a class="govuk-link" href="/actions/\d+/">Complete a risk assessment</a>, high, due', panel)
    assert "(R1:" in panel
    # Said once: the next visit shows the case without it.
    assert 'id="policy-outcome"' not in client.get(response["Location"]).content.decode()


def test_what_the_policy_did_leaves_out_cases_the_officer_may_not_see(
    officer: Any, outsider: Any, client_for: Any, case: Case
) -> None:
    from vigil.actions.effects import PolicyEffects
    from vigil.actions.outcome import outcome_lines

    report_record(actor=officer, case=case, category="stalking", reported_at=timezone.now() - dt.timedelta(hours=1))
    effects = PolicyEffects(created=list(Action.objects.filter(case=case)))
    assert len(outcome_lines(officer, effects)) == len(effects.created) > 0
    assert outcome_lines(outsider, effects) == []


def test_an_order_varied_through_its_page_takes_effect_for_the_policy(officer: Any, client_for: Any, case: Case) -> None:
    from tests.policy.builders import point_at
    from vigil.cases.services import sighting_record
    from vigil.orders.models import OrderVariation
    from vigil.policy.facts import Place as EnginePlace

    home = case.victim.home
    assert home is not None and home.lat is not None and home.lon is not None
    week_ago = timezone.now() - dt.timedelta(days=7)
    report_record(actor=officer, case=case, category="stalking", reported_at=week_ago)
    order = order_grant(
        actor=officer,
        reference="RO-77",
        order_type="restraining_order",
        subject=case.subject,
        protected=[case.victim],
        starts_at=week_ago + dt.timedelta(hours=1),
        reported_at=week_ago + dt.timedelta(hours=1),
        expires_at=timezone.now() + dt.timedelta(days=30),
        conditions=[{"kind": "exclusion_zone", "place": home, "radius_m": 200.0}],
    )
    lat, lon = point_at(EnginePlace("H", "home", "home", home.lat, home.lon), 350)
    # Seen 350 m away under the 200 m zone: no breach.
    sighting_record(actor=officer, subject=case.subject, reported_at=timezone.now() - dt.timedelta(days=3), lat=lat, lon=lon)
    assert not Action.objects.filter(case=case, kind="arrest_suspect").exists()

    client = client_for(officer)
    page = html.unescape(client.get(reverse("fact_record", args=[case.pk, "order-varied"])).content.decode())
    assert 'name="radius_m" type="text" inputmode="numeric" value="200"' in page  # starts from the terms in force
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    response = _post(
        client,
        case,
        "order-varied",
        {
            **_now_fields(two_days_ago),
            "order": str(order.pk),
            "exclusion": "on",
            "zone_place": str(home.pk),
            "radius_m": "500",
            "reason": "The court widened the zone after repeated sightings.",
        },
    )
    assert response.status_code == 302, html.unescape(response.content.decode())[:3000]
    variation = OrderVariation.objects.get()
    assert variation.conditions.get().radius_m == 500 and variation.expires_at is None
    # The earlier sighting stays outside the old zone; one after the variation is a breach.
    assert not Action.objects.filter(case=case, kind="arrest_suspect").exists()
    sighting_record(actor=officer, subject=case.subject, reported_at=timezone.now() - dt.timedelta(days=1), lat=lat, lon=lon)
    assert Action.objects.filter(case=case, kind="arrest_suspect", rule="R5").count() == 1


def test_a_variation_needs_its_reason_and_a_condition(officer: Any, client_for: Any, case: Case) -> None:
    from vigil.orders.models import OrderVariation

    order = order_grant(
        actor=officer,
        reference="RO-78",
        order_type="restraining_order",
        subject=case.subject,
        protected=[case.victim],
        starts_at=timezone.now() - dt.timedelta(days=5),
        reported_at=timezone.now() - dt.timedelta(days=5),
        conditions=[{"kind": "no_contact"}],
    )
    client = client_for(officer)
    response = _post(client, case, "order-varied", {"order": str(order.pk), "reason": ""})
    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Enter why the order was varied" in body and "Select at least one condition" in body
    assert not OrderVariation.objects.exists()
