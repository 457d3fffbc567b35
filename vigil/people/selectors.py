"""Reads for the person page: one human across every record linked to it.

Access is checked by the caller (`get_person_for_user`); everything here is then narrowed to
what the same user may see: cases through `cases_for_user`, records on restricted cases they
are not named on left out, and places through `place_display`, so a protected address never
reaches the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from vigil.actions.models import Action
from vigil.cases.access import PlaceDisplay, cases_for_user, persons_for_user, place_display
from vigil.cases.models import Case, Flag, Report
from vigil.core.constants import ActionKind, FlagKind
from vigil.people.link_review import decisions_open_to, hidden_persons, links_for_user
from vigil.people.linking import identity_groups, linked_ids
from vigil.people.models import PROTECTED_TEXT, Person, PersonLink, Place


@dataclass(frozen=True)
class ShownPlace:
    kind: str
    shown: PlaceDisplay


@dataclass
class RecordView:
    """One person record as the page shows it."""

    person: Person
    places: list[ShownPlace]
    visible: bool  # may the user open this record's own page


@dataclass
class LinkView:
    link: PersonLink
    inside: bool  # both records are in the group (an active link joins them, directly or not)
    evidence: list[str]
    decisions: list[str]


@dataclass
class VictimView:
    """One victim of the subject, as one human: all their records, and the cases they are on."""

    records: list[Person]
    cases: list[Case]


@dataclass
class SerialView:
    """R9 as the live policy stored it (flags and review actions), and whether the condition
    holds today on the links as they stand (a split can make it stop)."""

    flags: list[Flag] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    victims_now: int = 0
    holds_now: bool = False


def evidence_list(evidence: str) -> list[str]:
    """The model's reason, one item per piece of evidence. Items are joined with "; ", and
    an item may hold "; " inside its brackets ("same year of birth (1985; one record has the
    year only)"), so only separators outside brackets split."""
    items: list[str] = []
    depth, start = 0, 0
    for i, char in enumerate(evidence):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char == ";" and depth == 0:
            items.append(evidence[start:i])
            start = i + 1
    items.append(evidence[start:])
    parts = [item.strip() for item in items if item.strip()]
    # "held for review … because of: a; b" lists its holds after it: keep them in one item.
    held = next((i for i, part in enumerate(parts) if part.startswith("held for review")), None)
    if held is not None:
        parts[held:] = ["; ".join(parts[held:])]
    return parts


def shown_place(user: Any, person: Person, place: Place, cases: list[Case]) -> PlaceDisplay:
    """A place of this record, shown as a case page would show it. A protected address can be
    revealed only through a case the record is on and the user is allocated to."""
    own = [c for c in cases if person.pk in (c.victim_id, c.subject_id)]
    best: PlaceDisplay | None = None
    for case in own:
        shown = place_display(user, case, place)
        if shown.can_reveal or not shown.protected:
            return shown
        best = best or shown
    if best is not None:
        return best
    if place.protected:
        return PlaceDisplay(text=PROTECTED_TEXT, protected=True, can_reveal=False)
    return PlaceDisplay(text=place.address, protected=False, can_reveal=False, lat=place.lat, lon=place.lon)


def record_view(user: Any, person: Person, cases: list[Case], visible_ids: set[int]) -> RecordView:
    places: list[ShownPlace] = []
    if person.home is not None:
        places.append(ShownPlace("Home", shown_place(user, person, person.home, cases)))
    for place in person.regular_places.all():
        places.append(ShownPlace(place.get_kind_display(), shown_place(user, person, place, cases)))
    return RecordView(person=person, places=places, visible=person.pk in visible_ids)


def _victim_views(cases: list[Case], subject_ids: set[int]) -> list[VictimView]:
    """Victims of the subject across the group, one entry per human (linked records together)."""
    as_subject = [c for c in cases if c.subject_id in subject_ids]
    victim_ids = {c.victim_id for c in as_subject}
    groups = identity_groups(victim_ids)
    group_of = {pid: frozenset(g) for g in groups for pid in g}
    by_group: dict[frozenset[int], VictimView] = {}
    for case in as_subject:
        key = group_of.get(case.victim_id, frozenset({case.victim_id}))
        view = by_group.setdefault(key, VictimView(records=[], cases=[]))
        if case.victim not in view.records:
            view.records.append(case.victim)
        view.cases.append(case)
    return list(by_group.values())


def _serial_view(cases: list[Case], subject_ids: set[int]) -> SerialView:
    as_subject = [c.pk for c in cases if c.subject_id in subject_ids]
    flags = list(Flag.objects.filter(case_id__in=as_subject, kind=FlagKind.SERIAL_PERPETRATOR).select_related("case"))
    actions = list(
        Action.objects.filter(case_id__in=as_subject, kind=ActionKind.SERIAL_PERPETRATOR_REVIEW)
        .select_related("case", "owner")
        .order_by("status", "due_at")
    )
    # Today's count over every report naming the subject, so the answer does not depend on
    # which cases this user may see; only the number is shown, never the other victims.
    reported_victims = set(Report.objects.filter(suspect_record_id__in=subject_ids).values_list("victim_record_id", flat=True))
    groups = identity_groups(reported_victims)
    group_of = {pid: min(g) for g in groups for pid in g}
    humans = {group_of.get(pid, pid) for pid in reported_victims}
    return SerialView(flags=flags, actions=actions, victims_now=len(humans), holds_now=len(humans) >= 2)


def person_profile(user: Any, person: Person) -> dict[str, Any]:
    """Everything the person page shows. `person` was loaded through `get_person_for_user`."""
    linked = linked_ids(person)
    hidden = set(hidden_persons(user).filter(pk__in=linked).values_list("pk", flat=True))
    group = linked - (hidden - {person.pk})
    records = list(
        Person.objects.filter(pk__in=group)
        .select_related("home")
        .prefetch_related("aliases", "regular_places")
        .order_by("created_at", "pk")
    )
    cases = list(
        cases_for_user(user)
        .filter(Q(victim_id__in=group) | Q(subject_id__in=group))
        .select_related("victim", "subject", "team")
        .order_by("-risk_changed_at", "-created_at", "-pk")
    )
    visible_ids = set(persons_for_user(user).filter(pk__in=group | _other_ids(cases)).values_list("pk", flat=True))
    this = next(r for r in records if r.pk == person.pk)
    serial = _serial_view(cases, group)
    return {
        "record": record_view(user, this, cases, visible_ids),
        "linked_records": [record_view(user, r, cases, visible_ids) for r in records if r.pk != person.pk],
        "links": _links(user, group),
        "cases": [(case, "Victim" if case.victim_id in group else "Subject") for case in cases],
        "victims": _victim_views(cases, group),
        "serial": serial,
        # The victims and R9 sections are for a person who is a subject; a victim's page leaves them out.
        "is_subject": any(case.subject_id in group for case in cases) or serial.victims_now > 0,
        "visible_ids": visible_ids,
    }


def _other_ids(cases: list[Case]) -> set[int]:
    return {pid for c in cases for pid in (c.victim_id, c.subject_id) if pid}


def _links(user: Any, group: set[int]) -> list[LinkView]:
    """The links inside the group (how the records were joined), and the pairs with records
    outside it that are waiting, rejected or split, where the user may look at them."""
    inside = Q(a_id__in=group, b_id__in=group)
    around = Q(pk__in=links_for_user(user).filter(Q(a_id__in=group) | Q(b_id__in=group)).values("pk"))
    rows = PersonLink.objects.filter(inside | around).select_related("a", "b", "decided_by")
    return [
        LinkView(
            link=link,
            inside=link.a_id in group and link.b_id in group,
            evidence=evidence_list(link.evidence),
            decisions=decisions_open_to(user, link),
        )
        for link in rows.order_by("-score", "created_at", "pk")
    ]
