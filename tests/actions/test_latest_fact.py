"""`latest_fact_at` (a few aggregate queries) gives the same instant as the latest event of the
cluster's policy document (`build_document`, the way `policy_moment` found it before): for the
public scenarios, the benchmark's synthetic force and generated timelines, loaded through the
services, for every cluster, at now and at moments between and on the stored facts' times."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.live.test_live_equals_replay import SCENARIOS, imported, timeline_file
from tests.policy.test_properties import events
from tests.timeline.helpers import scenario
from vigil.actions.latest import latest_fact_at
from vigil.actions.live_document import build_document, world_around
from vigil.actions.models import Decision
from vigil.alarms.models import Alarm
from vigil.bench.replay import synthetic
from vigil.core import times
from vigil.orders.models import Breach, ProtectiveOrder
from vigil.people.models import Person
from vigil.policy.facts import Event
from vigil.warrants.models import Warrant

pytestmark = pytest.mark.django_db


def _oracle(person_ids: set[int], until: dt.datetime) -> dt.datetime | None:
    """The old way: build the whole document and take its latest event."""
    stored = build_document(world_around(person_ids), until=until)["events"]
    return max((dt.datetime.fromisoformat(e["at"]) for e in stored if e.get("at")), default=None)


def _moments(person_ids: set[int]) -> list[dt.datetime]:
    """Now, far back, and on and just before every stored fact's time."""
    everything = build_document(world_around(person_ids), until=times.now() + dt.timedelta(days=3650))["events"]
    at = sorted({dt.datetime.fromisoformat(e["at"]) for e in everything if e.get("at")})
    second = dt.timedelta(seconds=1)
    return [times.now(), dt.datetime(2000, 1, 1, tzinfo=dt.UTC), *at, *(t - second for t in at)]


def assert_same_everywhere() -> int:
    compared = 0
    seen: set[int] = set()
    for pid in Person.objects.order_by("pk").values_list("pk", flat=True):
        if pid in seen:
            continue
        cluster = world_around({pid}).person_ids
        seen |= cluster
        for until in _moments({pid}):
            assert latest_fact_at(world_around({pid}), until=until) == _oracle({pid}, until), (pid, until)
            compared += 1
    return compared


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_public_scenarios(name: str) -> None:
    imported(scenario(name))
    assert assert_same_everywhere() > 10


def test_the_benchmarks_synthetic_force(tmp_path: Path) -> None:
    world, evs, _until = synthetic(50, seed=3, households=3)
    path = tmp_path / "synthetic.json"
    path.write_text(json.dumps(timeline_file(evs, world)), encoding="utf-8")
    imported(path)
    assert assert_same_everywhere() > 30
    kinds = {m.__name__: m.objects.count() for m in (ProtectiveOrder, Breach, Warrant, Alarm, Decision)}
    assert kinds["ProtectiveOrder"] and sum(kinds.values()) > kinds["ProtectiveOrder"], kinds


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(events(), min_size=1, max_size=25))
def test_generated_timelines(tmp_path_factory: Any, evs: list[Event]) -> None:
    path = tmp_path_factory.mktemp("generated") / "timeline.json"
    path.write_text(json.dumps(timeline_file(evs)), encoding="utf-8")
    imported(path)
    assert_same_everywhere()


def test_no_stored_fact_gives_none() -> None:
    assert latest_fact_at(world_around(set()), until=times.now()) is None
