"""Writes of the intake journey: the draft between pages, and opening the case.

`intake_submit` does everything in one transaction: the places, the person records (each new
record goes through automatic linking and the review queue, as always), the relationships,
the household, the case, and the first report, then the policy once for everyone touched.
If any part is refused, nothing is kept.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from vigil.actions.live import deferred_policy
from vigil.audit.services import create_audited, update_audited
from vigil.cases.access import cases_for_user, get_rw_person_for_user
from vigil.cases.models import Case
from vigil.cases.services import case_open
from vigil.core.constants import PlaceKind, RelationshipKind, Sex
from vigil.core.models import Team
from vigil.intake.clock import now
from vigil.intake.journey import Intake, PersonEntry
from vigil.intake.models import IntakeDraft
from vigil.people.models import Person, Place
from vigil.people.place_form import PlaceInput
from vigil.people.services import person_create, place_create, relationship_create


def intake_draft_start(*, actor: Any) -> IntakeDraft:
    with transaction.atomic():
        moment = now()
        draft = IntakeDraft(started_by=actor, started_at=moment, updated_at=moment, content=json.dumps({}))
        return create_audited(draft, actor=actor, action="intake.start")


def intake_draft_save(*, actor: Any, draft: IntakeDraft, intake: Intake) -> IntakeDraft:
    if draft.submitted_at is not None:
        raise ValidationError({"draft": "This case has already been opened"})
    with transaction.atomic():
        return update_audited(
            draft,
            actor=actor,
            action="intake.save",
            changes={"content": json.dumps(intake.to_data()), "updated_at": now()},
        )


def _place(actor: Any, place: PlaceInput | None, *, kind: str, label: str, person: Person | None = None) -> Place | None:
    if place is None:
        return None
    return place_create(
        actor=actor,
        address=place.full_address or label,
        kind=kind,
        label=label,
        lat=place.lat,
        lon=place.lon,
        person=person,
        protected=place.protected,
    )


def person_home_set(*, actor: Any, person: Person, home: Place) -> Person:
    """A person's home changes (they moved, or it was not recorded before)."""
    with transaction.atomic():
        return update_audited(person, actor=actor, action="person.home_set", changes={"home": home})


def _person(actor: Any, entry: PersonEntry, *, role: str) -> Person:
    label = f"{role}'s home"
    if entry.existing is not None:
        try:
            person = get_rw_person_for_user(actor, entry.existing)
        except Http404:
            raise ValidationError({role: f"The record chosen for the {role} is no longer one you may see"}) from None
        home = _place(actor, entry.home_place, kind=PlaceKind.HOME, label=label)
        if home is not None:
            person_home_set(actor=actor, person=person, home=home)
    else:
        home = _place(actor, entry.home_place, kind=PlaceKind.HOME, label=label)
        person = person_create(
            actor=actor,
            full_name=entry.full_name,
            born=entry.born,
            sex=entry.sex or Sex.UNKNOWN,
            home=home,
            aliases=entry.aliases,
            is_police_staff=entry.police_staff,
        )
    _place(actor, entry.work_place, kind=PlaceKind.WORK, label=f"{role}'s work", person=person)
    return person


def intake_submit(*, actor: Any, draft: IntakeDraft, team: Team | None = None, restricted: bool = False) -> Case:
    """Open the case the draft describes, with its first report. One transaction."""
    from vigil.intake.recording import first_report_record

    intake = Intake.from_data(draft.data)
    gaps = intake.missing()
    if gaps:
        raise ValidationError({"draft": f"Tell us about {gaps[0][1]} first"})
    if draft.submitted_at is not None:
        raise ValidationError({"draft": "This case has already been opened"})
    team = team or getattr(actor, "team", None)
    if team is None:
        raise ValidationError({"team": "Choose the team that will hold the case"})
    assert intake.victim is not None and intake.report is not None
    with transaction.atomic(), deferred_policy():
        victim = _person(actor, intake.victim, role="victim")
        suspect = _person(actor, intake.suspect, role="suspect") if intake.suspect_known and intake.suspect else None
        if suspect is not None and suspect.pk == victim.pk:
            raise ValidationError({"suspect": "The suspect cannot be the same record as the victim"})
        if suspect is not None and intake.relationship and intake.relationship.kind:
            relationship_create(
                actor=actor,
                a=victim,
                b=suspect,
                kind=intake.relationship.kind,
                since=intake.relationship.since_date,
                until=intake.relationship.until_date,
            )
        household: list[Person] = []
        for member in intake.household:
            adults = [p for p, side in ((victim, "victim"), (suspect, "suspect")) if p and member.lives_with in (side, "both")]
            home = adults[0].home if adults else None
            person = person_create(actor=actor, full_name=member.full_name, born=member.born, sex=member.sex, home=home)
            born = dt.date(member.year, member.month, member.day) if member.year and member.month and member.day else None
            for adult in adults:
                relationship_create(actor=actor, a=adult, b=person, kind=RelationshipKind.HOUSEHOLD, since=born)
            if member.school:
                school = member.school_input or PlaceInput(member.school, "", None, None, "")
                _place(actor, school, kind=PlaceKind.SCHOOL, label=member.school, person=person)
            household.append(person)
        case = _case_for(actor, victim, suspect, team, restricted)
        first_report_record(actor=actor, case=case, entry=intake.report, household=household, intake=intake)
        update_audited(
            draft,
            actor=actor,
            action="intake.submit",
            case_id=case.pk,
            changes={"submitted_at": now(), "updated_at": now(), "case": case},
        )
    return case


def _case_for(actor: Any, victim: Person, suspect: Person | None, team: Team, restricted: bool) -> Case:
    """The pair's case: the existing one if these two records already have one the officer
    may see; a new one otherwise, allocated to the officer."""
    existing = Case.objects.filter(victim=victim, subject=suspect).first()
    if existing is not None:
        if not cases_for_user(actor).filter(pk=existing.pk).exists():
            raise ValidationError(
                {"draft": "These two records already have a restricted case. Ask its officer or a supervisor to add the report."}
            )
        return existing
    return case_open(actor=actor, victim=victim, subject=suspect, team=team, sensitive=restricted, allocate=[actor])
