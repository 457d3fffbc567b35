"""The demo's invented city: its synthetic postcodes (VG1 to VG24; no real postcode begins
with V), loaded into the gazetteer, and the nearest one to a point for the demo's addresses."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from vigil.gazetteer.loader import gazetteer_load
from vigil.gazetteer.models import Postcode

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo-postcodes.csv"


def demo_gazetteer_load() -> None:
    """Load the demo's postcodes unless the gazetteer already holds them."""
    if not Postcode.objects.filter(postcode__startswith="VG").exists():
        gazetteer_load([DEMO_FILE])


class DemoPostcodes:
    """The demo postcode nearest a point (read once from the gazetteer)."""

    @cached_property
    def _points(self) -> tuple[list[str], np.ndarray]:
        rows = list(Postcode.objects.filter(postcode__startswith="VG").values_list("postcode", "lat", "lon").order_by("postcode"))
        return [r[0] for r in rows], np.array([(r[1], r[2]) for r in rows], dtype=np.float64)

    def nearest(self, lat: float, lon: float) -> str:
        codes, points = self._points
        if not codes:
            return ""
        # Degrees of longitude are about 0.6 of a degree of latitude here; close enough to pick the nearest.
        dist = (points[:, 0] - lat) ** 2 + ((points[:, 1] - lon) * 0.6) ** 2
        return codes[int(np.argmin(dist))]
