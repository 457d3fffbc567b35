"""Clare's Law rows as timeline events (FORMAT.md `disclosure_request`, `disclosure_decision`),
for the live system's facts document (`vigil.actions.live_document.build_document`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vigil.disclosure.models import DisclosureRequest


def disclosure_rows(case_ids: set[int]) -> list[DisclosureRequest]:
    """The requests of these cases with their decisions (the concerns stay encrypted: the
    policy never reads them)."""
    return list(
        DisclosureRequest.objects.filter(case_id__in=case_ids)
        .defer("concerns")
        .select_related("case")
        .prefetch_related("decisions")
        .order_by("reported_at", "pk")
    )


def disclosure_people(requests: Iterable[DisclosureRequest]) -> set[int]:
    """Everyone the requests name: each must be a person of the document."""
    return {pid for r in requests for pid in (r.case.victim_id, r.case.subject_id, r.applicant_id) if pid}


def disclosure_events(requests: Iterable[DisclosureRequest]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for r in requests:
        if r.case.subject_id is None:
            continue
        events.append(
            {
                "at": r.reported_at.isoformat(),
                "recorded": r.recorded_at.isoformat(),
                "row": r.pk,
                "type": "disclosure_request",
                "request": r.engine_ref,
                "route": r.route,
                "subject": f"P{r.case.subject_id}",
                "person_at_risk": f"P{r.case.victim_id}",
                "applicant": f"P{r.applicant_id}" if r.applicant_id else None,
            }
        )
        for d in r.decisions.all():
            events.append(
                {
                    "at": d.decided_at.isoformat(),
                    "recorded": d.recorded_at.isoformat(),
                    "row": d.pk,
                    "type": "disclosure_decision",
                    "request": r.engine_ref,
                    "decision": d.outcome,
                    "rationale": d.rationale,
                }
            )
    return events


def disclosure_labels(requests: Iterable[DisclosureRequest]) -> dict[str, str]:
    """The references officers know the requests by, for the policy's words."""
    return {r.engine_ref: r.reference for r in requests}
