"""Reads about cases, for pages and exports. Access is checked by the caller through vigil.core.access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from vigil.actions.models import Action
from vigil.cases.access import cases_for_user
from vigil.cases.models import Case, Sighting
from vigil.core.constants import ActionStatus
from vigil.core.text import search_text
from vigil.people.linking import linked_ids


def case_search(user: Any, query: str = "") -> QuerySet[Case]:
    qs = cases_for_user(user).select_related("victim", "subject", "team")
    query = search_text(query)
    if query:
        qs = qs.filter(
            Q(reference__iexact=query)
            | Q(victim__full_name__icontains=query)
            | Q(subject__full_name__icontains=query)
            | Q(victim__aliases__name__icontains=query)
            | Q(subject__aliases__name__icontains=query)
        ).distinct()
    return qs.order_by("-risk_changed_at", "-created_at", "-pk")


def pair_sightings(case: Case) -> QuerySet[Sighting]:
    """Sightings of the case's subject (or a linked record) that belong to this case: seen near
    its victim (or a linked record), or near no one in particular. A sighting near another
    victim belongs to that victim's case, which may be restricted or another team's."""
    if case.subject is None:
        return Sighting.objects.none()
    subject_ids = linked_ids(case.subject)
    victim_ids = linked_ids(case.victim)
    return Sighting.objects.filter(subject_id__in=subject_ids).filter(Q(near__isnull=True) | Q(near_id__in=victim_ids))


# What the apps that build on cases show on the case page about the pair: "orders"
# (vigil.orders.selectors), "warrants" (vigil.warrants.selectors), "alarms"
# (vigil.alarms.selectors). Each registers its rows, given the ids of the victim's and the
# subject's linked records, when its app is ready, so this app need not import them.
CaseSection = Callable[[set[int], set[int]], QuerySet[Any]]
CASE_SECTIONS = ("orders", "warrants", "alarms")
_SECTIONS: dict[str, CaseSection] = {}


def register_case_section(name: str, rows: CaseSection) -> None:
    if name not in CASE_SECTIONS:
        raise ValueError(f"the case page has no section {name!r} (it has {', '.join(CASE_SECTIONS)})")
    _SECTIONS[name] = rows


def case_overview(case: Case) -> dict[str, Any]:
    """Everything the case page shows about the pair, including what is recorded against
    linked records of the same people."""
    victim_ids = linked_ids(case.victim)
    subject_ids = linked_ids(case.subject) if case.subject else set()
    # KeyError if an app has not registered its section: the page fails rather than show an
    # empty list of orders, warrants or alarms.
    sections = {name: _SECTIONS[name](victim_ids, subject_ids) for name in CASE_SECTIONS}
    return {
        "reports": case.reports.select_related("place", "reported_by").prefetch_related("children_present"),
        **sections,
        # Open actions first on the page, the soonest due first; closed ones after, latest first.
        "open_actions": Action.objects.filter(case=case, status=ActionStatus.OPEN)
        .select_related("owner")
        .prefetch_related("escalations")
        .order_by("due_at", "pk"),
        "closed_actions": Action.objects.filter(case=case)
        .exclude(status=ActionStatus.OPEN)
        .select_related("owner")
        .order_by("-closed_at", "-pk"),
        "risk_changes": case.risk_changes.all(),
        "flags": case.flags.all(),
        "assessments": case.assessments.all(),
    }
