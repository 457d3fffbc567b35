from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from vigil.core import times
from vigil.core.constants import ConditionKind, OrderStatus, OrderType, Source
from vigil.core.crypto import EncryptedTextField
from vigil.core.times import happened_constraints, happened_fields
from vigil.people.models import Person, Place


class ProtectiveOrder(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    order_type = models.CharField(max_length=25, choices=OrderType.choices)
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="orders_as_subject")
    protected = models.ManyToManyField(Person, related_name="orders_protecting")
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.IN_FORCE)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.TextField(blank=True)
    reported_at = models.DateTimeField(help_text="When the police were told of the order: with its start, the policy's time.")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(order_type__in=OrderType.values), name="order_type_valid"),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("starts_at")), name="order_expires_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status=OrderStatus.ENDED, ended_at__isnull=False) | ~Q(status=OrderStatus.ENDED),
                name="order_ended_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_order_type_display()})"

    def status_now(self, now: dt.datetime | None = None) -> str:
        """The order's state in words at `now` (default: the present): the stored status says
        whether it was ended early; the dates say whether it has started or expired."""
        moment = now or times.now()
        if self.status == OrderStatus.ENDED:
            return "ended early"
        if moment < self.starts_at:
            return "not yet in force"
        if self.expires_at is not None and moment >= self.expires_at:
            return "expired"
        return "in force"

    def in_force_at(self, moment: dt.datetime) -> bool:
        if moment < self.starts_at:
            return False
        if self.ended_at is not None and moment >= self.ended_at:
            return False
        return self.expires_at is None or moment < self.expires_at


class ConditionTerms(models.Model):
    """What one condition of an order says: no contact, or an exclusion zone (a radius around
    a place)."""

    kind = models.CharField(max_length=20, choices=ConditionKind.choices)
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    radius_m = models.FloatField(null=True, blank=True)

    SHAPE = Q(kind=ConditionKind.NO_CONTACT, place__isnull=True, radius_m__isnull=True) | Q(
        kind=ConditionKind.EXCLUSION_ZONE, place__isnull=False, radius_m__gt=0
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        if self.kind == ConditionKind.EXCLUSION_ZONE:
            around = "a protected address" if self.place is not None and self.place.protected else str(self.place)
            return f"Exclusion zone of {self.radius_m:g} m around {around}"
        return "No contact"


class OrderCondition(ConditionTerms):
    order = models.ForeignKey(ProtectiveOrder, on_delete=models.PROTECT, related_name="conditions")

    class Meta:
        constraints = [models.CheckConstraint(condition=ConditionTerms.SHAPE, name="condition_shape_matches_kind")]


class Breach(models.Model):
    order = models.ForeignKey(ProtectiveOrder, on_delete=models.PROTECT, related_name="breaches")
    at, at_until, at_date_only = happened_fields("at", "the order was broken")
    reported_at = models.DateTimeField(help_text="When the police were told: the policy's time, from which deadlines count.")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    summary = EncryptedTextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OFFICER)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [*happened_constraints("at", "breach")]


class OrderVariation(models.Model):
    """A court varied an order: from `varied_at` its conditions and expiry are these (the whole
    new terms). The order's own conditions stay as granted; the policy reads the latest terms
    in force at each moment. Append-only."""

    order = models.ForeignKey(ProtectiveOrder, on_delete=models.PROTECT, related_name="variations")
    varied_at = models.DateTimeField(help_text="When the new terms take effect.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="The new end, or empty for none.")
    reason = models.TextField()
    reported_at = models.DateTimeField(help_text="When the police were told: the policy reads the variation from the later time.")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["varied_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("varied_at")),
                name="order_variation_expires_after",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="order_variation_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Variation of {self.order.reference} from {self.varied_at:%d %b %Y}"


class VariationCondition(ConditionTerms):
    """One condition of an order's terms after a variation."""

    variation = models.ForeignKey(OrderVariation, on_delete=models.PROTECT, related_name="conditions")

    class Meta:
        constraints = [models.CheckConstraint(condition=ConditionTerms.SHAPE, name="variation_condition_shape_matches_kind")]
