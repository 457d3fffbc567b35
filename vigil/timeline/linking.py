"""Which person records of a timeline are one human being, for the replay.

The linkage model (`vigil.people.linkage.link_records`, pure Python) decides, as it does for
the live system's records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vigil.people import linkage
from vigil.policy.facts import (
    ActionCompleted,
    ActionDeclined,
    ContactAttempt,
    Event,
    OrderGranted,
    Person,
    Place,
    Relationship,
    Report,
    RiskAssessment,
    Sighting,
)


@dataclass(frozen=True)
class Link:
    refs: tuple[str, ...]  # in the file's people order; the first is the canonical ref
    reason: str
    score: float = 1.0


def counterparts(relationships: Iterable[Relationship], events: Iterable[Event]) -> dict[str, frozenset[str]]:
    """Each person ref's counterparts in a timeline: the people a relationship or an event
    names it with (victim and suspect, protected and subject, subject and the person seen
    near). The linkage reads them only to settle a record that fits two people."""
    found: dict[str, set[str]] = {}

    def pair(a: str | None, b: str | None) -> None:
        if a and b and a != b:
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)

    for relationship in relationships:
        pair(relationship.a, relationship.b)
    for event in events:
        if isinstance(event, Report | RiskAssessment):
            pair(event.victim, event.suspect)
        elif isinstance(event, ContactAttempt | ActionCompleted | ActionDeclined):
            pair(event.victim, event.subject)
        elif isinstance(event, OrderGranted):
            for protected in event.protected:
                pair(protected, event.subject)
        elif isinstance(event, Sighting):
            pair(event.subject, event.near)
    return {ref: frozenset(refs) for ref, refs in found.items()}


def link_people(
    people: Mapping[str, Person],
    places: Mapping[str, Place],
    context: Mapping[str, frozenset[str]] | None = None,
) -> list[Link]:
    """Groups of two or more records that are one human, each with its reason. `context` is
    `counterparts(...)` of the timeline."""
    order = {ref: i for i, ref in enumerate(people)}
    records = [_record(person, places) for person in people.values()]
    found = [
        Link(tuple(group.refs), str(group.reason), float(group.score))
        # A timeline is one closed account of a few people: its own prior, not a force's.
        for group in linkage.link_records(records, prior=linkage.closed_set_prior(len(records)), context=context)
    ]
    return _tidy(found, order)


def _tidy(links: list[Link], order: Mapping[str, int]) -> list[Link]:
    """Keep only refs of this file, merge groups that share a record, order by the file."""
    merged: list[tuple[set[str], list[str], float]] = []
    for link in links:
        refs = {r for r in link.refs if r in order}
        if len(refs) < 2:
            continue
        joined = [m for m in merged if m[0] & refs]
        reasons = [link.reason]
        score = link.score
        for m in joined:
            refs |= m[0]
            reasons = m[1] + [r for r in reasons if r not in m[1]]
            score = min(score, m[2])
            merged.remove(m)
        merged.append((refs, reasons, score))
    result = [Link(tuple(sorted(refs, key=lambda r: order[r])), "; ".join(reasons), score) for refs, reasons, score in merged]
    result.sort(key=lambda link: order[link.refs[0]])
    return result


def _record(person: Person, places: Mapping[str, Place]) -> linkage.PersonRecord:
    # A place's label ("victim's home") is not an address, so only its position is given.
    coords: tuple[tuple[float, float], ...] = ()
    if person.home and person.home in places:
        home = places[person.home]
        coords = ((home.lat, home.lon),)
    return linkage.PersonRecord(
        ref=person.ref,
        name=person.name,
        aliases=tuple(person.aliases),
        born=person.born,
        sex=person.sex,
        places=coords,
    )
