from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.constants import BirthPrecision, LinkStatus, PlaceKind, RelationshipKind, Sex
from vigil.core.crypto import EncryptedTextField

# What every page, list and admin shows instead of a protected address (docs/security.md).
PROTECTED_TEXT = "Protected address"


class Place(models.Model):
    """A location: an address, a school, a street corner. Coordinates are WGS84 degrees."""

    address = EncryptedTextField(max_length=300, help_text="Encrypted at rest, every address (not only protected ones).")
    label = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=10, choices=PlaceKind.choices, default=PlaceKind.OTHER)
    person = models.ForeignKey(
        "Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regular_places",
        help_text="Whose work, school or other regular place this is.",
    )
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    protected = models.BooleanField(
        default=False, help_text="A protected address (a refuge): shown only to staff allocated to the case."
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PlaceKind.values), name="place_kind_valid"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True) | Q(lat__isnull=False, lon__isnull=False),
                name="place_lat_lon_together",
            ),
            models.CheckConstraint(condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="place_lat_range"),
            models.CheckConstraint(condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180), name="place_lon_range"),
        ]

    def __str__(self) -> str:
        # A protected address is read only through the audited reveal page, so it is never
        # what a place prints as, even when it has no label (a place made from a portal report).
        if self.protected:
            return PROTECTED_TEXT
        return self.label or self.address


class Person(models.Model):
    """One person record as it was written down. Records of the same human are linked, never merged."""

    full_name = models.CharField(max_length=200)
    born_on = models.DateField(null=True, blank=True)
    born_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_precision = models.CharField(max_length=10, choices=BirthPrecision.choices, default=BirthPrecision.UNKNOWN)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    home = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="residents")
    is_police_staff = models.BooleanField(default=False)
    ref = models.CharField(max_length=40, blank=True, help_text="Reference in an imported timeline.")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["full_name"], name="person_name_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="person_sex_valid"),
            models.CheckConstraint(
                condition=(
                    Q(birth_precision=BirthPrecision.FULL, born_on__isnull=False, born_year__isnull=False)
                    | Q(birth_precision=BirthPrecision.YEAR, born_on__isnull=True, born_year__isnull=False)
                    | Q(birth_precision=BirthPrecision.UNKNOWN, born_on__isnull=True, born_year__isnull=True)
                ),
                name="person_birth_precision_matches",
            ),
            models.CheckConstraint(
                condition=Q(born_year__isnull=True) | Q(born_year__gte=1880, born_year__lte=2200),
                name="person_born_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def born_display(self) -> str:
        if self.birth_precision == BirthPrecision.FULL and self.born_on:
            return self.born_on.strftime("%-d %B %Y")
        if self.birth_precision == BirthPrecision.YEAR:
            return f"{self.born_year} (year only)"
        return "Not known"

    @property
    def born_text(self) -> str | None:
        """Date of birth in the timeline format: YYYY-MM-DD, YYYY or None."""
        if self.birth_precision == BirthPrecision.FULL and self.born_on:
            return self.born_on.isoformat()
        if self.birth_precision == BirthPrecision.YEAR:
            return str(self.born_year)
        return None

    def age_on(self, day: dt.date) -> int | None:
        if self.born_on is None:
            return None
        years = day.year - self.born_on.year
        if (day.month, day.day) < (self.born_on.month, self.born_on.day):
            years -= 1
        return years


class PersonAlias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="alias_unique_per_person")]

    def __str__(self) -> str:
        return self.name


class Relationship(models.Model):
    a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships_as_a")
    b = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships_as_b")
    kind = models.CharField(max_length=15, choices=RelationshipKind.choices)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True, help_text="For partners, the separation.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(a=models.F("b")), name="relationship_two_people"),
            models.CheckConstraint(condition=Q(kind__in=RelationshipKind.values), name="relationship_kind_valid"),
            models.CheckConstraint(
                condition=Q(since__isnull=True) | Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="relationship_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.a} – {self.b} ({self.get_kind_display()})"


class PersonLink(models.Model):
    """A decision that two records describe the same human. Reversible; never merges rows."""

    a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="links_as_a")
    b = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="links_as_b")
    status = models.CharField(max_length=10, choices=LinkStatus.choices)
    score = models.FloatField(help_text="Match probability from the linkage model, 0 to 1.")
    match_weight = models.FloatField(default=0.0)
    evidence = models.TextField(help_text="The evidence in words.")
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_rationale = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(a__lt=models.F("b")), name="link_ordered_pair"),
            models.UniqueConstraint(fields=["a", "b"], name="link_unique_pair"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=1), name="link_score_range"),
            models.CheckConstraint(condition=Q(status__in=LinkStatus.values), name="link_status_valid"),
        ]
        indexes = [models.Index(fields=["status"], name="link_status_idx")]

    def __str__(self) -> str:
        return f"{self.a} ~ {self.b} ({self.status})"


class BlockingKey(models.Model):
    """Blocking keys of a person record, so a new record is compared only with likely matches."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocking_keys")
    key = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "person"], name="blocking_key_unique")]
