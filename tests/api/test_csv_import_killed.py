"""`vigil import csv` killed with SIGKILL at random points, and run again each time, ends
with the database one uninterrupted run makes: the same people, events, actions, flags,
risk changes and links (as multisets, without ids or wall-clock stamps), nothing doubled or
lost, and an audit chain that verifies. A killed run leaves whole batches: each is one
transaction.

The runs are real processes against a database of their own: on SQLite a file copied from
the test database, on PostgreSQL the test database itself (emptied as its owner between the
uninterrupted run and the killed ones; this test commits, and the suite empties it after)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import TeamFactory
from vigil.actions.models import Action
from vigil.api.models import ExternalRef, ReceivedEvent
from vigil.api.services import api_client_create
from vigil.audit.verify import verify_chain
from vigil.cases.models import Case, Flag, Report, RiskAssessment, RiskChange
from vigil.orders.models import Breach, ProtectiveOrder
from vigil.people.models import Person, PersonLink
from vigil.timeline.schema import EVENT_TYPES
from vigil.warrants.models import Warrant

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
CSV, MAPPING = ROOT / "docs" / "rms-niche-like.csv", ROOT / "docs" / "rms-niche-like.toml"
BATCH = 4
SEED = 1818  # the kill points: a seeded list, so a failure can be run again as it was


def _setup() -> None:
    team = TeamFactory(name="Response 1")
    api_client_create(actor="admin", name="niche-import", sources=["niche"], teams=[team], event_types=EVENT_TYPES)


def _fresh(tmp_path: Path, name: str) -> str:
    """A database holding only the schema, a team and the import's API client."""
    if connection.vendor == "sqlite":
        import shutil

        template = tmp_path / "template.sqlite3"
        if not template.exists():  # the test database as set up, before any run is loaded into it
            connection.ensure_connection()
            target = sqlite3.connect(template)
            connection.connection.backup(target)
            target.close()
        path = tmp_path / f"{name}.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    from vigil.core.dbroles import as_owner

    with as_owner():
        call_command("flush", interactive=False, verbosity=0)
    _setup()
    s = connection.settings_dict
    user = quote(s["USER"] or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{user}{password}@{quote(s['HOST'] or '', safe='')}{port}/{s['NAME']}"


def _import(url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    command = [sys.executable, "manage.py", "import", "csv", str(CSV), "--mapping", str(MAPPING), "--batch-size", str(BATCH)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _received(url: str) -> int:
    if url.startswith("sqlite"):
        try:
            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=5) as reader:
                return int(reader.execute("SELECT count(*) FROM api_receivedevent").fetchone()[0])
        except sqlite3.OperationalError:  # the writer holds the lock this moment
            return -1
    return ReceivedEvent.objects.count()


def _load(url: str) -> None:
    if url.startswith("sqlite"):
        source = sqlite3.connect(url.removeprefix("sqlite:///"))
        source.backup(connection.connection)
        source.close()


def _name(person: Person | None) -> str:
    return "" if person is None else f"{person.full_name} {person.born_on}"


def _snapshot() -> dict[str, Counter[Any]]:
    """The database as multisets, by content: no ids, no wall-clock stamps."""
    return {
        "people": Counter((p.full_name, p.born_on, p.sex) for p in Person.objects.all()),
        "refs": Counter(ExternalRef.objects.values_list("source", "kind", "external_id")),
        "events": Counter(ReceivedEvent.objects.values_list("source", "external_id", "type", "at")),
        "cases": Counter((_name(c.victim), _name(c.subject)) for c in Case.objects.select_related("victim", "subject")),
        "reports": Counter(Report.objects.values_list("category", "reported_at")),
        "assessments": Counter(RiskAssessment.objects.values_list("completed_at", "computed_level", "instrument")),
        "orders": Counter(ProtectiveOrder.objects.values_list("reference", "order_type", "status", "expires_at")),
        "breaches": Counter(Breach.objects.values_list("reported_at")),
        "warrants": Counter(Warrant.objects.values_list("reference", "status")),
        "actions": Counter(
            (a.kind, a.rule, a.status, a.priority, a.level, a.created_at, a.due_at, a.closed_at, a.closing_reason)
            + (_name(a.victim), _name(a.subject), tuple(sorted((e.level, e.at) for e in a.escalations.all())))
            for a in Action.objects.select_related("victim", "subject").prefetch_related("escalations")
        ),
        "flags": Counter(Flag.objects.values_list("kind", "at")),
        "risk": Counter(RiskChange.objects.values_list("level", "source", "at")),
        "links": Counter((_name(k.a), _name(k.b), k.status) for k in PersonLink.objects.select_related("a", "b")),
    }


def test_killed_at_random_points_and_run_again_it_ends_as_one_uninterrupted_run(tmp_path: Path) -> None:
    _setup()
    rows = sum(1 for _ in CSV.open(encoding="utf-8")) - 1  # every row of the example is mapped

    whole = _fresh(tmp_path, "whole")
    run = _import(whole)
    out, err = run.communicate(timeout=900)
    assert run.returncode == 0, err
    assert f"{rows} rows recorded" in out, out
    _load(whole)
    expected = _snapshot()
    assert sum(expected["events"].values()) == rows and sum(expected["actions"].values()) > rows
    assert verify_chain().ok

    killed = _fresh(tmp_path, "killed")
    rng = random.Random(SEED)
    points = sorted(rng.sample(range(1, rows - 2 * BATCH), 3))  # events written before each kill
    kills = 0
    for point in points:
        if _received(killed) >= point:
            continue  # the previous run got past this point before it died
        run = _import(killed)
        deadline = time.monotonic() + 600
        try:
            commits: list[float] = []  # when each batch of this run was seen written
            seen = _received(killed)
            while seen < point:
                assert run.poll() is None, f"the run ended before it could be killed: {run.communicate()}"
                assert time.monotonic() < deadline, "the run wrote nothing in ten minutes"
                time.sleep(0.01)
                now_seen = _received(killed)
                if now_seen > seen:  # -1: the writer held the lock as we looked
                    commits.append(time.monotonic())
                    seen = now_seen
            # Now and then mid-batch, now and then between two: a random part of one batch's time
            # as this run has taken it (a fixed second let a fast machine finish the file first).
            batch_time = (commits[-1] - commits[0]) / (len(commits) - 1) if len(commits) > 1 else 0.05
            time.sleep(rng.uniform(0, batch_time))
            run.send_signal(signal.SIGKILL)
        finally:
            run.kill()
            run.wait(30)
        assert run.returncode == -signal.SIGKILL, "the run finished before the kill"
        written = _received(killed)
        while written < 0:
            time.sleep(0.05)
            written = _received(killed)
        assert written % BATCH == 0 and written < rows, f"{written} events after the kill: not whole batches"
        kills += 1
    assert kills >= 2

    run = _import(killed)
    out, err = run.communicate(timeout=900)
    assert run.returncode == 0, err
    assert " already recorded by an earlier run" in out and f"{rows} rows: {rows} good" in out, out
    _load(killed)
    resumed = _snapshot()
    for part, counted in expected.items():
        assert resumed[part] == counted, f"{part} differ: {counted - resumed[part]} lost, {resumed[part] - counted} doubled"
    assert verify_chain().ok
