"""POST /api/v1/events: one event or a batch in the timeline format's shapes, people and places
as the sender's refs; idempotent by (source, external id); per event, what the policy did;
bad input named by event index and field, and a refused batch writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.api.conftest import MakeClient, bearer
from tests.factories import TeamFactory
from vigil.actions.models import Action
from vigil.api.models import ExternalRef, ReceivedEvent
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case, Report
from vigil.orders.models import ProtectiveOrder
from vigil.people.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]  # at NOW
NOW = dt.datetime(2025, 6, 11, 20, 10, tzinfo=dt.UTC)


PEOPLE = [
    {"ref": "NICHE-P-1001", "name": "Carys Pemberton", "born": "1991-04-12", "sex": "female", "home": "NICHE-A-77"},
    {"ref": "NICHE-P-1002", "name": "Gideon Farrant", "born": "1988-11-02", "sex": "male"},
]
PLACES = [{"ref": "NICHE-A-77", "label": "victim's home", "kind": "home", "lat": 51.5, "lon": -0.12, "address": "4 Elm Row"}]


def report(external_id: str = "INC-1", *, at: str = "2025-06-11T18:30:00+01:00", **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "type": "report",
        "at": at,
        "victim": "NICHE-P-1001",
        "suspect": "NICHE-P-1002",
        "category": "domestic_abuse",
        "reported_by": "NICHE-P-1001",
        **extra,
    }


def post(client: Any, token: str, body: Any) -> Any:
    return client.post("/api/v1/events", json.dumps(body), content_type="application/json", **bearer(token))


def counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Report.objects.count(),
        Action.objects.count(),
        ReceivedEvent.objects.count(),
        ExternalRef.objects.count(),
    )


def test_a_batch_is_recorded_and_says_what_the_policy_did(client: Any, rms: Any, api_team: Any) -> None:
    _, token = rms
    response = post(client, token, {"people": PEOPLE, "places": PLACES, "events": [report()]})
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["source"] == "niche" and body["team"] == api_team.pk and body["recorded"] == 1 and body["duplicates"] == 0
    answer = body["events"][0]
    case = Case.objects.get()
    assert answer["status"] == "recorded" and answer["cases"] == [case.reference] and case.team == api_team
    created = answer["policy"]["created"]
    stored = Action.objects.filter(case=case)
    assert sorted(a["kind"] for a in created) == sorted(stored.values_list("kind", flat=True))
    assert {"complete_risk_assessment", "database_checks", "supervisor_review"} <= {a["kind"] for a in created}
    for item in created:
        action = stored.get(pk=item["id"])
        assert dt.datetime.fromisoformat(item["due_at"]) == action.due_at and item["rule"] == action.rule
    report_row = Report.objects.get()
    assert report_row.reported_at == dt.datetime(2025, 6, 11, 17, 30, tzinfo=dt.UTC) and report_row.recorded_at == NOW
    assert set(ExternalRef.objects.values_list("kind", "external_id")) == {
        ("person", "NICHE-P-1001"),
        ("person", "NICHE-P-1002"),
        ("place", "NICHE-A-77"),
    }
    assert AuditEvent.objects.filter(action="report.record", actor_label="api:rms-test").exists()
    assert AuditEvent.objects.filter(action="api.call", actor_label="api:rms-test", new__status=200).exists()


def test_the_same_event_twice_is_recorded_once(client: Any, rms: Any) -> None:
    _, token = rms
    body = {"people": PEOPLE, "places": PLACES, "events": [report()]}
    first = json.loads(post(client, token, body).content)
    before = counts()
    again = json.loads(post(client, token, body).content)
    assert counts() == before
    assert again["recorded"] == 0 and again["duplicates"] == 1
    assert again["events"][0]["status"] == "duplicate"
    assert again["events"][0]["policy"] == first["events"][0]["policy"]


def test_refs_sent_before_name_the_same_records(client: Any, rms: Any) -> None:
    _, token = rms
    post(client, token, {"people": PEOPLE, "places": PLACES, "events": [report()]})
    people = Person.objects.count()
    later = report("INC-2", at="2025-06-11T19:00:00+01:00", category="stalking")
    response = post(client, token, later)  # a bare event: a batch of one, its people known
    assert response.status_code == 200, response.content
    assert Person.objects.count() == people and Case.objects.count() == 1 and Report.objects.count() == 2


def test_orders_and_warrants_keep_the_sender_s_ids(client: Any, rms: Any) -> None:
    _, token = rms
    grant = {
        "external_id": "ORD-EV-1",
        "type": "order_granted",
        "at": "2025-06-10T10:00:00+01:00",
        "order": "NICHE-O-5",
        "order_type": "dvpo",
        "protected": ["NICHE-P-1001"],
        "subject": "NICHE-P-1002",
        "conditions": [{"kind": "no_contact"}, {"kind": "exclusion_zone", "place": "NICHE-A-77", "radius_m": 200}],
    }
    assert post(client, token, {"people": PEOPLE, "places": PLACES, "events": [report(), grant]}).status_code == 200
    order = ProtectiveOrder.objects.get()
    assert order.reference == "NICHE-O-5" and order.conditions.count() == 2
    breach = {
        "external_id": "BR-1",
        "type": "breach",
        "at": "2025-06-11T20:00:00+01:00",
        "order": "NICHE-O-5",
        "reported_by": "NICHE-P-1001",
    }
    body = json.loads(post(client, token, breach).content)
    kinds = {a["kind"] for a in body["events"][0]["policy"]["created"]}
    assert "arrest_suspect" in kinds and [f["kind"] for f in body["events"][0]["policy"]["flags"]] == ["breach"]
    again = post(client, token, {"events": [{**grant, "external_id": "ORD-EV-2"}]})
    assert again.status_code == 422
    assert json.loads(again.content)["errors"][0]["field"] == "events[0].order"


@pytest.mark.parametrize(
    ("events", "field", "index"),
    [
        ([report(), report("INC-2", category="burglary")], "events[1].category", 1),
        ([report(), report("INC-2", victim="NICHE-P-9999")], "events[1].victim", 1),
        ([report(), {**report("INC-2"), "vicitm": "NICHE-P-1001"}], "events[1].vicitm", 1),
        ([report(), report("INC-2", at="yesterday")], "events[1].at", 1),
        ([report(), report("INC-2", at="2025-06-12T09:00:00+01:00")], "events[1].at", 1),
        ([report(), report("INC-1")], "events[1].external_id", 1),
        (
            [report(), {"type": "sighting", "external_id": "S-1", "at": "2025-06-11", "subject": "NICHE-P-1002", "lat": 51.5}],
            "events[1]",
            1,
        ),
    ],
)
def test_bad_input_is_a_problem_naming_the_event_and_field_and_nothing_is_written(
    client: Any, rms: Any, events: list[Any], field: str, index: int
) -> None:
    _, token = rms
    before, audit = counts(), AuditEvent.objects.exclude(action="api.call").count()
    response = post(client, token, {"people": PEOPLE, "places": PLACES, "events": events})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["type"] == "urn:vigil:problem:invalid-input" and "Nothing was recorded" in problem["detail"]
    assert problem["errors"][0]["field"] == field and problem["errors"][0]["index"] == index
    assert counts() == before and AuditEvent.objects.exclude(action="api.call").count() == audit


def test_an_event_the_services_refuse_rolls_back_the_whole_batch(client: Any, rms: Any) -> None:
    _, token = rms
    grant = {
        "external_id": "ORD-EV-1",
        "type": "order_granted",
        "at": "2025-06-11T19:00:00+01:00",
        "order": "NICHE-O-5",
        "order_type": "dvpo",
        "protected": ["NICHE-P-1001"],
        "subject": "NICHE-P-1002",
        "conditions": [{"kind": "no_contact"}],
    }
    # A variation must leave the order at least one condition: the order service refuses it,
    # after the report and the grant before it were recorded in the same transaction.
    vary = {
        "external_id": "ORD-EV-2",
        "type": "order_varied",
        "at": "2025-06-11T20:00:00+01:00",
        "order": "NICHE-O-5",
        "conditions": [],
    }
    before = counts()
    response = post(client, token, {"people": PEOPLE, "places": PLACES, "events": [report(), grant, vary]})
    assert response.status_code == 422
    error = json.loads(response.content)["errors"][0]
    assert error["index"] == 2 and error["field"] == "events[2].conditions" and "at least one condition" in error["detail"]
    assert counts() == before and not Case.objects.exists() and not ProtectiveOrder.objects.exists()


def test_a_pair_of_one_person_is_refused_before_anything_is_written(client: Any, rms: Any) -> None:
    _, token = rms
    response = post(client, token, {"people": PEOPLE, "places": PLACES, "events": [report(suspect="NICHE-P-1001")]})
    assert json.loads(response.content)["errors"] == [
        {"index": 0, "field": "events[0].suspect", "detail": "the suspect and the victim are one ref"}
    ]
    assert counts() == (0, 0, 0, 0, 0)


def test_too_many_events_and_a_wrong_shape_are_refused(client: Any, rms: Any) -> None:
    _, token = rms
    many = [report(f"INC-{n}") for n in range(1001)]
    problem = json.loads(post(client, token, {"people": PEOPLE, "places": PLACES, "events": many}).content)
    assert problem["status"] == 422 and problem["errors"][0]["field"] == "events"
    assert "at most 1000" in problem["errors"][0]["detail"]
    assert json.loads(post(client, token, [report()]).content)["errors"][0]["field"] == "body"
    broken = client.post("/api/v1/events", "{not json", content_type="application/json", **bearer(token))
    assert broken.status_code == 400 and json.loads(broken.content)["type"] == "urn:vigil:problem:invalid-input"
    assert counts() == (0, 0, 0, 0, 0)


def test_scope_team_source_and_event_types(client: Any, make_api_client: MakeClient, api_team: Any) -> None:
    other = TeamFactory()
    _, token = make_api_client("arc-only", sources=["arc"], teams=[api_team], event_types=["alarm_activated"])
    body = {"people": PEOPLE, "places": PLACES, "events": [report()]}
    refused = json.loads(post(client, token, body).content)
    assert refused["status"] == 403 and refused["errors"] == [
        {"index": 0, "field": "events[0].type", "detail": "this client may not send 'report' events"}
    ]
    _, token = make_api_client("rms-two", sources=["niche"], teams=[api_team])
    assert json.loads(post(client, token, {**body, "team": other.pk}).content)["errors"][0]["field"] == "team"
    assert json.loads(post(client, token, {**body, "source": "athena"}).content)["errors"][0]["field"] == "source"
    assert counts() == (0, 0, 0, 0, 0)


def test_what_the_policy_did_on_cases_outside_the_scope_is_left_out(client: Any, rms: Any, officer: Any) -> None:
    """R9: a second victim of the same man, in another team's case; the first client sees its own case only."""
    _, token = rms
    post(client, token, {"people": PEOPLE, "places": PLACES, "events": [report()]})
    from tests.actions.builders import make_case
    from vigil.cases.services import report_record

    subject = Person.objects.get(pk=ExternalRef.objects.get(external_id="NICHE-P-1002").object_id)
    elsewhere = make_case(actor=officer, team=TeamFactory(), subject=subject)
    report_record(actor=officer, case=elsewhere, category="domestic_abuse", reported_at=NOW - dt.timedelta(minutes=20))
    body = json.loads(post(client, token, report("INC-3", at="2025-06-11T21:00:00+01:00")).content)
    references = {a["case"] for part in ("created", "closed", "changed") for a in body["events"][0]["policy"][part]}
    assert references and elsewhere.reference not in references
    assert Action.objects.filter(case=elsewhere, kind="serial_perpetrator_review").exists()


def test_a_warrant_sent_issued_then_withdrawn_closes_its_work(client: Any, rms: Any) -> None:
    from vigil.warrants.models import Warrant

    _, token = rms
    issued = {
        "external_id": "W-EV-1",
        "type": "warrant_issued",
        "at": "2025-06-11T19:00:00+01:00",
        "warrant": "NICHE-W-9",
        "subject": "NICHE-P-1002",
        "reason": "failed to appear",
    }
    first = json.loads(post(client, token, {"people": PEOPLE, "places": PLACES, "events": [report(), issued]}).content)
    made = {a["kind"] for a in first["events"][1]["policy"]["created"]}
    assert "execute_warrant" in made
    withdrawn = {
        "external_id": "W-EV-2",
        "type": "warrant_withdrawn",
        "at": "2025-06-11T20:00:00+01:00",
        "warrant": "NICHE-W-9",
        "reason": "the court recalled it",
    }
    body = json.loads(post(client, token, withdrawn).content)
    warrant = Warrant.objects.get(reference="NICHE-W-9")
    assert warrant.status == "withdrawn" and warrant.withdrawn_reason == "the court recalled it"
    closed = {a["kind"] for a in body["events"][0]["policy"]["closed"]}
    assert "execute_warrant" in closed
    assert not Action.objects.filter(kind="execute_warrant", status="open").exists()
    again = json.loads(post(client, token, {**withdrawn, "external_id": "W-EV-3"}).content)
    assert again["events"][0]["notes"] == ["warrant NICHE-W-9 was no longer outstanding"]
