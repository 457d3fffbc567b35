"""What the officer has told the intake journey so far, as plain data (kept encrypted in the
draft between pages) and read back into typed entries for the pages and the service."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from vigil.people.place_form import PlaceInput
from vigil.people.suggest import born_text

VICTIM, SUSPECT = "victim", "suspect"
LIVES_WITH = {"victim": "the victim", "suspect": "the suspect", "both": "both"}


@dataclass
class PersonEntry:
    """The victim or the suspect: an existing record the officer picked, or a new one."""

    existing: int | None = None
    full_name: str = ""
    aliases: list[str] = field(default_factory=list)
    day: int | None = None
    month: int | None = None
    year: int | None = None
    sex: str = "unknown"
    police_staff: bool = False
    home: dict[str, Any] | None = None
    work: dict[str, Any] | None = None

    @property
    def born(self) -> str | None:
        return born_text(self.day, self.month, self.year)

    @property
    def home_place(self) -> PlaceInput | None:
        return PlaceInput.from_data(self.home) if self.home else None

    @property
    def work_place(self) -> PlaceInput | None:
        return PlaceInput.from_data(self.work) if self.work else None

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> PersonEntry | None:
        return cls(**data) if data else None


@dataclass
class HouseholdEntry:
    """A child, or another person, living with the victim or the suspect (Operation Encompass)."""

    full_name: str
    day: int | None = None
    month: int | None = None
    year: int | None = None
    sex: str = "unknown"
    lives_with: str = "victim"
    school: str = ""
    school_place: dict[str, Any] | None = None

    @property
    def born(self) -> str | None:
        return born_text(self.day, self.month, self.year)

    def age_on(self, day: dt.date) -> int | None:
        if not (self.year and self.month and self.day):
            return None
        years = day.year - self.year
        if (day.month, day.day) < (self.month, self.day):
            years -= 1
        return years

    @property
    def school_input(self) -> PlaceInput | None:
        return PlaceInput.from_data(self.school_place) if self.school_place else None


@dataclass
class RelationshipEntry:
    kind: str = ""
    since: str | None = None  # ISO date
    until: str | None = None

    @property
    def since_date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.since) if self.since else None

    @property
    def until_date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.until) if self.until else None


@dataclass
class ReportEntry:
    category: str = ""
    reported_at: str = ""  # ISO datetime: when the police were told
    happened: dict[str, Any] = field(default_factory=dict)  # see vigil.intake.times
    where: str = ""  # victim_home, suspect_home, victim_work, other, unknown
    place: dict[str, Any] | None = None
    reported_by: str = "victim"  # victim, household:<index>, other
    reporter_name: str = ""
    children_present: list[int] = field(default_factory=list)  # household indices
    summary: str = ""

    @property
    def reported_moment(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.reported_at) if self.reported_at else None


@dataclass
class Intake:
    victim: PersonEntry | None = None
    suspect_known: bool | None = None
    suspect: PersonEntry | None = None
    relationship: RelationshipEntry | None = None
    household: list[HouseholdEntry] = field(default_factory=list)
    report: ReportEntry | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Intake:
        return cls(
            victim=PersonEntry.from_data(data.get("victim")),
            suspect_known=data.get("suspect_known"),
            suspect=PersonEntry.from_data(data.get("suspect")),
            relationship=RelationshipEntry(**data["relationship"]) if data.get("relationship") else None,
            household=[HouseholdEntry(**h) for h in data.get("household", [])],
            report=ReportEntry(**data["report"]) if data.get("report") else None,
        )

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    def missing(self) -> list[tuple[str, str]]:
        """The steps still to answer, as (step, words), in the journey's order."""
        gaps = []
        if self.victim is None:
            gaps.append(("victim", "the victim"))
        if self.suspect_known is None or (self.suspect_known and self.suspect is None):
            gaps.append(("suspect", "the suspect"))
        if self.report is None:
            gaps.append(("report", "the first report"))
        return gaps
