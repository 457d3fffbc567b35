"""Who may see a protective order: one whose subject and at least one protected person are
visible to the user (`vigil.cases.access`). 404 otherwise; a page that shows one is audited."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from vigil.cases.access import load_for_user, persons_for_user
from vigil.core.access import ORDER, Scope, is_active_user, register_scope
from vigil.orders.models import ProtectiveOrder


def orders_for_user(user: Any) -> QuerySet[ProtectiveOrder]:
    """Orders whose subject and at least one protected person are visible to the user."""
    if not is_active_user(user):
        return ProtectiveOrder.objects.none()
    people = persons_for_user(user)
    protected_visible = Exists(
        ProtectiveOrder.protected.through.objects.filter(protectiveorder_id=OuterRef("pk"), person__in=people)
    )
    return ProtectiveOrder.objects.filter(protected_visible, subject__in=people)


def _get_order(user: Any, pk: int | str, *, write: bool, audit: bool) -> ProtectiveOrder:
    rows = orders_for_user(user).select_related("subject")
    return load_for_user(user, rows, pk, "order", write=write, audit=audit)


def get_order_for_user(user: Any, pk: int | str, *, audit: bool = True) -> ProtectiveOrder:
    return _get_order(user, pk, write=False, audit=audit)


def get_rw_order_for_user(user: Any, pk: int | str) -> ProtectiveOrder:
    return _get_order(user, pk, write=True, audit=False)


def _visible_orders(scope: Scope) -> QuerySet[ProtectiveOrder]:
    """As `orders_for_user`, by the scope's id sets (the admin and exports)."""
    through = ProtectiveOrder.protected.through.objects.filter(protectiveorder_id=OuterRef("pk"), person_id__in=scope.persons)
    return ProtectiveOrder.objects.filter(Exists(through), subject_id__in=scope.persons)


register_scope(ORDER, _visible_orders)
