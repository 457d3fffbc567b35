"""While an officer types a name and a date of birth: the existing person records the linker
would link to (or send for review), with the model's reasons in words.

Only records the officer may see are offered (`persons_for_user`: people on cases they may
see, and records linked to them), and of each only what they may see: the cases through
`cases_for_user`, a home through `place_display` (a protected address is never shown). Each
search is audited as a read, with the records it showed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from vigil.audit.services import audit_record, encrypted_digest
from vigil.cases.access import PlaceDisplay, cases_for_user, persons_for_user, place_display
from vigil.cases.models import Case
from vigil.core.constants import BirthPrecision
from vigil.people.linkage import PersonRecord
from vigil.people.linking import search
from vigil.people.models import Person

MAX_SHOWN = 5
LINK_WORDS = {"link": "Very likely the same person", "review": "Possibly the same person"}


@dataclass
class CaseRole:
    case: Case
    role: str  # "victim" or "suspect"


@dataclass
class Suggestion:
    person: Person
    likelihood: str
    probability: float
    reasons: list[str]
    cases: list[CaseRole] = field(default_factory=list)
    home: PlaceDisplay | None = None


def born_text(day: int | None, month: int | None, year: int | None) -> str | None:
    """A date of birth for the linker: 'YYYY-MM-DD', 'YYYY' or None."""
    if year and month and day:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if year:
        return f"{year:04d}"
    return None


def person_suggestions(
    user: Any,
    *,
    full_name: str,
    born: str | None = None,
    sex: str = "unknown",
    aliases: tuple[str, ...] = (),
    near: tuple[float, float] | None = None,
    address: str = "",
    purpose: str = "intake",
) -> list[Suggestion]:
    """The visible records the linker matches to what was typed, strongest first (at most
    MAX_SHOWN). The search is audited as a read."""
    name = " ".join(full_name.split())
    if len(name) < 2:
        return []
    record = PersonRecord(
        ref="typed",
        name=name,
        aliases=aliases,
        born=born,
        sex=sex or "unknown",
        places=(near,) if near else (),
        addresses=(address,) if address else (),
    )
    matches = search(record).matches
    visible_ids = set(persons_for_user(user).filter(pk__in=[pk for pk, _ in matches]).values_list("pk", flat=True))
    shown = [(pk, result) for pk, result in matches if pk in visible_ids][:MAX_SHOWN]
    people = Person.objects.select_related("home").prefetch_related("aliases").in_bulk([pk for pk, _ in shown])
    cases = list(
        cases_for_user(user)
        .filter(Q(victim_id__in=people) | Q(subject_id__in=people))
        .select_related("victim", "subject")
        .order_by("-created_at")
    )
    suggestions = []
    for pk, result in shown:
        person = people[pk]
        on = [CaseRole(c, "victim" if c.victim_id == pk else "suspect") for c in cases if pk in (c.victim_id, c.subject_id)]
        home = place_display(user, on[0].case, person.home) if on and person.home_id else None
        suggestions.append(
            Suggestion(
                person=person,
                likelihood=LINK_WORDS.get(result.decision, "Possibly the same person"),
                probability=result.probability,
                reasons=list(result.evidence),
                cases=on,
                home=home,
            )
        )
    with transaction.atomic():
        audit_record(
            actor=user,
            action="person.search",
            object_type="people.person",
            object_id="search",
            new={
                "purpose": purpose,
                "typed": encrypted_digest(f"{name}|{born or ''}"),
                "shown": [s.person.pk for s in suggestions],
            },
        )
    return suggestions


def birth_parts(person: Person) -> tuple[int | None, int | None, int | None]:
    if person.birth_precision == BirthPrecision.FULL and person.born_on:
        return person.born_on.day, person.born_on.month, person.born_on.year
    if person.birth_precision == BirthPrecision.YEAR:
        return None, None, person.born_year
    return None, None, None
