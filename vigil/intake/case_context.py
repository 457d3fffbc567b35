"""What a case's forms offer: its people, its places, its orders and its warrants, each as the
officer may see them (a protected address is named by its label, never by its text)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from vigil.cases.access import case_places, place_display
from vigil.cases.models import Case
from vigil.core.constants import OrderStatus, PlaceKind, RelationshipKind, WarrantStatus
from vigil.orders.models import ProtectiveOrder
from vigil.people.linking import linked_ids
from vigil.people.models import Person, Place, Relationship
from vigil.warrants.models import Warrant

KIND_WORDS: dict[str, str] = {
    PlaceKind.HOME: "home",
    PlaceKind.WORK: "work",
    PlaceKind.SCHOOL: "school",
    PlaceKind.OTHER: "place",
}


@dataclass(frozen=True)
class CasePerson:
    person: Person
    role: str  # victim, suspect, household, family

    @property
    def words(self) -> str:
        role = {"victim": "the victim", "suspect": "the suspect", "household": "household", "family": "family"}[self.role]
        return f"{self.person.full_name} ({role})"


def case_people(case: Case) -> list[CasePerson]:
    """The victim, the suspect, and the people recorded as the victim's (or the suspect's)
    household or family, in that order."""
    people = [CasePerson(case.victim, "victim")]
    if case.subject is not None:
        people.append(CasePerson(case.subject, "suspect"))
    adults = [p for p in (case.victim_id, case.subject_id) if p]
    kinds = (RelationshipKind.HOUSEHOLD, RelationshipKind.FAMILY)
    seen = set(adults)
    for rel in (
        Relationship.objects.filter(Q(a_id__in=adults) | Q(b_id__in=adults), kind__in=kinds)
        .select_related("a", "b")
        .order_by("pk")
    ):
        other = rel.b if rel.a_id in adults else rel.a
        if other.pk not in seen:
            seen.add(other.pk)
            people.append(CasePerson(other, rel.kind))
    return people


def place_words(user: Any, case: Case, place: Place, owners: dict[int, str]) -> str:
    """'Samira Haddou's home: 14 Mill Lane, VG1 1AA', or '... (protected address)'."""
    owner = owners.get(place.pk, "")
    name = f"{owner}'s {KIND_WORDS.get(place.kind, 'place')}" if owner else (place.label or KIND_WORDS.get(place.kind, "place"))
    if place.kind == PlaceKind.SCHOOL and place.label:
        name = f"{place.label} ({owner}'s school)" if owner else place.label
    shown = place_display(user, case, place)
    if shown.protected:
        return f"{name} (protected address)"
    return f"{name}: {shown.text}" if shown.text and shown.text != name else name


def known_places(user: Any, case: Case) -> list[tuple[Place, str]]:
    """The places a fact on this case may be at: the pair's homes and regular places, the
    household's homes and schools, and places of earlier reports; each with its words."""
    people = case_people(case)
    ids = [p.person.pk for p in people]
    owners: dict[int, str] = {}
    for entry in people:
        if entry.person.home_id:
            owners.setdefault(entry.person.home_id, entry.person.full_name)
    place_ids = set(case_places(case).values_list("pk", flat=True))
    place_ids |= set(Place.objects.filter(Q(residents__in=ids) | Q(person_id__in=ids)).values_list("pk", flat=True))
    place_ids |= fact_places(case)
    places = list(Place.objects.filter(pk__in=place_ids).select_related("person").order_by("pk"))
    for place in places:
        if place.person_id and place.pk not in owners:
            owners[place.pk] = place.person.full_name if place.person else ""
    return [(place, place_words(user, case, place, owners)) for place in places]


def fact_places(case: Case) -> set[int]:
    """Places where something was recorded about the pair: sightings of the suspect, breaches
    of the pair's orders, alarms, intelligence (so 'the corner outside her house' is offered
    again the next time he is seen there)."""
    from vigil.alarms.models import Alarm
    from vigil.cases.models import Intelligence, Sighting
    from vigil.orders.models import Breach

    victims = linked_ids(case.victim)
    found: set[int] = set(Alarm.objects.filter(person_id__in=victims, place__isnull=False).values_list("place_id", flat=True))
    if case.subject is not None:
        subjects = linked_ids(case.subject)
        for model in (Sighting, Intelligence):
            found |= set(model.objects.filter(subject_id__in=subjects, place__isnull=False).values_list("place_id", flat=True))
        orders = ProtectiveOrder.objects.filter(subject_id__in=subjects, protected__in=victims)
        found |= set(Breach.objects.filter(order__in=orders, place__isnull=False).values_list("place_id", flat=True))
    return found


def case_orders(case: Case) -> list[ProtectiveOrder]:
    """Orders protecting the victim (or a linked record of her) from the suspect."""
    if case.subject is None:
        return []
    return list(
        ProtectiveOrder.objects.filter(subject_id__in=linked_ids(case.subject), protected__in=linked_ids(case.victim))
        .distinct()
        .prefetch_related("conditions__place", "protected")
        .order_by("-starts_at", "-pk")
    )


def orders_in_force(case: Case, at: Any = None) -> list[ProtectiveOrder]:
    return [o for o in case_orders(case) if o.status == OrderStatus.IN_FORCE and (at is None or o.in_force_at(at))]


def case_warrants(case: Case, *, outstanding: bool = False) -> list[Warrant]:
    if case.subject is None:
        return []
    qs = Warrant.objects.filter(subject_id__in=linked_ids(case.subject))
    if outstanding:
        qs = qs.filter(status=WarrantStatus.OUTSTANDING)
    return list(qs.order_by("-issued_at", "-pk"))
