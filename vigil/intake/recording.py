"""From what the pages read to the services' arguments: places chosen from a list or typed,
people chosen from the case, and the two times of a fact."""

from __future__ import annotations

import datetime as dt
from typing import Any

from vigil.cases.models import Case, Report
from vigil.cases.services import report_record
from vigil.core.constants import PlaceKind
from vigil.core.times import Happened
from vigil.core.when import DAY, MOMENT, SAME, WINDOW
from vigil.intake.journey import Intake, ReportEntry
from vigil.people.models import Person, Place
from vigil.people.place_form import PlaceInput
from vigil.people.services import person_create, place_create


def happened_from(data: dict[str, Any], reported_at: dt.datetime) -> Happened:
    """The services' `Happened` from what the form read (vigil.core.when): at the time the
    police were told, at a moment, between two moments, on a day or some day of a run, or
    not known."""
    kind = data.get("kind", SAME)
    if kind == SAME:
        return Happened.at(reported_at)
    if kind == MOMENT and data.get("start"):
        return Happened.at(dt.datetime.fromisoformat(data["start"]))
    if kind == WINDOW and data.get("start") and data.get("end"):
        return Happened.between(dt.datetime.fromisoformat(data["start"]), dt.datetime.fromisoformat(data["end"]))
    if kind == DAY and data.get("day"):
        last = dt.date.fromisoformat(data["last_day"]) if data.get("last_day") else None
        return Happened.on(dt.date.fromisoformat(data["day"]), last)
    return Happened()


def fact_times(reported_at: dt.datetime, happened: dict[str, Any]) -> dict[str, Any]:
    """The services' time arguments for a fact the police were told of at `reported_at`."""
    return {"reported_at": reported_at, "happened": happened_from(happened, reported_at)}


def place_from_input(actor: Any, place: PlaceInput | None, *, label: str, kind: str = PlaceKind.OTHER) -> Place | None:
    """A place typed on a form. A place that is not a home is named by what the officer typed
    ("the corner of Mill Lane"), which is how the policy's reasons will read it; `label` is
    the fallback when only a postcode or a pin was given."""
    if place is None:
        return None
    named = place.address[:150] if place.address and kind != PlaceKind.HOME and not place.protected else ""
    return place_create(
        actor=actor,
        address=place.full_address or label,
        kind=kind,
        label=named or label,
        lat=place.lat,
        lon=place.lon,
        protected=place.protected,
    )


def first_report_record(*, actor: Any, case: Case, entry: ReportEntry, household: list[Person], intake: Intake) -> Report:
    victim, suspect = case.victim, case.subject
    places: dict[str, Place | None] = {
        "victim_home": victim.home,
        "suspect_home": suspect.home if suspect else None,
        "victim_work": victim.regular_places.filter(kind=PlaceKind.WORK).order_by("-pk").first(),
        "unknown": None,
    }
    if entry.where == "other":
        place = place_from_input(actor, PlaceInput.from_data(entry.place) if entry.place else None, label="where it happened")
    else:
        place = places.get(entry.where)
    if entry.reported_by == "victim":
        reporter: Person | None = victim
    elif entry.reported_by.startswith("household:"):
        reporter = household[int(entry.reported_by.split(":", 1)[1])]
    else:
        reporter = person_create(actor=actor, full_name=entry.reporter_name)
    children = [household[i] for i in entry.children_present if 0 <= i < len(household)]
    reported_at = entry.reported_moment
    assert reported_at is not None
    return report_record(
        actor=actor,
        case=case,
        category=entry.category,
        place=place,
        reported_by=reporter,
        children_present=children,
        summary=entry.summary,
        **fact_times(reported_at, entry.happened),
    )
