"""Partner work as timeline events for the live policy (`vigil.actions.live_document.build_document`):
Clare's Law requests and decisions (FORMAT.md `disclosure_request`, `disclosure_decision`) and
partner agencies' concerns (`partner_concern`, a live-system event: R14 asks a supervisor to
review). Every row has a `case_id`, so the bulk path can index them by case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from vigil.disclosure.disclosure_events import disclosure_events, disclosure_labels, disclosure_people, disclosure_rows
from vigil.disclosure.models import DisclosureRequest


def partner_concerns(case_ids: set[int]) -> QuerySet[Any]:
    """The partner agencies' concerns on these cases (R14), as the live document reads them."""
    from vigil.idva.models import PartnerConcern  # idva's models read partners' agencies: a cycle

    return PartnerConcern.objects.filter(case_id__in=case_ids)


def partner_rows(case_ids: set[int]) -> list[Any]:
    concerns = list(partner_concerns(case_ids).defer("concern").select_related("case", "agency").order_by("reported_at", "pk"))
    return [*disclosure_rows(case_ids), *concerns]


def _requests(rows: Iterable[Any]) -> list[DisclosureRequest]:
    return [r for r in rows if isinstance(r, DisclosureRequest)]


def _concerns(rows: Iterable[Any]) -> list[Any]:
    return [r for r in rows if not isinstance(r, DisclosureRequest)]


def partner_people(rows: Iterable[Any]) -> set[int]:
    rows = list(rows)
    people = disclosure_people(_requests(rows))
    for c in _concerns(rows):
        people.update(p for p in (c.case.victim_id, c.case.subject_id) if p)
    return people


def partner_events(rows: Iterable[Any]) -> list[dict[str, Any]]:
    rows = list(rows)
    events = disclosure_events(_requests(rows))
    for c in _concerns(rows):
        case = c.case
        events.append(
            {
                "at": c.reported_at.isoformat(),
                "recorded": c.recorded_at.isoformat(),
                "row": c.pk,
                "type": "partner_concern",
                "victim": f"P{case.victim_id}",
                "subject": f"P{case.subject_id}" if case.subject_id else None,
                "agency": c.agency.name,
            }
        )
    return events


def partner_labels(rows: Iterable[Any]) -> dict[str, str]:
    return disclosure_labels(_requests(rows))
