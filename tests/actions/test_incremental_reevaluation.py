"""Incremental re-evaluation (issue 16): a run evaluates only the clusters whose members, facts
or policy changed, or whose next due time has come, and stores exactly what a full run would.

Each step changes a generated force (the benchmark's synthetic force) the way an officer, a
reviewer, the clock or a force's policy would, runs the incremental path, and then a full
run at the same moment: the full run must find nothing to change (every stored action,
escalation step, flag, risk change, case level and policy audit row, compared as multisets).
A missed change would be stored by the full run and show as a difference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.benchmarks.test_bulk_reevaluate import stored
from vigil.actions.bulk import BulkRun, reevaluate_open_cases
from vigil.actions.models import ClusterState, FactChange
from vigil.audit.services import update_audited
from vigil.audit.verify import verify_chain
from vigil.bench.reevaluate import build_synthetic
from vigil.cases.models import Case, Report
from vigil.cases.services import report_record
from vigil.core import times
from vigil.people.linking import link_decide
from vigil.people.models import Person, PersonLink
from vigil.policy.config import DEFAULT_POLICY_PATH

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def facts_only(live_bridge: Any) -> None:
    """Record facts without the live bridge, so only the runs under test store answers."""
    live_bridge.on = False


def incremental_then_full(until: dt.datetime) -> BulkRun:
    """The incremental run, then the check: a full run at the same moment changes nothing."""
    with times.clock_at(until):
        run = reevaluate_open_cases(until=until, batch_size=7)
        after = stored()
        check = reevaluate_open_cases(until=until, batch_size=7, full=True)
    assert stored() == after, "the incremental run missed a change a full run stores"
    assert check.actions_created == check.actions_updated == check.escalations == check.audit_rows == 0
    assert check.clusters == check.force_clusters and check.skipped == 0
    return run


@pytest.fixture
def altered_policy(tmp_path: Path) -> Path:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    for old, new in (
        ("complete_risk_assessment_due_hours = 24", "complete_risk_assessment_due_hours = 12"),
        ("  { after_hours = 24, level = 3 },\n  { after_hours = 72, level = 4 },\n]", "  { after_hours = 12, level = 3 },\n]"),
    ):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "altered.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_incremental_runs_store_what_a_full_run_stores_through_every_kind_of_change(
    officer: Any, facts_only: None, altered_policy: Path
) -> None:
    build_synthetic(cases=40, seed=16, now=NOW - dt.timedelta(days=3))
    cases = list(Case.objects.order_by("pk"))

    # The first run: every cluster is new.
    first = incremental_then_full(NOW)
    assert first.clusters == first.force_clusters == first.reasons["new or regrouped"] >= 30
    assert first.actions_created > 100 and verify_chain().ok

    # Nothing changed, nothing due: nothing evaluated.
    quiet = incremental_then_full(NOW)
    assert quiet.clusters == 0 and quiet.reasons == {"unchanged": quiet.force_clusters}

    # A fact added to one case: that cluster, and only it.
    before = stored()
    report_record(actor=officer, case=cases[3], category="stalking", reported_at=NOW - dt.timedelta(minutes=30))
    added = incremental_then_full(NOW)
    assert added.clusters == 1 and added.reasons["facts changed"] == 1 and stored() != before

    # A fact recorded as happening later than the run's time is left out of it, and is in the
    # next run after that time comes, with no new mark.
    report_record(actor=officer, case=cases[5], category="assault", reported_at=NOW + dt.timedelta(hours=2))
    before = stored()
    assert incremental_then_full(NOW).clusters == 1 and stored() == before
    FactChange.objects.all().delete()  # only the next due time can bring it in now
    before = stored()
    later = incremental_then_full(NOW + dt.timedelta(hours=3))
    assert later.reasons.get("due", 0) >= 1 and stored() != before

    # Two subjects found to be one man: their clusters join (new members), nothing else runs.
    a, b = sorted((cases[7].subject_id, cases[8].subject_id))
    link = PersonLink.objects.create(
        a_id=a, b_id=b, status="auto", score=0.99, match_weight=9.0, evidence="same name; same date of birth", created_at=NOW
    )
    joined = incremental_then_full(NOW + dt.timedelta(hours=3))
    assert joined.clusters == 1 and joined.reasons == {"new or regrouped": 1, "unchanged": joined.force_clusters - 1}

    # A supervisor splits them again: two clusters, each new again.
    link_decide(actor=officer, link=link, status="split", rationale="two men: different dates of birth on the PNC")
    split = incremental_then_full(NOW + dt.timedelta(hours=3))
    assert split.clusters == 2 and split.reasons["new or regrouped"] == 2

    # A child present at a report (not a member of any cluster: named by a report only) turns
    # out to be an adult: the cluster whose report names them is found and evaluated, and
    # the document its engine read is a new one.
    present = Report.children_present.through.objects.values_list("person_id", flat=True).first()
    assert present is not None
    child = Person.objects.get(pk=present)
    digests = set(ClusterState.objects.values_list("facts", flat=True))
    update_audited(child, actor=officer, action="person.update", changes={"born_on": dt.date(1990, 1, 1), "born_year": 1990})
    grown = incremental_then_full(NOW + dt.timedelta(hours=3))
    assert 1 <= grown.clusters <= 2 and grown.reasons["facts changed"] == grown.clusters
    assert len(set(ClusterState.objects.values_list("facts", flat=True)) - digests) == 1

    # The clock passes due times: the clusters with a ladder step due are evaluated, no others.
    before = stored()
    due = incremental_then_full(NOW + dt.timedelta(days=2))
    assert 0 < due.reasons["due"] < due.force_clusters and due.escalations > 0 and stored() != before
    assert due.reasons["due"] + due.reasons["unchanged"] == due.force_clusters

    # A force's new policy: every cluster.
    before = stored()
    with override_settings(VIGIL_POLICY=str(altered_policy)):
        changed = incremental_then_full(NOW + dt.timedelta(days=2))
    assert changed.clusters == changed.force_clusters == changed.reasons["policy or engine changed"]
    assert stored() != before
    assert verify_chain().ok


def test_a_lost_change_mark_would_hide_a_fact_and_the_full_run_check_shows_it(officer: Any, facts_only: None) -> None:
    """The check above can fail: with the mark of a new fact thrown away, the incremental run
    passes over its cluster, and the full run afterwards stores what it missed."""
    build_synthetic(cases=12, seed=7, now=NOW - dt.timedelta(days=3))
    reevaluate_open_cases(until=NOW)
    case = Case.objects.order_by("pk")[2]
    report_record(actor=officer, case=case, category="stalking", reported_at=NOW - dt.timedelta(minutes=30))
    assert FactChange.objects.exists()
    FactChange.objects.all().delete()
    missed = reevaluate_open_cases(until=NOW)
    assert missed.clusters == 0
    before = stored()
    caught = reevaluate_open_cases(until=NOW, full=True)
    assert caught.actions_created > 0 and stored() != before


def test_a_cluster_state_is_dropped_when_its_members_regroup(officer: Any, facts_only: None) -> None:
    """Split, then linked again: the old state of the joined cluster must not vouch for facts
    recorded while it was split."""
    build_synthetic(cases=6, seed=3, now=NOW - dt.timedelta(days=3))
    cases = list(Case.objects.order_by("pk"))
    a, b = sorted((cases[0].subject_id, cases[1].subject_id))
    link = PersonLink.objects.create(
        a_id=a, b_id=b, status="auto", score=0.99, match_weight=9.0, evidence="same name", created_at=NOW
    )
    reevaluate_open_cases(until=NOW)
    assert ClusterState.objects.count() == 5
    link_decide(actor=officer, link=link, status="split", rationale="two men")
    reevaluate_open_cases(until=NOW)
    assert ClusterState.objects.count() == 6  # the joined cluster's state is gone
    link_decide(actor=officer, link=link, status="confirmed", rationale="one man after all")
    again = incremental_then_full(NOW)
    assert again.reasons["new or regrouped"] == 1


def test_the_engine_version_covers_every_module_of_the_engine() -> None:
    """A fix to any rule module, the loop, the risk model or the ledger is a new engine
    version, so every cluster is evaluated again under it."""
    from vigil.actions.incremental import ENGINE_SOURCES

    root = Path(__file__).resolve().parents[2] / "vigil"
    engine = {str(p.relative_to(root)) for p in (root / "policy").rglob("*.py")}
    assert {"policy/rules/r05_breach.py", "policy/loop.py", "policy/risk.py", "policy/ledger.py"} <= engine
    assert engine <= set(ENGINE_SOURCES)


def test_a_fact_committed_while_a_batch_is_evaluated_is_read_again_under_the_lock(
    officer: Any, facts_only: None, monkeypatch: Any
) -> None:
    """A batch is read and evaluated outside its transaction; a fact about it committed in
    that time (an officer recording a report) leaves a new change mark, so the batch is read
    and evaluated again under the chain's lock before anything is stored."""
    import vigil.actions.bulk as bulk

    build_synthetic(cases=6, seed=5, now=NOW - dt.timedelta(days=3))
    reevaluate_open_cases(until=NOW)
    case = Case.objects.order_by("pk")[1]
    report_record(actor=officer, case=case, category="harassment", reported_at=NOW - dt.timedelta(hours=2))
    evaluate = bulk.evaluate_batch
    calls: list[int] = []

    def meanwhile(*args: Any, **kwargs: Any) -> Any:
        result = evaluate(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            report_record(actor=officer, case=case, category="stalking", reported_at=NOW - dt.timedelta(hours=1))
        return result

    monkeypatch.setattr(bulk, "evaluate_batch", meanwhile)
    run = incremental_then_full(NOW)
    assert run.clusters == 1 and run.reread == 1 and len(calls) >= 2
    assert not FactChange.objects.exists()


def test_a_fact_moved_to_another_case_marks_the_case_it_left(officer: Any, facts_only: None) -> None:
    """A report re-filed on another pair's case: both clusters are evaluated (the work it
    raised on the first case is no longer asked for there)."""
    build_synthetic(cases=6, seed=11, now=NOW - dt.timedelta(days=3))
    first, second = Case.objects.order_by("pk")[2:4]
    reevaluate_open_cases(until=NOW)
    report = report_record(actor=officer, case=first, category="stalking", reported_at=NOW - dt.timedelta(hours=3))
    assert incremental_then_full(NOW).clusters == 1
    report.case, report.victim_record, report.suspect_record = second, second.victim, second.subject
    report.save()
    moved = incremental_then_full(NOW)
    assert moved.clusters == 2 and moved.reasons["facts changed"] == 2
