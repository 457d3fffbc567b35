from __future__ import annotations

from django.db import models
from django.db.models import Q


class Postcode(models.Model):
    """The centre of one postcode (WGS84 degrees), from the ONS Postcode Directory or
    Code-Point Open. Not personal data: a public reference table, loaded by `vigil gazetteer load`."""

    postcode = models.CharField(max_length=8, unique=True, help_text="Upper case with one space, e.g. 'SW1A 1AA'.")
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90), name="postcode_lat_range"),
            models.CheckConstraint(condition=Q(lon__gte=-180, lon__lte=180), name="postcode_lon_range"),
        ]

    def __str__(self) -> str:
        return self.postcode
