"""`vigil policy reevaluate [--dry-run] [--as USER]` (issue 13 item 5): the policy in use
re-applied to every open case of a small force (both public scenarios imported), after the
force edits its policy. The dry run says in words what would change and writes nothing; the
run makes exactly those changes, each audited under the named user; a second run finds
nothing left to change."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.live.test_live_equals_replay import SCENARIOS, imported
from tests.timeline.helpers import scenario
from vigil.actions.models import Action, Decision, Escalation
from vigil.audit.models import AuditEvent
from vigil.audit.verify import verify_chain
from vigil.cases.models import Case, Flag, RiskChange

pytestmark = pytest.mark.django_db

# The force's clock when it re-evaluates: after both scenarios' last facts.
NOW = dt.datetime(2025, 3, 21, 9, 0, tzinfo=dt.UTC)


def reevaluate(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("policy", "reevaluate", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def stored() -> dict[str, Any]:
    """Every row a re-evaluation could write or change, as values."""
    return {
        "actions": sorted(
            Action.objects.values_list("key", "status", "level", "due_at", "priority", "closed_at", "closing_reason")
        ),
        "escalations": Escalation.objects.count(),
        "risk": RiskChange.objects.count(),
        "flags": Flag.objects.count(),
        "cases": sorted(Case.objects.values_list("pk", "risk_level", "risk_changed_at")),
        "decisions": Decision.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def force(db: Any) -> None:
    """Both public scenarios imported (each at its own times), then the clock held at NOW."""
    for name in SCENARIOS:
        imported(scenario(name))


@pytest.fixture(autouse=True)
def _now(force: None, frozen_clock: dt.datetime) -> None:
    """The force's clock at NOW once it is imported (the import sets its own clock)."""


def test_after_the_force_edits_its_policy_the_dry_run_says_what_the_run_then_does(
    force: None, supervisor: Any, edited_policy: Path
) -> None:
    reevaluate("--as", supervisor.username)  # the force brought up to its clock under its old policy
    assert reevaluate("--dry-run")[-2:] == ["  none: the stored cases already follow this policy.", _nothing_written()]

    with override_settings(VIGIL_POLICY=str(edited_policy)):
        before = stored()
        said = reevaluate("--dry-run")
        assert stored() == before  # not a row written, not an audit row
        assert said[0].startswith("Dry run: policy ") and said[-1].endswith("Nothing was written.")
        changes = said[1:-1]
        assert changes and not any("none:" in line for line in changes)
        # In words, per case: the edited due times and the shorter ladder.
        assert any(": due " in line and "(was " in line for line in changes)
        assert any("from level 4" in line or "superintendent" in line for line in changes), changes

        audit_before = AuditEvent.objects.count()
        done = reevaluate("--as", supervisor.username)
        assert done[1:-1] == changes  # exactly what the dry run said
        assert stored() != before
        written = AuditEvent.objects.filter(seq__gt=_last_seq(audit_before))
        assert written.exists() and set(written.values_list("actor_id", "actor_label")) == {(supervisor.pk, supervisor.username)}
        assert done[-1].endswith(f"{written.count()} audit rows written.")
        assert verify_chain().ok  # the rows under the user's id are in the hash chain as written

        again = reevaluate("--as", supervisor.username)
        assert again[1] == "  none: the stored cases already follow this policy."


def _nothing_written() -> str:
    return "In all: no change. Nothing was written."


def _last_seq(count: int) -> int:
    return AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[count - 1]


def test_a_run_names_its_user_and_a_dry_run_needs_none(force: None) -> None:
    before = stored()
    with pytest.raises(CommandError, match="--as: name the user"):
        reevaluate()
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        reevaluate("--as", "nobody")
    assert stored() == before
