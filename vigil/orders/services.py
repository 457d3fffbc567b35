from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.actions.live import policy_reevaluate
from vigil.audit.services import create_audited, update_audited
from vigil.cases.services import fact_times
from vigil.core import times
from vigil.core.constants import ConditionKind, OrderStatus, Source
from vigil.core.services import require_aware
from vigil.core.times import Happened
from vigil.orders.models import Breach, OrderCondition, OrderVariation, ProtectiveOrder, VariationCondition
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
    reported_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    conditions: Iterable[ConditionSpec] = (),
) -> ProtectiveOrder:
    """An order granted. `starts_at` is when it takes effect (it may be later than now: an
    order made today to start on Monday), `reported_at` when the police were told (default
    now, never in the future); the policy reads it from the later of the two."""
    times.check_moment("starts_at", "When the order starts", starts_at, at=dt.datetime.max.replace(tzinfo=dt.UTC))
    reported = times.reported(reported_at)
    require_aware("expires_at", expires_at)
    if expires_at is not None and expires_at <= starts_at:
        raise ValidationError({"expires_at": "The order must end after it starts"})
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
            reported_at=reported,
            recorded_at=times.now(),
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
        policy_reevaluate(person_ids={subject.pk, *(p.pk for p in protected)})
        return order


def order_end(*, actor: Any, order: ProtectiveOrder, at: dt.datetime | None = None, reason: str) -> ProtectiveOrder:
    """The order ended early, at `at` (default now; never in the future)."""
    at = times.reported(at, field="at", label="When the order ended")
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
        policy_reevaluate(person_ids={order.subject_id, *order.protected.values_list("pk", flat=True)})
        return order


def order_terms(order: ProtectiveOrder, at: dt.datetime) -> tuple[list[Any], dt.datetime | None]:
    """The order's conditions and expiry in force at `at`: the latest variation's terms from
    its time, else those granted."""
    latest = None
    for variation in order.variations.all():
        if variation.varied_at <= at:
            latest = variation
    if latest is None:
        return list(order.conditions.all()), order.expires_at
    return list(latest.conditions.all()), latest.expires_at


def order_vary(
    *,
    actor: Any,
    order: ProtectiveOrder,
    varied_at: dt.datetime,
    conditions: Iterable[ConditionSpec],
    expires_at: dt.datetime | None,
    reason: str,
    reported_at: dt.datetime | None = None,
) -> OrderVariation:
    """A court varied the order: from `varied_at` its conditions and expiry are these (the
    whole new terms). What was broken before stays broken; only an order in force at
    `varied_at` can be varied."""
    times.check_moment("varied_at", "When the variation takes effect", varied_at, at=dt.datetime.max.replace(tzinfo=dt.UTC))
    reported = times.reported(reported_at)
    require_aware("expires_at", expires_at)
    specs = list(conditions)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason the order was varied"})
    if not specs:
        raise ValidationError({"conditions": "An order keeps at least one condition; to end it, record that it ended"})
    if order.status != OrderStatus.IN_FORCE or not order.in_force_at(varied_at):
        raise ValidationError({"order": f"order {order.reference} is not in force at that time, so it cannot be varied"})
    if expires_at is not None and expires_at <= varied_at:
        raise ValidationError({"expires_at": "The new end must be after the variation takes effect"})
    with transaction.atomic():
        variation = create_audited(
            OrderVariation(
                order=order,
                varied_at=varied_at,
                expires_at=expires_at,
                reason=reason.strip(),
                reported_at=reported,
                recorded_at=times.now(),
            ),
            actor=actor,
            action="order.vary",
        )
        for spec in specs:
            kind = spec.get("kind", "")
            if kind not in ConditionKind.values:
                raise ValidationError({"conditions": f"unknown condition kind {kind!r}"})
            create_audited(
                VariationCondition(variation=variation, kind=kind, place=spec.get("place"), radius_m=spec.get("radius_m")),
                actor=actor,
                action="order.variation_condition_add",
            )
        policy_reevaluate(person_ids={order.subject_id, *order.protected.values_list("pk", flat=True)})
        return variation


def breach_record(
    *,
    actor: Any,
    order: ProtectiveOrder,
    reported_at: dt.datetime | None = None,
    happened: Happened | None = None,
    place: Place | None = None,
    reported_by: Person | None = None,
    summary: str = "",
    source: str = Source.OFFICER,
) -> Breach:
    reported, when = fact_times(reported_at, happened, "at")
    with transaction.atomic():
        breach = Breach(
            order=order,
            reported_at=reported,
            **when,
            place=place,
            reported_by=reported_by,
            summary=summary,
            source=source,
            recorded_at=times.now(),
        )
        create_audited(breach, actor=actor, action="breach.record")
        policy_reevaluate(person_ids={order.subject_id, *order.protected.values_list("pk", flat=True)})
        return breach
