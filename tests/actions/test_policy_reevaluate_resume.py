"""`vigil policy reevaluate` at a force's scale (issue 16): a progress line with the clusters
done, their rate and the time left; a run stopped half way goes on with --resume from the
clusters it had not reached, and ends where an uninterrupted run ends."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

import vigil.actions.bulk as bulk
from tests.benchmarks.test_bulk_reevaluate import stored
from vigil.actions.bulk import reevaluate_open_cases
from vigil.actions.incremental import ASKED_AGAIN
from vigil.actions.models import ClusterState
from vigil.audit.verify import verify_chain
from vigil.bench.reevaluate import build_synthetic
from vigil.core import times
from vigil.policy.config import DEFAULT_POLICY_PATH
from vigil.timeline.management.commands import policy as command

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def facts_only(live_bridge: Any) -> None:
    live_bridge.on = False


@pytest.fixture
def altered_policy(tmp_path: Path) -> Path:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    old = "complete_risk_assessment_due_hours = 24"
    assert old in text
    path = tmp_path / "altered.toml"
    path.write_text(text.replace(old, "complete_risk_assessment_due_hours = 12"), encoding="utf-8")
    return path


def reevaluate(*args: str) -> tuple[list[str], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    call_command("policy", "reevaluate", "--batch-size", "4", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def rows() -> dict[str, Any]:
    """What the runs store (the audit rows are the user's here, compared by count below)."""
    return {k: v for k, v in stored().items() if k != "audit"}


def test_a_stopped_run_resumes_from_the_clusters_it_had_not_reached(
    supervisor: Any, facts_only: None, altered_policy: Path, monkeypatch: Any
) -> None:
    build_synthetic(cases=24, seed=9, now=NOW - dt.timedelta(days=3))
    with times.clock_at(NOW):
        reevaluate_open_cases(until=NOW)  # up to date under the old policy
    total = ClusterState.objects.count()
    with override_settings(VIGIL_POLICY=str(altered_policy)), times.clock_at(NOW):
        with transaction.atomic():  # what one uninterrupted run stores
            said, progress = reevaluate("--as", supervisor.username)
            expected = rows()
            assert progress[-1].startswith(f"Re-evaluating open cases: {total} of {total} clusters")
            transaction.set_rollback(True)
        assert rows() != expected

        # Stopped (Ctrl-C) as the third batch begins: two batches stored, the rest still asked for.
        real, started = bulk._force_batch, []

        def stopping(*args: Any, **kwargs: Any) -> Any:
            if len(started) == 2:
                raise KeyboardInterrupt
            started.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(bulk, "_force_batch", stopping)
        with pytest.raises(KeyboardInterrupt):
            reevaluate("--as", supervisor.username)
        monkeypatch.setattr(bulk, "_force_batch", real)
        left = ClusterState.objects.filter(policy=ASKED_AGAIN).count()
        assert 0 < left < total

        resumed, progress = reevaluate("--as", supervisor.username, "--resume")
        assert f"resuming a stopped run ({total - left:,} clusters done before)" in resumed[0]
        assert progress[-1].startswith(f"Re-evaluating open cases: {left} of {left} clusters")
        assert not ClusterState.objects.filter(policy=ASKED_AGAIN).exists()
        assert rows() == expected
        assert verify_chain().ok

        # Without --resume a run starts over: every cluster, finding nothing left to change.
        again, progress = reevaluate("--as", supervisor.username)
        assert progress[-1].startswith(f"Re-evaluating open cases: {total} of {total} clusters")
        assert again[1] == "  none: the stored cases already follow this policy."


def test_a_dry_run_cannot_be_resumed() -> None:
    with pytest.raises(CommandError, match="--resume: a dry run writes nothing"):
        reevaluate("--dry-run", "--resume")


def test_the_progress_line_gives_clusters_done_their_rate_and_the_time_left(monkeypatch: Any) -> None:
    """Off a terminal (a log, a pipe), a line every `every` seconds; on one, the same figures in a bar."""
    clock = [100.0]
    monkeypatch.setattr("time.monotonic", lambda: clock[0])
    stream = io.StringIO()
    run = SimpleNamespace(force_clusters=1_250, skipped=250, clusters=0)
    with command._ProgressBar(stream, "Re-evaluating open cases", every=10) as bar:
        bar(run)  # the clusters chosen: 1,000 to evaluate
        clock[0], run.clusters = 104.0, 200
        bar(run)  # not yet 10 s since the last line: nothing
        clock[0], run.clusters = 110.0, 400
        bar(run)
        clock[0], run.clusters = 150.0, 1_000
        bar(run)  # the last batch: its line, and none again at the end
    lines = stream.getvalue().splitlines()
    assert lines == [
        "Re-evaluating open cases: 400 of 1,000 clusters, 40 clusters a second, about 15 s left",
        "Re-evaluating open cases: 1,000 of 1,000 clusters, 20 clusters a second",
    ]
