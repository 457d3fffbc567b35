"""Reads about protective orders, for pages. Access is checked by the caller (vigil.orders.access)."""

from __future__ import annotations

from django.db.models import QuerySet

from vigil.cases.selectors import register_case_section
from vigil.orders.models import ProtectiveOrder


def case_orders(victim_ids: set[int], subject_ids: set[int]) -> QuerySet[ProtectiveOrder]:
    """The case page's orders: those against the subject (or a linked record of them) that
    protect the victim (or a linked record of them)."""
    return (
        ProtectiveOrder.objects.filter(subject_id__in=subject_ids, protected__in=victim_ids)
        .distinct()
        .prefetch_related("conditions__place", "protected", "variations__conditions__place")
    )


register_case_section("orders", case_orders)
