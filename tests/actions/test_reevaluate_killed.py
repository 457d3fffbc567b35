"""A force-wide re-evaluation killed with SIGKILL part-way leaves whole batches or nothing, the
audit chain verifies, and the next run picks up the clusters it did not reach (issue 16).

The run is a real process (`vigil bench reevaluate` on a small synthetic force) against a
database of its own: on SQLite a file copied from the test database's schema, on PostgreSQL
the test database itself (this test commits, and the suite empties it afterwards)."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from vigil.actions.bulk import force_clusters, reevaluate_open_cases
from vigil.actions.incremental import members_digest
from vigil.actions.models import Action, ClusterState
from vigil.audit.models import AuditEvent
from vigil.audit.verify import verify_chain

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
CASES, BATCH = 150, 2


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        path = tmp_path / "killed.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)  # the migrated, empty schema
        target.close()
        return f"sqlite:///{path}"
    s = connection.settings_dict
    user = quote(s["USER"] or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    host = quote(s["HOST"] or "", safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{s['NAME']}"


def _bench(url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    command = [sys.executable, "manage.py", "bench", "--no-write", "reevaluate", "--batch-size", str(BATCH), *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _states(url: str) -> int:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=5) as reader:
            return int(reader.execute("SELECT count(*) FROM actions_clusterstate").fetchone()[0])
    return ClusterState.objects.count()


def _load(url: str) -> None:
    """Read what the other process committed (SQLite: copy its file into the test database)."""
    if url.startswith("sqlite"):
        source = sqlite3.connect(url.removeprefix("sqlite:///"))
        source.backup(connection.connection)
        source.close()


def test_a_run_killed_part_way_leaves_whole_batches_and_a_chain_that_verifies(tmp_path: Path) -> None:
    url = _database_url(tmp_path)
    run = _bench(url, "--synthetic", str(CASES), "--no-policy-change", "--no-verify")
    deadline = time.monotonic() + 600
    try:
        while _states(url) < 12:
            assert run.poll() is None, f"the run ended before it could be killed: {run.communicate()}"
            assert time.monotonic() < deadline, "the run stored nothing in ten minutes"
            time.sleep(0.02)
        run.send_signal(signal.SIGKILL)
    finally:
        run.kill()
        run.wait(30)
    assert run.returncode == -signal.SIGKILL

    _load(url)
    clusters, _ = force_clusters()
    stored = set(ClusterState.objects.values_list("members", flat=True))
    done = [c for c in clusters if members_digest(c) in stored]
    assert 12 <= len(done) < len(clusters), "the kill came before the first batches or after the last"
    # Whole batches or nothing: a cluster's actions, audit rows and state are one transaction.
    done_cases = {pk for c in done for pk in c.case_ids}
    assert set(Action.objects.values_list("case_id", flat=True)) == done_cases
    assert set(AuditEvent.objects.filter(actor_label="policy").values_list("case_id", flat=True)) <= done_cases
    assert verify_chain().ok

    # The next run (incremental) takes up only the clusters the killed one did not reach.
    again = _bench(url, "--no-policy-change")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    found = re.search(r"([\d,]+) of ([\d,]+) clusters evaluated in \d+ process\(es\); audit chain verified", out)
    assert found is not None, out
    evaluated, total = (int(n.replace(",", "")) for n in found.groups())
    # (A cluster of the first part whose next ladder step fell due in the seconds between the
    # two runs is evaluated again too.)
    assert total == len(clusters) and len(clusters) - len(done) <= evaluated < total
    _load(url)
    assert ClusterState.objects.count() == len(clusters)
    assert verify_chain().ok
    # And a full run finds nothing left to store: the resumed force is whole.
    check = reevaluate_open_cases(full=True, until=max(ClusterState.objects.values_list("evaluated_until", flat=True)))
    assert check.actions_created == check.actions_updated == check.escalations == check.audit_rows == 0


def test_two_worker_processes_store_the_whole_force_and_a_chain_that_verifies(tmp_path: Path) -> None:
    """Batches shared between two forked workers: every cluster stored once, the audit chain
    one unbroken sequence (the workers take turns at its lock), and a full run afterwards
    finds nothing to store."""
    url = _database_url(tmp_path)
    run = _bench(url, "--synthetic", "60", "--processes", "2", "--no-policy-change")
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert "60 of 60 clusters evaluated in 2 process(es); audit chain verified" in out, out
    _load(url)
    clusters, _ = force_clusters()
    assert len(clusters) == 60 and ClusterState.objects.count() == 60
    assert set(Action.objects.values_list("case_id", flat=True)) == {pk for c in clusters for pk in c.case_ids}
    assert verify_chain().ok
    check = reevaluate_open_cases(full=True, until=max(ClusterState.objects.values_list("evaluated_until", flat=True)))
    assert check.actions_created == check.actions_updated == check.escalations == check.audit_rows == 0
