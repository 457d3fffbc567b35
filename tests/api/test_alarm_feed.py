"""POST /api/v1/alarms/activations: an alarm-receiving centre's call is an `alarm_activated`
recorded through the event API's path: R7's priority response is made in the same request,
due 15 minutes after the call; a holder with no case gets one (the importer's own function);
the same call twice is recorded once; bad calls are named by their index."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from tests.api.conftest import MakeClient, bearer
from tests.factories import PersonFactory
from vigil.actions.models import Action
from vigil.alarms.models import AlarmActivation
from vigil.api.models import ReceivedEvent
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]  # at NOW
NOW = dt.datetime(2025, 6, 11, 20, 10, tzinfo=dt.UTC)
CALL = NOW - dt.timedelta(seconds=20)


@pytest.fixture
def holder(db: Any) -> Any:
    return PersonFactory()


@pytest.fixture
def centre(make_api_client: MakeClient, api_team: Any, holder: Any) -> str:
    _, token = make_api_client("arc-south", sources=["arc"], teams=[api_team], event_types=["alarm_activated"])
    call_command("monitoring", "enrol", "arc", "ARC-HOLDER-7", "--person", str(holder.pk), stdout=io.StringIO())
    return token


def press(external_id: str = "CALL-1", *, person: str = "ARC-HOLDER-7", at: dt.datetime = CALL) -> dict[str, Any]:
    return {"external_id": external_id, "person": person, "at": at.isoformat()}


def post(client: Any, token: str, body: Any) -> Any:
    return client.post("/api/v1/alarms/activations", json.dumps(body), content_type="application/json", **bearer(token))


def counts() -> tuple[int, ...]:
    return (Case.objects.count(), AlarmActivation.objects.count(), Action.objects.count(), ReceivedEvent.objects.count())


def test_a_press_by_someone_with_no_case_opens_theirs_and_the_response_starts_at_the_call(
    client: Any, centre: str, holder: Any, api_team: Any
) -> None:
    response = post(client, centre, {"activations": [press()]})
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    case = Case.objects.get()
    assert case.victim == holder and case.subject is None and case.team == api_team
    action = Action.objects.get(case=case, kind="priority_response")
    # Made in the request that brought the call, counted from the call itself.
    assert action.created_at == CALL and action.due_at == CALL + dt.timedelta(minutes=15)
    assert action.priority == "immediate" and action.status == "open"
    created = body["events"][0]["policy"]["created"]
    assert [(a["kind"], a["case"]) for a in created] == [("priority_response", case.reference)]
    assert dt.datetime.fromisoformat(created[0]["due_at"]) == action.due_at
    assert AlarmActivation.objects.get().reported_at == CALL
    assert AuditEvent.objects.filter(action="alarm.activate", actor_label="api:arc-south").exists()
    assert AuditEvent.objects.filter(action="case.open", actor_label="api:arc-south").exists()


def test_a_press_on_an_existing_case_opens_no_other(client: Any, centre: str, holder: Any, officer: Any) -> None:
    from tests.actions.builders import make_case

    existing = make_case(actor=officer, team=officer.team, victim=holder)
    assert post(client, centre, {"activations": [press()]}).status_code == 200
    assert list(Case.objects.all()) == [existing]
    assert Action.objects.filter(case=existing, kind="priority_response", due_at=CALL + dt.timedelta(minutes=15)).exists()


def test_the_same_call_twice_is_recorded_once(client: Any, centre: str) -> None:
    first = json.loads(post(client, centre, {"activations": [press()]}).content)
    before = counts()
    again = json.loads(
        post(client, centre, {"activations": [press(), press("CALL-2", at=CALL + dt.timedelta(seconds=5))]}).content
    )
    assert [e["status"] for e in again["events"]] == ["duplicate", "recorded"]
    assert again["events"][0]["policy"] == first["events"][0]["policy"]
    assert counts()[1] == before[1] + 1  # one more press stored, the repeated one not again


@pytest.mark.parametrize(
    ("activations", "field", "index"),
    [
        ([press(), press("CALL-2", person="ARC-NOBODY")], "activations[1].person", 1),
        ([press(), {**press("CALL-2"), "at": "2025-06-11T21:00:00"}], "activations[1].at", 1),
        ([press(), press("CALL-2", at=NOW + dt.timedelta(minutes=5))], "activations[1].at", 1),
        ([press(), press("CALL-1")], "activations[1].external_id", 1),
        ([press(), {**press("CALL-2"), "pressed_by": "x"}], "activations[1].pressed_by", 1),
    ],
)
def test_a_bad_call_is_named_by_index_and_nothing_is_written(
    client: Any, centre: str, activations: list[Any], field: str, index: int
) -> None:
    response = post(client, centre, {"activations": activations})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["errors"][0]["field"] == field and problem["errors"][0]["index"] == index, problem
    assert counts() == (0, 0, 0, 0)


def test_a_client_that_may_not_send_alarms_is_refused(
    client: Any, make_api_client: MakeClient, api_team: Any, centre: str
) -> None:
    _, token = make_api_client("rms-only", sources=["arc"], teams=[api_team], event_types=["report"])
    response = post(client, token, {"activations": [press()]})
    problem = json.loads(response.content)
    assert response.status_code == 403 and problem["errors"][0]["field"] == "activations[0]"
    assert "alarm_activated" in problem["errors"][0]["detail"]
    assert counts() == (0, 0, 0, 0)
