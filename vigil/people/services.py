from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.audit.services import create_audited
from vigil.core.constants import BirthPrecision, LinkStatus, PlaceKind, RelationshipKind, Sex
from vigil.people.models import Person, PersonAlias, Place, Relationship


def parse_born(born: str | dt.date | None) -> tuple[str, dt.date | None, int | None]:
    """Read a date of birth that may be full (YYYY-MM-DD), a year (YYYY) or unknown."""
    if born is None or born == "":
        return BirthPrecision.UNKNOWN, None, None
    if isinstance(born, dt.date):
        return BirthPrecision.FULL, born, born.year
    text = born.strip()
    if len(text) == 4 and text.isdigit():
        return BirthPrecision.YEAR, None, int(text)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"born": f"date of birth must be YYYY-MM-DD, YYYY or empty, got {born!r}"}) from None
    return BirthPrecision.FULL, day, day.year


def place_create(
    *,
    actor: Any,
    address: str,
    kind: str = PlaceKind.OTHER,
    label: str = "",
    lat: float | None = None,
    lon: float | None = None,
    person: Person | None = None,
    protected: bool = False,
) -> Place:
    with transaction.atomic():
        place = Place(
            address=address,
            kind=kind,
            label=label,
            lat=lat,
            lon=lon,
            person=person,
            protected=protected,
            created_at=timezone.now(),
        )
        return create_audited(place, actor=actor, action="place.create")


def person_create(
    *,
    actor: Any,
    full_name: str,
    born: str | dt.date | None = None,
    sex: str = Sex.UNKNOWN,
    home: Place | None = None,
    aliases: Sequence[str] = (),
    is_police_staff: bool = False,
    ref: str = "",
    link: bool = True,
) -> Person:
    """Record a person as written down, then look for records of the same human. With
    `link=False` the record is indexed for later matching but not linked now (an import
    whose links are decided for the file as a whole, `vigil import timeline`)."""
    precision, born_on, born_year = parse_born(born)
    with transaction.atomic():
        person = Person(
            full_name=" ".join(full_name.split()),
            birth_precision=precision,
            born_on=born_on,
            born_year=born_year,
            sex=sex,
            home=home,
            is_police_staff=is_police_staff,
            ref=ref,
            created_at=timezone.now(),
        )
        create_audited(person, actor=actor, action="person.create")
        for alias in dict.fromkeys(a.strip() for a in aliases if a.strip()):
            create_audited(PersonAlias(person=person, name=alias), actor=actor, action="person.alias_add")
        from vigil.people.linking import index_person, link_new_person

        if not link:
            index_person(person)
            return person
        links = link_new_person(person, actor=actor)
        joined = {pid for link in links if link.status == LinkStatus.AUTO for pid in (link.a_id, link.b_id)}
        if joined:
            # The new record may join records already in cases into one person (R9 and the
            # pairs' history): the policy looks again at everyone it now joins.
            from vigil.actions.live import policy_reevaluate

            policy_reevaluate(person_ids=joined)
    return person


def relationship_create(
    *,
    actor: Any,
    a: Person,
    b: Person,
    kind: str = RelationshipKind.ACQUAINTANCE,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Relationship:
    with transaction.atomic():
        return create_audited(
            Relationship(a=a, b=b, kind=kind, since=since, until=until), actor=actor, action="relationship.create"
        )
