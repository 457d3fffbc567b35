"""Which person records of a timeline are one human being, for the replay.

The linkage model (`vigil.people.linkage.link_records`) decides when it is installed. If it
cannot be imported, records are linked only on an exact match of the normalised full name
(or an alias) and the full date of birth, which never links two people wrongly but misses
spelling variants.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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


def normalise_name(name: str) -> str:
    """Lower case, accents and punctuation dropped, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in letters.casefold())
    return " ".join(cleaned.split())


def _linkage_module() -> Any | None:
    try:
        from vigil.people import linkage  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    if not all(hasattr(linkage, name) for name in ("link_records", "PersonRecord", "closed_set_prior")):
        return None
    return linkage


def linkage_available() -> bool:
    return _linkage_module() is not None


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
    module = _linkage_module()
    order = {ref: i for i, ref in enumerate(people)}
    if module is not None:
        records = [_record(module, person, places) for person in people.values()]
        found = [
            Link(tuple(group.refs), str(group.reason), float(getattr(group, "score", 1.0)))
            # A timeline is one closed account of a few people: its own prior, not a force's.
            for group in module.link_records(records, prior=module.closed_set_prior(len(records)), context=context)
        ]
    else:
        found = exact_links(people.values())
    return _tidy(found, order)


def exact_links(people: Iterable[Person]) -> list[Link]:
    """Records whose normalised name (or an alias) and full date of birth are the same."""
    parent: dict[str, str] = {}

    def find(ref: str) -> str:
        while parent.setdefault(ref, ref) != ref:
            ref = parent[ref]
        return ref

    by_key: dict[tuple[str, str], str] = {}
    for person in people:
        find(person.ref)
        if not person.born or len(person.born) != 10:
            continue
        for name in (person.name, *person.aliases):
            key = (normalise_name(name), person.born)
            if not key[0]:
                continue
            other = by_key.setdefault(key, person.ref)
            if other != person.ref:
                parent[find(person.ref)] = find(other)
    groups: dict[str, list[str]] = {}
    for ref in parent:
        groups.setdefault(find(ref), []).append(ref)
    return [
        Link(tuple(refs), "same name and date of birth (exact match after normalising the name)")
        for refs in groups.values()
        if len(refs) > 1
    ]


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


def _record(module: Any, person: Person, places: Mapping[str, Place]) -> Any:
    # A place's label ("victim's home") is not an address, so only its position is given.
    coords: tuple[tuple[float, float], ...] = ()
    if person.home and person.home in places:
        home = places[person.home]
        coords = ((home.lat, home.lon),)
    return module.PersonRecord(
        ref=person.ref,
        name=person.name,
        aliases=tuple(person.aliases),
        born=person.born,
        sex=person.sex,
        places=coords,
    )
