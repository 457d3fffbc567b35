from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.actions.live import policy_reevaluate
from vigil.core.constants import ConditionKind, OrderStatus, Source
from vigil.core.services import create_audited, require_aware, update_audited
from vigil.orders.models import Breach, OrderCondition, ProtectiveOrder
from vigil.people.models import Person, Place


class ConditionSpec(TypedDict, total=False):
    kind: str
    place: Place
    radius_m: float


def order_grant(
    *,
    actor: Any,
    reference: str,
    order_type: str,
    subject: Person,
    protected: Sequence[Person],
    starts_at: dt.datetime,
    expires_at: dt.datetime | None = None,
    conditions: Iterable[ConditionSpec] = (),
) -> ProtectiveOrder:
    require_aware("starts_at", starts_at)
    require_aware("expires_at", expires_at)
    if not protected:
        raise ValidationError({"protected": "an order protects at least one person"})
    if subject in protected:
        raise ValidationError({"protected": "the subject of an order cannot be the person it protects"})
    with transaction.atomic():
        order = ProtectiveOrder(
            reference=reference,
            order_type=order_type,
            subject=subject,
            starts_at=starts_at,
            expires_at=expires_at,
            status=OrderStatus.IN_FORCE,
            recorded_at=timezone.now(),
        )
        create_audited(order, actor=actor, action="order.grant")
        order.protected.set(protected)
        for spec in conditions:
            kind = spec.get("kind", "")
            if kind not in ConditionKind.values:
                raise ValidationError({"conditions": f"unknown condition kind {kind!r}"})
            create_audited(
                OrderCondition(order=order, kind=kind, place=spec.get("place"), radius_m=spec.get("radius_m")),
                actor=actor,
                action="order.condition_add",
            )
        policy_reevaluate(person_ids={subject.pk, *(p.pk for p in protected)}, actor=actor)
        return order


def order_end(*, actor: Any, order: ProtectiveOrder, at: dt.datetime, reason: str) -> ProtectiveOrder:
    require_aware("at", at)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason the order ended"})
    if order.status != OrderStatus.IN_FORCE:
        raise ValidationError({"order": f"order {order.reference} is not in force"})
    with transaction.atomic():
        update_audited(
            order,
            actor=actor,
            action="order.end",
            changes={"status": OrderStatus.ENDED, "ended_at": at, "ended_reason": reason.strip()},
        )
        policy_reevaluate(person_ids={order.subject_id, *order.protected.values_list("pk", flat=True)}, actor=actor)
        return order


def breach_record(
    *,
    actor: Any,
    order: ProtectiveOrder,
    at: dt.datetime,
    place: Place | None = None,
    reported_by: Person | None = None,
    summary: str = "",
    source: str = Source.OFFICER,
) -> Breach:
    require_aware("at", at)
    with transaction.atomic():
        breach = Breach(
            order=order, at=at, place=place, reported_by=reported_by, summary=summary, source=source, recorded_at=timezone.now()
        )
        create_audited(breach, actor=actor, action="breach.record")
        policy_reevaluate(person_ids={order.subject_id, *order.protected.values_list("pk", flat=True)}, actor=actor)
        return breach
