"""Re-apply the policy file in use to every open case (`vigil policy reevaluate`), for
example after a force edits its policy, and say in words what changes.

The work is the bulk re-evaluation (`vigil.actions.bulk.reevaluate_open_cases`): the same
engine and the same store path as one fact recorded by an officer. Every change is audited
under the user who ran it. A dry run plans the same writes, stores none of them, and says
what they would have been. History stays append-only either way: an action the policy no
longer asks for is cancelled with its reason, never deleted, and an escalation or a risk
change already recorded stays recorded.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vigil.actions.bulk import BatchWrites, BulkRun, reevaluate_open_cases
from vigil.actions.models import Action
from vigil.cases.models import Case, Flag
from vigil.core.constants import ActionKind, ActionStatus, FlagKind
from vigil.core.times import words

# The kinds of change, in the order the summary names them.
CREATED, CANCELLED, CLOSED, REOPENED, LEVEL, DUE, PRIORITY, RISK, FLAG = (
    "created",
    "cancelled",
    "closed",
    "reopened",
    "level",
    "due",
    "priority",
    "risk",
    "flag",
)
SUMMARY_WORDS = {
    CREATED: ("action created", "actions created"),
    CANCELLED: ("action cancelled", "actions cancelled"),
    CLOSED: ("action closed", "actions closed"),
    REOPENED: ("action reopened", "actions reopened"),
    LEVEL: ("action's level changed", "actions' levels changed"),
    DUE: ("due time changed", "due times changed"),
    PRIORITY: ("priority changed", "priorities changed"),
    RISK: ("risk level changed", "risk levels changed"),
    FLAG: ("flag raised", "flags raised"),
}


@dataclass(frozen=True)
class Change:
    """One change to a case, in words ('create Refer to MARAC (R8), high priority, due …')."""

    case_id: int
    kind: str
    words: str


@dataclass
class Reevaluation:
    run: BulkRun
    dry_run: bool
    changes: list[Change] = field(default_factory=list)
    references: dict[int, str] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        return Counter(change.kind for change in self.changes)

    def lines(self) -> list[str]:
        """Each change as a line: the case's reference, then what changes."""
        return [f"{self.references.get(c.case_id, f'case {c.case_id}')}: {c.words}" for c in self.changes]

    def summary(self) -> str:
        counts = self.counts()
        parts = [f"{counts[kind]} {SUMMARY_WORDS[kind][counts[kind] != 1]}" for kind in SUMMARY_WORDS if counts.get(kind)]
        return ", ".join(parts) if parts else "no change"


def open_cases_reevaluate(
    *,
    actor: Any,
    dry_run: bool = False,
    until: dt.datetime | None = None,
    batch_size: int = 500,
    progress: Callable[[BulkRun], None] | None = None,
    resume: bool = False,
) -> Reevaluation:
    """Re-apply the policy in use to every open case, each batch in one transaction, every
    change audited under `actor`; with `dry_run` nothing is written. Returns what changed (or
    would have), in words.

    Every cluster is marked as asked for again first (committed), and each batch clears its
    clusters' marks as it stores them; with `resume`, the marks a stopped run left are kept
    and only those clusters (and any changed or due since) are evaluated. A dry run reads
    every cluster and marks nothing."""
    from vigil.actions.engine_adapter import policy
    from vigil.actions.incremental import mark_all_asked_again

    ladder = policy().ladder
    changes: list[Change] = []

    def planned(writes: BatchWrites) -> None:
        changes.extend(describe(writes, level_name=ladder.level_name))

    if not dry_run and not resume:
        mark_all_asked_again()
    run = reevaluate_open_cases(
        until=until,
        batch_size=batch_size,
        progress=progress,
        full=dry_run,
        actor=actor,
        dry_run=dry_run,
        planned=planned,
    )
    result = Reevaluation(run=run, dry_run=dry_run, changes=changes)
    ids = sorted({c.case_id for c in changes})
    result.references = dict(Case.objects.filter(pk__in=ids).values_list("pk", "reference"))
    return result


def _kind(action: Action) -> str:
    return str(ActionKind(action.kind).label) if action.kind in ActionKind.values else action.kind


def describe(writes: BatchWrites, *, level_name: Callable[[int], str]) -> list[Change]:
    """What a batch stores (or would), in words, from its audit entries: one line per change
    to an action, a case's risk level or its flags."""
    found: list[Change] = []
    for entry in writes.audit:
        obj, case_id = entry.obj, entry.case_id
        if entry.action == "action.create":
            assert isinstance(obj, Action)
            text = f"create {_kind(obj)} ({obj.rule}), {obj.priority} priority, due {words(obj.due_at)}"
            if obj.status != ActionStatus.OPEN:
                text += f", already {obj.get_status_display().lower()}"
            found.append(Change(case_id, CREATED, text))
        elif entry.action == "action.update":
            assert isinstance(obj, Action)
            found.extend(_updated(case_id, obj, entry.new, entry.old or {}, level_name))
        elif entry.action == "case.risk_level":
            before = (entry.old or {}).get("risk_level") or "none"
            found.append(Change(case_id, RISK, f"risk level from {before} to {entry.new['risk_level']}"))
        elif entry.action == "flag.raise":
            assert isinstance(obj, Flag)
            label = FlagKind(obj.kind).label if obj.kind in FlagKind.values else obj.kind
            found.append(Change(case_id, FLAG, f"flag raised: {label} ({obj.detail})" if obj.detail else f"flag: {label}"))
    return found


def _updated(
    case_id: int, action: Action, new: dict[str, Any], old: dict[str, Any], level_name: Callable[[int], str]
) -> list[Change]:
    what = _kind(action)
    status = new.get("status")
    if status is None and action.status != ActionStatus.OPEN:
        # A closed action's history re-timed: say so, so it does not read as open work.
        what += f" (already {action.get_status_display().lower()})"
    found: list[Change] = []
    if status == ActionStatus.CANCELLED:
        found.append(Change(case_id, CANCELLED, f"cancel {what}: {new.get('closing_reason', '')}".rstrip(": ")))
    elif status == ActionStatus.OPEN:
        found.append(Change(case_id, REOPENED, f"reopen {what}"))
    elif status is not None:
        found.append(Change(case_id, CLOSED, f"close {what} as {ActionStatus(status).label.lower()}"))
    if "level" in new:
        before, after = old.get("level", 1), new["level"]
        found.append(Change(case_id, LEVEL, f"{what}: from {level_name(before)} to {level_name(after)}"))
    if "due_at" in new and new["due_at"] is not None:
        before_due = old.get("due_at")
        since = f" (was {words(before_due)})" if before_due is not None else ""
        found.append(Change(case_id, DUE, f"{what}: due {words(new['due_at'])}{since}"))
    if "priority" in new:
        found.append(Change(case_id, PRIORITY, f"{what}: priority from {old.get('priority')} to {new['priority']}"))
    return found
