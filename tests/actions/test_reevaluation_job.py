"""The worker's escalation job consumes the change marks (issue 16): a fact changed outside
the services, a ladder step falling due, a force's new policy are acted on with no operator,
through the task backend the suite uses, and what the job stores is what a full run would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.benchmarks.test_bulk_reevaluate import stored
from vigil.actions.bulk import reevaluate_open_cases
from vigil.actions.incremental import reevaluation_due
from vigil.actions.models import Action, ClusterState, FactChange
from vigil.actions.tasks import escalate_overdue_actions
from vigil.audit.models import AuditEvent
from vigil.audit.verify import verify_chain
from vigil.bench.reevaluate import build_synthetic
from vigil.cases.models import Case
from vigil.core import times
from vigil.policy.config import DEFAULT_POLICY_PATH
from vigil.warrants.models import Warrant

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def facts_only(live_bridge: Any) -> None:
    """No live bridge: only the job under test acts on what is written."""
    live_bridge.on = False


def job(at: dt.datetime) -> dict[str, Any]:
    """Run the job through the task backend at `at` (saying why it re-evaluates, if it does),
    then check that a full run at the same moment finds nothing it left undone."""
    with times.clock_at(at):
        why = reevaluation_due(now=at)
        audit_rows = policy_rows()
        result = escalate_overdue_actions.enqueue(reschedule=False)
        after = stored()
        check = reevaluate_open_cases(until=at, full=True)
    assert result.status == "SUCCESSFUL", result
    assert stored() == after, "the job left a change a full run stores"
    assert check.actions_created == check.actions_updated == check.escalations == check.audit_rows == 0
    return {"why": why or "nothing waiting", "clusters": result.return_value["reevaluated"],
            "audit_rows": policy_rows() - audit_rows}  # fmt: skip


def policy_rows() -> int:
    """The audit rows of the policy's answers (the partners' jobs audit their messages too)."""
    kinds = ("action.create", "action.update", "action.escalate", "risk.change", "case.risk_level", "flag.raise")
    return AuditEvent.objects.filter(action__in=kinds).count()


def test_the_job_acts_on_facts_written_outside_the_services_on_due_times_and_on_a_new_policy(
    facts_only: None, tmp_path: Path
) -> None:
    build_synthetic(cases=12, seed=21, now=NOW - dt.timedelta(days=3))

    # Loaded in bulk: no cluster was ever evaluated, so the job evaluates them all.
    first = job(NOW)
    assert first["why"] == "never evaluated" and first["clusters"] >= 10 and first["audit_rows"] > 0
    assert ClusterState.objects.count() == first["clusters"]

    # Nothing waiting: the job looks and reads no further.
    assert job(NOW) == {"why": "nothing waiting", "clusters": 0, "audit_rows": 0}

    # A warrant written straight to the table (an import, a data fix): its change mark brings
    # the subject's cluster in, and the policy's warrant action is stored and audited.
    case = Case.objects.order_by("pk")[4]
    Warrant.objects.create(
        reference="WA-OUT-OF-BAND", subject_id=case.subject_id, reason="failed to appear",
        issued_at=NOW, reported_at=NOW, recorded_at=NOW,
    )  # fmt: skip
    assert FactChange.objects.exists()
    acted = job(NOW + dt.timedelta(minutes=5))
    assert acted["why"] == "facts changed" and acted["clusters"] == 1
    warrant_work = Action.objects.get(case=case, kind="execute_warrant", status="open")
    assert AuditEvent.objects.filter(action="action.create", object_id=str(warrant_work.pk), actor_label="policy").exists()
    assert not FactChange.objects.exists()

    # Two days on, with nothing recorded: open actions' ladder steps have fallen due (the
    # ladder's own job records them first; the clusters due are evaluated after it, and
    # find those steps recorded), and any time-based rule with them.
    steps_before = stored()["steps"]
    due = job(NOW + dt.timedelta(days=2))
    assert due["why"] == "due" and 0 < due["clusters"] < ClusterState.objects.count()
    assert len(stored()["steps"]) > len(steps_before)

    # The force edits its policy: every cluster, with no operator.
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    old = "complete_risk_assessment_due_hours = 24"
    assert old in text
    altered = tmp_path / "altered.toml"
    altered.write_text(text.replace(old, "complete_risk_assessment_due_hours = 12"), encoding="utf-8")
    with override_settings(VIGIL_POLICY=str(altered)):
        changed = job(NOW + dt.timedelta(days=2))
    assert changed["why"] == "policy or engine changed" and changed["clusters"] == ClusterState.objects.count()
    assert verify_chain().ok


def test_a_failed_re_evaluation_is_kept_with_the_task_and_the_chain_goes_on(facts_only: None, monkeypatch: Any) -> None:
    """A re-evaluation that fails fails the run (its traceback kept with the task), after the
    ladder's work, and the chain still queues the next run."""
    import vigil.actions.bulk as bulk
    import vigil.actions.chain as chain

    build_synthetic(cases=2, seed=2, now=NOW - dt.timedelta(days=1))
    queued: list[str] = []

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(bulk, "reevaluate_open_cases", broken)
    monkeypatch.setattr(chain, "escalation_chain_continue", lambda *, current: queued.append(current))
    with times.clock_at(NOW):
        result = escalate_overdue_actions.enqueue(reschedule=True)
    assert result.status == "FAILED" and "database went away" in str(result.errors[0].traceback)
    assert queued == [str(result.id)]
