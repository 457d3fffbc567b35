"""Small builders for engine tests: a household, local times, and running the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from vigil.policy import geo
from vigil.policy.config import Policy, load_policy
from vigil.policy.engine import Action, Outcome, evaluate
from vigil.policy.facts import (
    Condition,
    Event,
    OrderGranted,
    Person,
    Place,
    Relationship,
    Report,
    RiskAssessment,
    World,
)

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# A victim's home in Leeds and a subject's home about 2 km to the north.
VICTIM_HOME = Place("HV", "victim's home", "home", 53.8008, -1.5491)
SUBJECT_HOME = Place("HS", "subject's home", "home", 53.8180, -1.5491)


def at(text: str) -> dt.datetime:
    """A local Europe/London time written as 'YYYY-MM-DD HH:MM' (or with an explicit offset)."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LONDON)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def policy() -> Policy:
    return load_policy()


def world(
    *,
    people: Sequence[Person] = (),
    places: Sequence[Place] = (),
    relationships: Sequence[Relationship] = (),
    groups: Sequence[Iterable[str]] = (),
) -> World:
    base_people = [
        Person("V", "Alex Victim", born="1990-03-01", sex="female", home="HV"),
        Person("P", "Sam Subject", born="1988-07-07", sex="male", home="HS"),
    ]
    everyone = {p.ref: p for p in [*base_people, *people]}
    all_places = {p.ref: p for p in [VICTIM_HOME, SUBJECT_HOME, *places]}
    return World(
        people=everyone,
        places=all_places,
        relationships=tuple(relationships),
        groups=tuple(frozenset(g) for g in groups),
        timezone="Europe/London",
    )


def run(
    events: Sequence[Event],
    until: dt.datetime | None = None,
    *,
    w: World | None = None,
    p: Policy | None = None,
) -> Outcome:
    last = max(e.at.astimezone(UTC) for e in events) if events else at("2024-01-01 00:00")
    return evaluate(p or policy(), w or world(), events, until or last)


def kinds(outcome: Outcome, kind: str, **match: Any) -> list[Action]:
    return [a for a in outcome.actions if a.kind == kind and all(getattr(a, k) == v for k, v in match.items())]


def only(outcome: Outcome, kind: str, **match: Any) -> Action:
    found = kinds(outcome, kind, **match)
    assert len(found) == 1, f"expected one {kind} {match}, got {[(a.id, a.rule, a.victim) for a in found]}"
    return found[0]


def flags(outcome: Outcome, kind: str) -> list[Any]:
    return [f for f in outcome.flags if f.kind == kind]


def report(
    at_: dt.datetime,
    category: str = "domestic_abuse",
    *,
    victim: str = "V",
    suspect: str | None = "P",
    children: Iterable[str] = (),
    place: str | None = None,
) -> Report:
    return Report(
        at=at_,
        victim=victim,
        suspect=suspect,
        category=category,
        reported_by=victim,
        place=place,
        children_present=tuple(children),
    )


# DASH questions that carry a meaning beyond the count: 8 (stalking), 14 (E2), 15 (E3).
_DASH_SPECIAL = (8, 14, 15)


def dash(
    at_: dt.datetime,
    yes: int,
    *,
    officer: str | None = None,
    extra: Iterable[int] = (),
    victim: str = "V",
    suspect: str = "P",
) -> RiskAssessment:
    """A DASH with exactly `yes` yes answers: the questions in `extra`, then plain questions
    (never 8, 14 or 15 unless listed in `extra`)."""
    chosen = list(dict.fromkeys(extra))
    for q in range(1, 25):
        if len(chosen) >= yes:
            break
        if q not in _DASH_SPECIAL and q not in chosen:
            chosen.append(q)
    assert len(chosen) == yes, f"cannot build a DASH with {yes} yes answers from {chosen}"
    answers = {q: q in chosen for q in range(1, 25)}
    return RiskAssessment(at=at_, victim=victim, suspect=suspect, instrument="dash", answers=answers, officer_level=officer)


def lethality(
    at_: dt.datetime, yes: Iterable[int], *, officer: str | None = None, victim: str = "V", suspect: str = "P"
) -> RiskAssessment:
    chosen = set(yes)
    return RiskAssessment(
        at=at_,
        victim=victim,
        suspect=suspect,
        instrument="lethality_screen",
        answers={q: q in chosen for q in range(1, 12)},
        officer_level=officer,
    )


def sdash(at_: dt.datetime, yes: Iterable[int], *, victim: str = "V", suspect: str = "P") -> RiskAssessment:
    chosen = set(yes)
    return RiskAssessment(
        at=at_, victim=victim, suspect=suspect, instrument="sdash", answers={q: q in chosen for q in range(1, 12)}
    )


def order(
    at_: dt.datetime,
    *,
    ref: str = "O1",
    protected: Iterable[str] = ("V",),
    subject: str = "P",
    no_contact: bool = True,
    zone: tuple[str, float] | None = None,
    expires: dt.datetime | None = None,
    order_type: str = "dvpo",
) -> OrderGranted:
    conditions: list[Condition] = []
    if no_contact:
        conditions.append(Condition("no_contact"))
    if zone is not None:
        conditions.append(Condition("exclusion_zone", zone[0], float(zone[1])))
    return OrderGranted(
        at=at_,
        order=ref,
        order_type=order_type,
        protected=tuple(protected),
        subject=subject,
        conditions=tuple(conditions),
        expires=expires,
    )


def point_at(place: Place, metres: float, azimuth: float = 45.0) -> tuple[float, float]:
    """The point `metres` from `place` along the geodesic leaving at `azimuth`."""
    return geo.destination(place.lat, place.lon, azimuth, metres)


def levels(outcome: Outcome, victim: str = "V", subject: str | None = "P") -> list[tuple[dt.datetime, str, str]]:
    return [(c.at, c.level, c.source) for c in outcome.risk if c.victim == victim and c.subject == subject]


def same_instant(a: dt.datetime | None, b: dt.datetime) -> bool:
    """Equal as instants (Python compares same-tzinfo datetimes by wall clock)."""
    assert a is not None
    return a.astimezone(UTC) == b.astimezone(UTC)
