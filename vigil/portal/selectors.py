"""Reads for the portal pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from vigil.cases.access import cases_for_user
from vigil.cases.models import Case
from vigil.core.constants import PlaceKind, RelationshipKind
from vigil.people.models import Person, Place, Relationship
from vigil.portal.models import Helpline, PortalSubmission, ReportingAccess


def helplines_search(q: str = "") -> QuerySet[Helpline]:
    helplines = Helpline.objects.filter(active=True)
    for word in q.split()[:8]:
        helplines = helplines.filter(
            Q(name__icontains=word)
            | Q(for_whom__icontains=word)
            | Q(notes__icontains=word)
            | Q(phone__icontains=word)
            | Q(opening_hours__icontains=word)
        )
    return helplines


def reporter_choices(case: Case) -> list[tuple[str, str]]:
    """The victim, and family or household members recorded with them."""
    family = (RelationshipKind.FAMILY, RelationshipKind.HOUSEHOLD)
    related = Relationship.objects.filter(Q(a=case.victim) | Q(b=case.victim), kind__in=family).select_related("a", "b")
    people: dict[int, Person] = {}
    for rel in related:
        other = rel.b if rel.a_id == case.victim_id else rel.a
        if other.pk != case.subject_id:
            people[other.pk] = other
    choices = [(str(case.victim.pk), f"{case.victim.full_name} (the victim)")]
    choices += [(str(p.pk), f"{p.full_name} (family)") for p in sorted(people.values(), key=lambda p: p.full_name)]
    return choices


def access_for_case(case: Case) -> QuerySet[ReportingAccess]:
    return ReportingAccess.objects.filter(case=case).select_related("reporter", "issued_by")


def submissions_for_case(case: Case) -> QuerySet[PortalSubmission]:
    return PortalSubmission.objects.filter(case=case).select_related("access__reporter")


def submissions_for_user(user: Any) -> QuerySet[PortalSubmission]:
    return PortalSubmission.objects.filter(case__in=cases_for_user(user)).select_related("case", "access__reporter")


def reporter_places(access: ReportingAccess) -> list[tuple[Place, str]]:
    """The places a reporter can choose by name, so where it happened is known without a
    map: the victim's home and work, the schools of children in her household, and the
    reporter's own home. In the reporter's words; never an address (a home may be a refuge)."""
    case = access.case
    victim = case.victim
    is_victim = access.reporter_id == victim.pk
    choices: list[tuple[Place, str]] = []
    seen: set[int] = set()

    def add(place: Place | None, words: str) -> None:
        if place is not None and place.pk not in seen:
            seen.add(place.pk)
            choices.append((place, words))

    add(victim.home, "At or near my home" if is_victim else "At or near the home of the person you are reporting for")
    if not is_victim:
        add(access.reporter.home, "At or near your home")
    for work in Place.objects.filter(person=victim, kind=PlaceKind.WORK).order_by("pk"):
        add(work, "At or near my work" if is_victim else "At or near their work")
    household = Relationship.objects.filter(
        Q(a=victim) | Q(b=victim), kind__in=(RelationshipKind.HOUSEHOLD, RelationshipKind.FAMILY)
    ).values_list("a_id", "b_id")
    children = {pid for pair in household for pid in pair} - {victim.pk, case.subject_id}
    for school in Place.objects.filter(person_id__in=children, kind=PlaceKind.SCHOOL).order_by("label", "pk"):
        add(school, f"At or near the school: {school.label}" if school.label else "At or near a child's school")
    return choices
