"""A small multi-agency world for the MARAC tests (synthetic names only).

area North: team North A with an officer (also the police's MARAC representative)
agencies: Police, Housing (a housing officer and a housing lead), Children's services,
          Health (which does not attend)
the MARAC coordinator; a fortnightly MARAC in North, the first 10 days from now
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tests.factories import AreaFactory, PersonFactory, TeamFactory, UserFactory
from vigil.cases.models import Case
from vigil.cases.services import assessment_record, case_open, report_record
from vigil.core import times
from vigil.core.constants import Role
from vigil.marac.models import MaracMeeting
from vigil.marac.services import meetings_schedule
from vigil.partners.models import Agency, AgencyMember


@dataclass
class Marac:
    area: Any
    officer: Any
    coordinator: Any
    housing: Any
    housing_lead: Any
    childrens: Any
    health: Any
    agencies: dict[str, Agency]
    meetings: list[MaracMeeting]


def member(agency: Agency, user: Any, *, lead: bool = False) -> Any:
    AgencyMember.objects.create(user=user, agency=agency, lead=lead)
    return user


def build_marac(*, first_in: dt.timedelta = dt.timedelta(days=10)) -> Marac:
    area = AreaFactory(name="North")
    team = TeamFactory(area=area, name="North A")
    agencies = {
        "police": Agency.objects.create(name="Northshire Police", kind="police"),
        "housing": Agency.objects.create(name="Northshire Homes", kind="housing"),
        "childrens": Agency.objects.create(name="Northshire Children's Services", kind="childrens_services"),
        "health": Agency.objects.create(name="Northshire Health Visiting", kind="health"),
    }
    officer = member(agencies["police"], UserFactory(username="m-officer", role=Role.OFFICER, team=team))
    coordinator = UserFactory(
        username="m-coordinator", role=Role.MARAC_COORDINATOR, team=None, first_name="Ola", last_name="Coord"
    )
    housing = member(
        agencies["housing"], UserFactory(username="m-housing", role=Role.HOUSING, team=None, first_name="Hana", last_name="Holt")
    )
    housing_lead = member(agencies["housing"], UserFactory(username="m-housing-lead", role=Role.HOUSING, team=None), lead=True)
    childrens = member(agencies["childrens"], UserFactory(username="m-childrens", role=Role.CHILDRENS_SERVICES, team=None))
    health = member(agencies["health"], UserFactory(username="m-health", role=Role.HEALTH, team=None))
    meetings = meetings_schedule(
        actor=coordinator,
        area=area,
        first_at=times.now() + first_in,
        every_days=14,
        count=3,
        location="Northshire Civic Centre, room 2",
        agencies=[agencies["police"], agencies["housing"], agencies["childrens"]],
    )
    return Marac(area, officer, coordinator, housing, housing_lead, childrens, health, agencies, meetings)


def high_risk_case(officer: Any, *, victim: Any = None, subject: Any = None, at: dt.datetime | None = None) -> Case:
    """A case made high by a DASH of 15: R3 asks for a MARAC referral."""
    case = case_open(
        actor=officer,
        victim=victim or PersonFactory(full_name="Imogen Rusk"),
        subject=subject or PersonFactory(full_name="Callum Strode"),
        team=officer.team,
        allocate=[officer],
    )
    t0 = at or times.now() - dt.timedelta(hours=6)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0)
    answers = {n: ("yes" if n <= 15 else "no") for n in range(1, 25)}
    assessment_record(actor=officer, case=case, instrument="dash", answers=answers, completed_at=t0 + dt.timedelta(hours=1))
    case.refresh_from_db()
    return case
