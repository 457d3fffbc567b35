"""Reads for the risk part of the case page. The caller has loaded the case through vigil.core.access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from vigil.actions.models import Action
from vigil.cases.models import Case
from vigil.cases.selectors import pair_sightings
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus
from vigil.orders.models import Breach
from vigil.people.linking import linked_ids
from vigil.risk.chart import LevelPoint, Marker, render_risk_chart


def next_review(case: Case) -> Action | None:
    """The next open `review_risk` action on the case: its due time and the rule behind it."""
    return (
        Action.objects.filter(case=case, kind=ActionKind.REVIEW_RISK, status=ActionStatus.OPEN)
        .prefetch_related("escalations")
        .order_by("due_at", "id")
        .first()
    )


def risk_markers(case: Case) -> list[Marker]:
    """Reports, breaches and sightings about the pair, including those recorded against
    linked records of the same people. A sighting of the subject near another victim is that
    victim's case's, not this one's (`pair_sightings`)."""
    victim_ids = linked_ids(case.victim)
    subject_ids = linked_ids(case.subject) if case.subject else set()
    markers = [Marker(r.reported_at, "report", r.get_category_display()) for r in case.reports.all()]
    if subject_ids:
        breaches = Breach.objects.filter(order__subject_id__in=subject_ids, order__protected__in=victim_ids).distinct()
        markers += [Marker(b.reported_at, "breach", f"of order {b.order}") for b in breaches.select_related("order")]
        markers += [Marker(s.reported_at, "sighting", s.summary or "the subject was seen") for s in pair_sightings(case)]
    return sorted(markers, key=lambda m: m.at)


def risk_panel(case: Case, *, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or times.now()
    changes = list(case.risk_changes.all())
    markers = risk_markers(case)
    points = [LevelPoint(c.at, c.level, c.get_source_display()) for c in changes]
    review = next_review(case)
    return {
        "changes": changes,
        "markers": markers,
        "chart": render_risk_chart(points, markers, now=now) if changes or markers else "",
        "next_review": review,
        "review_overdue": bool(review and review.due_at < now),
        "now": now,
    }
