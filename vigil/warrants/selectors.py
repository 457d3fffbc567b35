"""The warrant board: every outstanding warrant for a subject linked to any victim, ranked.

Ranked by the highest risk level over the subject's victims, then days outstanding, then
whether the latest sighting was within the proximity distance of a victim's home, work or
school (and how recent it was), then the number of victims. Beside it, an RFGV score in the
manner of MATAC (the multi-agency tasking and co-ordination approach for serial perpetrators
of domestic abuse): recency, frequency, gravity, victims, 0 to 5 each. docs/boards.md
explains it.

Linked records count as the same human (`linked_ids`): a warrant issued for "Mike Doyle"
belongs to the subject of a case recorded under "Michael Doyle" if the two records are linked.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from vigil.cases.access import cases_for_user
from vigil.cases.models import Case, ContactAttempt, Report, Sighting
from vigil.cases.selectors import register_case_section
from vigil.core.constants import RISK_RANK, PlaceKind, RiskLevel, WarrantStatus
from vigil.people.linking import linked_ids
from vigil.people.models import Person, Place
from vigil.warrants.access import warrants_for_user
from vigil.warrants.models import Warrant

PROXIMITY_METRES = 500.0
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres (haversine on the mean Earth radius).

    Within 0.5% of the ellipsoidal (geodesic) distance anywhere, and far closer at the
    distances that matter here; the proximity rule's 500 m is not that precise."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Rfgv:
    recency: int
    frequency: int
    gravity: int
    victims: int

    @property
    def total(self) -> int:
        return self.recency + self.frequency + self.gravity + self.victims


def recency_score(days_since_last: int | None) -> int:
    if days_since_last is None:
        return 0
    for limit, score in ((30, 5), (90, 4), (180, 3), (365, 2)):
        if days_since_last <= limit:
            return score
    return 1


def frequency_score(incidents_last_year: int) -> int:
    for limit, score in ((0, 0), (1, 1), (2, 2), (4, 3), (7, 4)):
        if incidents_last_year <= limit:
            return score
    return 5


def gravity_score(level: str) -> int:
    scores: dict[str, int] = {RiskLevel.HIGH: 5, RiskLevel.MEDIUM: 3, RiskLevel.STANDARD: 1}
    return scores.get(level, 0)


def victims_score(victims: int) -> int:
    return min(victims, 5)


@dataclass
class WarrantRow:
    warrant: Warrant
    subject: Person
    risk_level: str
    days_outstanding: int
    victims: int
    cases: list[Case] = field(default_factory=list)
    latest_sighting: Sighting | None = None
    sighting_distance_m: float | None = None
    rfgv: Rfgv = field(default_factory=lambda: Rfgv(0, 0, 0, 0))

    @property
    def sighting_near(self) -> bool:
        return self.sighting_distance_m is not None and self.sighting_distance_m <= PROXIMITY_METRES

    def sort_key(self) -> tuple[Any, ...]:
        seen = self.latest_sighting.reported_at.timestamp() if self.latest_sighting else 0.0
        return (-RISK_RANK.get(self.risk_level, 0), -self.days_outstanding, not self.sighting_near, -seen, -self.victims)


def _coords(sighting: Sighting) -> tuple[float, float] | None:
    if sighting.lat is not None and sighting.lon is not None:
        return (sighting.lat, sighting.lon)
    if sighting.place is not None and sighting.place.lat is not None and sighting.place.lon is not None:
        return (sighting.place.lat, sighting.place.lon)
    return None


def victim_places(victim_ids: set[int]) -> list[tuple[float, float]]:
    """Coordinates of the victims' homes, workplaces and schools (protected places included:
    only the distance is shown, never the address)."""
    places = Place.objects.filter(
        Q(residents__in=victim_ids) | Q(person_id__in=victim_ids, kind__in=[PlaceKind.HOME, PlaceKind.WORK, PlaceKind.SCHOOL])
    ).filter(lat__isnull=False, lon__isnull=False)
    return [(p.lat, p.lon) for p in places.distinct() if p.lat is not None and p.lon is not None]


def _row(warrant: Warrant, *, user: Any, now: dt.datetime) -> WarrantRow | None:
    subjects = linked_ids(warrant.subject)
    cases = list(Case.objects.filter(subject_id__in=subjects).select_related("victim"))
    if not cases:
        return None  # not linked to any victim: not on this board
    victim_ids: set[int] = set()
    for case in cases:
        victim_ids |= linked_ids(case.victim)
    # Records of the same human count once: one victim per identity group.
    groups = {frozenset(linked_ids(case.victim)) for case in cases}
    risk = max((c.risk_level for c in cases), key=lambda level: RISK_RANK.get(level, 0), default="")
    latest = Sighting.objects.filter(subject_id__in=subjects).select_related("place").order_by("-reported_at", "-pk").first()
    distance = None
    if latest is not None and (point := _coords(latest)) is not None:
        distances = [distance_m(point, place) for place in victim_places(victim_ids)]
        distance = min(distances) if distances else None
    case_ids = [c.pk for c in cases]
    visible = set(cases_for_user(user).filter(pk__in=case_ids).values_list("pk", flat=True))
    year_ago = now - dt.timedelta(days=365)
    incidents = list(Report.objects.filter(case_id__in=case_ids).values_list("reported_at", flat=True))
    incidents += list(
        Sighting.objects.filter(subject_id__in=subjects, near_id__in=victim_ids).values_list("reported_at", flat=True)
    )
    incidents += list(
        ContactAttempt.objects.filter(subject_id__in=subjects, victim_id__in=victim_ids).values_list("reported_at", flat=True)
    )
    last = max(incidents, default=None)
    rfgv = Rfgv(
        recency=recency_score((now - last).days if last else None),
        frequency=frequency_score(sum(1 for at in incidents if year_ago <= at <= now)),
        gravity=gravity_score(risk),
        victims=victims_score(len(groups)),
    )
    return WarrantRow(
        warrant=warrant,
        subject=warrant.subject,
        risk_level=risk,
        days_outstanding=max(0, (now - warrant.issued_at).days),
        victims=len(groups),
        cases=[c for c in cases if c.pk in visible],
        latest_sighting=latest,
        sighting_distance_m=distance,
        rfgv=rfgv,
    )


def warrant_board(user: Any, *, now: dt.datetime) -> list[WarrantRow]:
    """Outstanding warrants this person may see, for subjects linked to a victim, ranked.

    The ranking counts every victim of the subject (a serial perpetrator's other victims make
    the warrant more urgent); the rows link only to the cases this person may open."""
    warrants = warrants_for_user(user).filter(status=WarrantStatus.OUTSTANDING).select_related("subject")
    rows = [row for w in warrants if (row := _row(w, user=user, now=now)) is not None]
    return sorted(rows, key=WarrantRow.sort_key)


def case_warrants(victim_ids: set[int], subject_ids: set[int]) -> QuerySet[Warrant]:
    """The case page's warrants: those for the subject (or a linked record of them), newest first."""
    return Warrant.objects.filter(subject_id__in=subject_ids).order_by("-issued_at")


register_case_section("warrants", case_warrants)
