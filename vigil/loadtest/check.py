"""After a load run: was every write the server accepted stored once, and only once?

The load test logs each accepted write with a marker of its own (vigil/loadtest/locustfile.py).
Here every marker is looked for in the database: a report's in its (encrypted) summary, a
decision's in its rationale, a portal report's in its (encrypted) details, and each portal
report must have become exactly one record. Markers the client never saw accepted (its
connection was cut by a killed worker) may be stored or not, but never twice, and never half:
every stored one has its row in the audit trail (the fact and its audit row commit together)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MARKER = re.compile(r"LOAD-(report|decision|portal)-[0-9a-f]{12}")


@dataclass
class Outcome:
    accepted: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    audit_intact: bool = False
    audit_problem: str = ""

    @property
    def ok(self) -> bool:
        return not (self.lost or self.doubled or self.unrecorded or self.unaudited) and self.audit_intact

    def summary(self) -> str:
        parts = ", ".join(f"{n} {kind}s" for kind, n in sorted(self.accepted.items())) or "nothing"
        verdict = (
            "none lost, none doubled" if not (self.lost or self.doubled) else f"lost {self.lost[:5]}, doubled {self.doubled[:5]}"
        )
        recorded = "every portal report recorded" if not self.unrecorded else f"not recorded: {self.unrecorded[:5]}"
        if self.unaudited:
            recorded += f"; stored without their audit row: {self.unaudited[:5]}"
        audit = "the audit chain verifies" if self.audit_intact else f"the audit chain does not verify: {self.audit_problem}"
        return f"Accepted {parts}: {verdict}; {recorded}; {audit}."


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _count(texts: Iterable[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for text in texts:
        found.update(match.group(0) for match in MARKER.finditer(text or ""))
    return found


def _unaudited(rows: list[Any]) -> list[str]:
    """The rows that have no row of their own in the audit trail (half-saved)."""
    from vigil.audit.models import AuditEvent

    missing: list[str] = []
    by_type: dict[str, set[str]] = {}
    for row in rows:
        by_type.setdefault(row._meta.label_lower, set()).add(str(row.pk))
    for object_type, ids in by_type.items():
        audited = set(AuditEvent.objects.filter(object_type=object_type, object_id__in=ids).values_list("object_id", flat=True))
        missing += [f"{object_type} {pk}" for pk in sorted(ids - audited)]
    return missing


def check_accepted(entries: list[dict[str, Any]]) -> Outcome:
    from vigil.actions.models import Decision
    from vigil.audit.verify import verify_chain
    from vigil.cases.models import Report, Sighting
    from vigil.portal.constants import SubmissionStatus
    from vigil.portal.models import PortalSubmission

    outcome = Outcome(accepted=Counter(entry["kind"] for entry in entries))
    reports = [r for r in Report.objects.only("summary").iterator() if MARKER.search(r.summary or "")]
    decisions = list(Decision.objects.filter(rationale__startswith="LOAD-").only("rationale", "action_id", "withdrawn"))
    submissions = list(PortalSubmission.objects.only("details", "status", "reference", "recorded_as"))
    stored = _count(r.summary for r in reports) + _count(d.rationale for d in decisions) + _count(s.details for s in submissions)
    outcome.unaudited = _unaudited([*reports, *decisions, *(s for s in submissions if MARKER.search(s.details or ""))])
    for entry in entries:
        count = stored.get(entry["marker"], 0)
        if count == 0:
            outcome.lost.append(entry["marker"])
    outcome.doubled = sorted(marker for marker, n in stored.items() if n > 1)
    # Every portal report, accepted or not, became exactly one record (after the sweep).
    sightings = [s for s in Sighting.objects.only("summary").iterator() if MARKER.search(s.summary or "")]
    recorded_in = _count(s.summary for s in sightings)
    outcome.unaudited += _unaudited(sightings)
    for submission in submissions:
        if not MARKER.search(submission.details or ""):
            continue
        if submission.status != SubmissionStatus.RECORDED:
            outcome.unrecorded.append(f"{submission.reference} ({submission.status})")
            continue
        marker = MARKER.search(submission.details).group(0)  # type: ignore[union-attr]
        if recorded_in.get(marker, 0) != 1:
            outcome.doubled.append(f"{submission.reference} recorded {recorded_in.get(marker, 0)} times")
    # A decision is one per action: two at once must have been refused.
    per_action = Counter(d.action_id for d in decisions if not d.withdrawn)
    outcome.doubled += [f"action {pk} decided {n} times" for pk, n in per_action.items() if pk is not None and n > 1]
    result = verify_chain()
    outcome.audit_intact, outcome.audit_problem = result.ok, result.problem
    return outcome
