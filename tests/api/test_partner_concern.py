"""POST /api/v1/events with `partner_concern` (R14): the concern is recorded as from an agency
Vigil already holds and the client reaches. An API call never makes an agency: an unknown,
misspelt, missing, inactive or other area's agency is refused naming `events[i].agency`, and
nothing of the batch is written."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.api.conftest import bearer
from tests.factories import AreaFactory
from vigil.actions.models import Action
from vigil.api.models import ReceivedEvent
from vigil.core import times
from vigil.idva.models import PartnerConcern
from vigil.partners.models import Agency, AgencyKind
from vigil.people.models import Person

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 11, 20, 10, tzinfo=dt.UTC)
PEOPLE = [
    {"ref": "P-1", "name": "Ffion Lacey", "born": "1990-02-03", "sex": "female"},
    {"ref": "P-2", "name": "Rhodri Kemble", "born": "1987-07-19", "sex": "male"},
]


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with times.clock_at(NOW):
        yield


def concern(agency: str | None, external_id: str = "PC-1") -> dict[str, Any]:
    event = {
        "external_id": external_id,
        "type": "partner_concern",
        "at": "2025-06-11T18:30:00+01:00",
        "victim": "P-1",
        "subject": "P-2",
        "summary": "Adviser worried: he has been seen outside her work twice this week.",
    }
    return event if agency is None else {**event, "agency": agency}


def post(client: Any, token: str, *events: dict[str, Any]) -> Any:
    body = {"people": PEOPLE, "events": list(events)}
    return client.post("/api/v1/events", json.dumps(body), content_type="application/json", **bearer(token))


def test_a_concern_from_an_agency_vigil_holds_is_recorded_and_the_policy_acts(client: Any, rms: Any, api_team: Any) -> None:
    _, token = rms
    held = Agency.objects.create(name="Westshire IDVA Service", kind=AgencyKind.IDVA, area=api_team.area)
    agencies = Agency.objects.count()
    response = post(client, token, concern("Westshire IDVA Service"))
    assert response.status_code == 200, response.content
    stored = PartnerConcern.objects.get()
    assert stored.agency == held and Agency.objects.count() == agencies
    created = json.loads(response.content)["events"][0]["policy"]["created"]
    assert [a["rule"] for a in created] == ["R14"]
    assert Action.objects.filter(case=stored.case, rule="R14").count() == 1


@pytest.mark.parametrize(
    ("agency", "says"),
    [
        ("Westshire IDVA Servise", "no agency called 'Westshire IDVA Servise'"),  # misspelt
        ("An agency nobody added", "no agency called"),
        ("", "name the agency"),
        (None, "name the agency"),
        ("Old Refuge Project", "no agency called"),  # inactive
        ("Eastshire Children's Services", "no agency called"),  # another area's
    ],
)
def test_an_agency_vigil_does_not_hold_or_the_client_does_not_reach_is_refused(
    client: Any, rms: Any, api_team: Any, agency: str | None, says: str
) -> None:
    _, token = rms
    Agency.objects.create(name="Westshire IDVA Service", kind=AgencyKind.IDVA)
    Agency.objects.create(name="Old Refuge Project", kind=AgencyKind.IDVA, active=False)
    Agency.objects.create(name="Eastshire Children's Services", kind=AgencyKind.CHILDRENS_SERVICES, area=AreaFactory())
    agencies, people = Agency.objects.count(), Person.objects.count()
    ok = concern("Westshire IDVA Service", "PC-0")
    response = post(client, token, ok, concern(agency))
    assert response.status_code == 422, response.content
    problem = json.loads(response.content)
    assert problem["errors"][0]["field"] == "events[1].agency" and problem["errors"][0]["index"] == 1
    assert says in problem["errors"][0]["detail"]
    # Nothing of the batch: no agency made, no person, no concern, no event received.
    assert Agency.objects.count() == agencies and Person.objects.count() == people
    assert not PartnerConcern.objects.exists() and not ReceivedEvent.objects.exists()


def test_a_concern_sent_again_is_a_duplicate_even_after_its_agency_is_closed(client: Any, rms: Any) -> None:
    _, token = rms
    agency = Agency.objects.create(name="Westshire IDVA Service", kind=AgencyKind.IDVA)
    assert post(client, token, concern(agency.name)).status_code == 200
    Agency.objects.filter(pk=agency.pk).update(active=False)
    again = post(client, token, concern(agency.name))
    assert again.status_code == 200, again.content
    assert json.loads(again.content)["events"][0]["status"] == "duplicate" and PartnerConcern.objects.count() == 1
