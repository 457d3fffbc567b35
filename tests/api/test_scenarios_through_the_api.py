"""Both public scenarios, posted through POST /api/v1/events, leave the live database holding
what `vigil replay` says: the same actions (kind, pair, created, due, priority, status,
closed, every escalation step), flags, risk changes and links, compared as multisets.

Once as the whole file in one batch, sent at the scenario's `replay_until` (a force loading
its history); once event by event, each sent at its own time, as an RMS feed would, with the
escalation job run to `replay_until` at the end."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.api.conftest import MakeClient, bearer
from tests.live.compare import differences
from tests.timeline.helpers import scenario
from vigil.actions.escalation import escalate_due
from vigil.actions.live import policy_reevaluate
from vigil.api.models import ExternalRef
from vigil.core import times
from vigil.timeline.importer import live_answer
from vigil.timeline.reader import read_timeline
from vigil.timeline.replay import replay_file

pytestmark = pytest.mark.django_db
SCENARIOS = ("warrant-left-unexecuted", "household-repeat-callouts")
SOURCE = "niche"


def same(live: dict[str, Any], replay: dict[str, Any]) -> bool:
    """Equal as multisets, except the words of a link's evidence quoted in a linked-reports
    flag: the API's people go through the force's linker (records against every record held),
    a file's through replay's closed-set linking, and they say why in different words. Which
    records are one person (`links`) must be the same."""

    def plain(answer: dict[str, Any]) -> dict[str, Any]:
        flags = [
            {**f, "detail": f["detail"].split(" Why: ", 1)[0]} if f["kind"] == "linked_reports" else f for f in answer["flags"]
        ]
        return {**answer, "flags": flags}

    found = differences(plain(live), plain(replay))
    assert found == {}, found
    return True


def batch_of(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        "source": SOURCE,
        "timezone": document["timezone"],
        "people": document["people"],
        "places": document["places"],
        "relationships": document["relationships"],
        "events": [{"external_id": f"{document['id']}-{i}", **event} for i, event in enumerate(document["events"])],
    }


def answer_through_the_api(path: Path) -> dict[str, Any]:
    """The live answer read back in replay's format, the stored rows named by the file's refs."""
    document = json.loads(path.read_text(encoding="utf-8"))
    by_kind = {
        kind: {
            ref: pk for ref, pk in ExternalRef.objects.filter(source=SOURCE, kind=kind).values_list("external_id", "object_id")
        }
        for kind in ("person", "place", "order", "warrant", "request")
    }
    timeline = read_timeline(path)
    record = SimpleNamespace(
        timeline_id=document["id"],
        timezone=document["timezone"],
        replay_until=timeline.replay_until,
        refs={
            "people": {p["ref"]: by_kind["person"][p["ref"]] for p in document["people"]},
            "places": by_kind["place"],
            "orders": by_kind["order"],
            "warrants": by_kind["warrant"],
            "requests": by_kind["request"],
            "labels": {},
        },
    )
    return live_answer(record)


def _post(client: Any, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/events", json.dumps(body), content_type="application/json", **bearer(token))
    assert response.status_code == 200, response.content
    return json.loads(response.content)  # type: ignore[no-any-return]


@pytest.fixture
def token(make_api_client: MakeClient, api_team: Any) -> str:
    return make_api_client("rms-scenarios", sources=[SOURCE], teams=[api_team], rate_limit=1000)[1]


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_scenario_sent_as_one_batch_gives_replay_s_actions(client: Any, token: str, name: str) -> None:
    path = scenario(name)
    until = read_timeline(path).replay_until
    with times.clock_at(until):
        answer = _post(client, token, batch_of(path))
    assert answer["recorded"] == len(answer["events"])
    live, replay = answer_through_the_api(path), replay_file(path)
    assert same(live, replay)
    assert live["actions"] and {a["status"] for a in live["actions"]} >= {"open", "done"}
    assert any(a["escalations"] for a in live["actions"])
    said = [a["kind"] for e in answer["events"] for a in e["policy"]["created"]]
    assert sorted(said) == sorted(a["kind"] for a in live["actions"])  # each action was told once, when it was made


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_scenario_sent_event_by_event_as_it_happened_gives_replay_s_actions(client: Any, token: str, name: str) -> None:
    path = scenario(name)
    timeline = read_timeline(path)
    body = batch_of(path)
    first = True
    for event in timeline.events:  # the engine's order
        sent = {"source": SOURCE, "timezone": body["timezone"], "events": [body["events"][event.index]]}
        if first:
            sent |= {"people": body["people"], "places": body["places"], "relationships": body["relationships"]}
            first = False
        with times.clock_at(event.at):
            _post(client, token, sent)
    with times.clock_at(timeline.replay_until):
        escalate_due(now=timeline.replay_until)
        policy_reevaluate(person_ids=ExternalRef.objects.filter(kind="person").values_list("object_id", flat=True))
    assert same(answer_through_the_api(path), replay_file(path))
