"""Which location fixes fall in their subject's exclusion zones: a vectorised check (numpy).

A fix is a subject, a time, a position and its accuracy. It matters only against the zones
of orders made against that subject, so the index is keyed by (subject, grid cell): every
zone is entered in each cell of a fixed grid (CELL_DEGREES square) that its circle, widened
by the exit margin, touches. A batch of fixes is then

1. put in its cells, and its (subject, cell) keys looked up in the sorted key array with one
   `searchsorted` (most fixes are nowhere near their zones and stop here);
2. for the fixes that found a key, paired with the key's zones (CSR offsets, no Python loop);
3. measured against each paired zone's centre on the WGS84 ellipsoid's local radii at the
   pair's mean latitude (a flat-earth distance on the ellipsoid: within a centimetre of the
   policy engine's Vincenty distance up to 5 km; the service settles a pair within a few
   centimetres of the edge with the engine's own function) and told inside, in the margin
   band, or beyond.

Pure numpy: no Django, so the benchmark (`vigil bench fixes`) measures exactly this code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

WGS84_A = 6_378_137.0
WGS84_E2 = 6.694_379_990_14e-3  # first eccentricity squared
RADIANS = math.pi / 180
METRES_PER_DEGREE = 111_320.0  # for sizing the search only
CELL_DEGREES = 0.01  # about 1.1 km north-south, 0.7 km east-west in England
_CELLS_PER_TURN = 36_000 + 2  # cells along a parallel (360 / CELL_DEGREES), with room for rounding
_CELLS_PER_MERIDIAN = 18_000 + 2

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _cells(lat: FloatArray, lon: FloatArray) -> tuple[IntArray, IntArray]:
    return (
        np.floor((lat + 90.0) / CELL_DEGREES).astype(np.int64),
        np.floor((lon + 180.0) / CELL_DEGREES).astype(np.int64),
    )


def _keys(subject: IntArray, row: IntArray, col: IntArray) -> IntArray:
    return (subject * _CELLS_PER_MERIDIAN + row) * _CELLS_PER_TURN + col


@dataclass(frozen=True)
class Hits:
    """Every (fix, zone) pair within a zone's radius plus the margin, with its distance."""

    fix: IntArray  # index into the batch
    zone: IntArray  # index into the index's zones
    distance_m: FloatArray
    inside: npt.NDArray[np.bool_]  # within the zone's radius


class ZoneIndex:
    """Zones (subject, centre, radius) indexed by subject and grid cell. `margin_m` widens
    each zone for the search, so that fixes in the band just outside are found too (the
    hysteresis rule needs them)."""

    def __init__(
        self,
        subject: npt.ArrayLike,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        radius_m: npt.ArrayLike,
        *,
        margin_m: float = 100.0,
    ) -> None:
        self.subject = np.asarray(subject, dtype=np.int64)
        self.lat = np.asarray(lat, dtype=np.float64)
        self.lon = np.asarray(lon, dtype=np.float64)
        self.radius_m = np.asarray(radius_m, dtype=np.float64)
        self.margin_m = float(margin_m)
        if not (len(self.subject) == len(self.lat) == len(self.lon) == len(self.radius_m)):
            raise ValueError("zones: subject, lat, lon and radius_m must have the same length")
        if len(self.subject) and (self.subject.min() < 0 or self.subject.max() >= 2**24):
            raise ValueError("zones: subject ids must be from 0 to 16,777,215 (number them densely)")
        self._cos = np.cos(np.radians(self.lat))
        self._build()

    def __len__(self) -> int:
        return len(self.subject)

    def _build(self) -> None:
        reach = self.radius_m + self.margin_m
        dlat = reach / METRES_PER_DEGREE
        dlon = reach / (METRES_PER_DEGREE * np.maximum(self._cos, 1e-6))
        row0, col0 = _cells(self.lat - dlat, self.lon - dlon)
        row1, col1 = _cells(self.lat + dlat, self.lon + dlon)
        rows, cols = row1 - row0 + 1, col1 - col0 + 1
        per_zone = rows * cols  # cells each zone touches (a handful)
        zone = np.repeat(np.arange(len(self.subject), dtype=np.int64), per_zone)
        offset = np.arange(per_zone.sum(), dtype=np.int64) - np.repeat(np.cumsum(per_zone) - per_zone, per_zone)
        row = np.repeat(row0, per_zone) + offset // np.repeat(cols, per_zone)
        col = np.repeat(col0, per_zone) + offset % np.repeat(cols, per_zone)
        keys = _keys(self.subject[zone], row, col)
        order = np.argsort(keys, kind="stable")
        keys, zone = keys[order], zone[order]
        self._unique, first = np.unique(keys, return_index=True)
        self._start = first.astype(np.int64)
        self._end = np.append(first[1:], len(keys)).astype(np.int64)
        self._zone = zone

    def check(self, subject: npt.ArrayLike, lat: npt.ArrayLike, lon: npt.ArrayLike) -> Hits:
        """The (fix, zone) pairs within each zone's radius plus the margin."""
        s = np.asarray(subject, dtype=np.int64)
        la = np.asarray(lat, dtype=np.float64)
        lo = np.asarray(lon, dtype=np.float64)
        empty = np.empty(0, dtype=np.int64)
        if len(s) == 0 or len(self._unique) == 0:
            return Hits(empty, empty, np.empty(0), np.empty(0, dtype=bool))
        row, col = _cells(la, lo)
        keys = _keys(s, row, col)
        pos = np.searchsorted(self._unique, keys)
        pos[pos == len(self._unique)] = 0
        found = np.flatnonzero(self._unique[pos] == keys)
        if len(found) == 0:
            return Hits(empty, empty, np.empty(0), np.empty(0, dtype=bool))
        starts, ends = self._start[pos[found]], self._end[pos[found]]
        counts = ends - starts
        fix = np.repeat(found, counts)
        within = np.arange(counts.sum(), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        zone = self._zone[np.repeat(starts, counts) + within]
        distance = _local_distance(la[fix], lo[fix], self.lat[zone], self.lon[zone])
        near = distance <= self.radius_m[zone] + self.margin_m
        return Hits(fix[near], zone[near], distance[near], distance[near] <= self.radius_m[zone[near]])


def _local_distance(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Distance in metres from the ellipsoid's meridian and prime-vertical radii of curvature
    at the mean latitude: a local flat map, exact enough for zones of a few kilometres."""
    mean = (lat1 + lat2) * (0.5 * RADIANS)
    sin2 = np.sin(mean) ** 2
    w = np.sqrt(1.0 - WGS84_E2 * sin2)
    prime = WGS84_A / w  # N
    meridian = prime * (1.0 - WGS84_E2) / (w * w)  # M
    dy = (lat1 - lat2) * RADIANS * meridian
    dx = (lon1 - lon2) * RADIANS * prime * np.cos(mean)
    result: FloatArray = np.sqrt(dx * dx + dy * dy)
    return result


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The same distance for one pair."""
    return float(_local_distance(np.array([lat1]), np.array([lon1]), np.array([lat2]), np.array([lon2]))[0])
