"""The partner agencies' part of the demo: a separate step after the police demo
(`vigil.core.demo.build_demo` calls `build_partner_demo`). Synthetic names only.

- agencies, with the demo's police and IDVA users joining theirs, and one user per partner
  role (the MARAC coordinator, children's services, health, housing, probation);
- the synthetic schools file (`vigil/schools/data/demo-gias.csv`), key adults for all but one
  school, and a school for most of the demo's children (not all: one child's school is left
  for an officer to find);
- fortnightly MARAC meetings in each area; high-risk cases with an open MARAC referral are
  referred onto the first agenda in North Area, which is circulated, with research and an
  action plan;
- Clare's Law: a Right to Ask waiting for its decision, and a third party's request decided
  (disclose) with its disclosure meeting.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from vigil.actions.live import deferred_policy
from vigil.actions.models import Action
from vigil.cases.models import Case
from vigil.core.constants import ActionKind, ActionStatus, PlaceKind, Role
from vigil.core.models import Area, User
from vigil.core.otp import ensure_demo_totp
from vigil.core.times import clock_at, now
from vigil.partners.models import Agency, AgencyKind, AgencyMember
from vigil.people.models import Place

if TYPE_CHECKING:
    from vigil.core.demo import DemoBuilder

DEMO_SCHOOLS = Path(__file__).resolve().parent.parent / "schools" / "data" / "demo-gias.csv"
DEMO_EMAIL_DOMAIN = "vigil-demo.invalid"

AGENCIES = {
    "police": ("Northshire Police", AgencyKind.POLICE),
    "idva": ("Northshire IDVA Service", AgencyKind.IDVA),
    "childrens": ("Northshire Children's Services", AgencyKind.CHILDRENS_SERVICES),
    "health": ("Northshire Community Health", AgencyKind.HEALTH),
    "housing": ("Northshire Homes", AgencyKind.HOUSING),
    "probation": ("Probation Service, Northshire", AgencyKind.PROBATION),
}
# username, role, display name, agency (key of AGENCIES)
PARTNER_USERS: list[tuple[str, str, str, str | None]] = [
    ("marac", Role.MARAC_COORDINATOR, "Ola Adeyemi", None),
    ("childrens", Role.CHILDRENS_SERVICES, "Sian Pritchard", "childrens"),
    ("health", Role.HEALTH, "Amal Rashid", "health"),
    ("housing", Role.HOUSING, "Lee Barton", "housing"),
    ("probation", Role.PROBATION, "Kofi Mensah", "probation"),
]
# Demo police and IDVA users and the agency each acts for (a lead is the agency's line).
MEMBERS = {"officer": ("police", False), "officer2": ("police", False), "supervisor": ("police", True), "idva": ("idva", True)}


def partner_logins() -> list[tuple[str, str, str]]:
    from vigil.core.demo import demo_password

    return [(u, demo_password(u), Role(r).label) for u, r, _, _ in PARTNER_USERS]


def build_partner_demo(builder: DemoBuilder) -> None:
    """Every service reads the demo's own "now" (`builder.anchor`), as the police demo does."""
    with clock_at(builder.anchor):
        with transaction.atomic():
            agencies = _agencies_and_people(builder)
            _schools(builder)
        with transaction.atomic(), deferred_policy(at=builder.anchor):
            _marac(builder, agencies)
        with transaction.atomic(), deferred_policy(at=builder.anchor):
            _clares_law(builder)
    from vigil.notifications.producers import start_cursor

    start_cursor()  # the demo's history is not mailed out; what happens from now on is


def _agencies_and_people(builder: DemoBuilder) -> dict[str, Agency]:
    from vigil.core.demo import demo_password

    agencies = {
        key: Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0] for key, (name, kind) in AGENCIES.items()
    }
    for username, role, display, agency_key in PARTNER_USERS:
        first, _, last = display.partition(" ")
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "first_name": first, "last_name": last, "team": None}
        )
        if created:
            user.set_password(demo_password(username))
            user.save()
        ensure_demo_totp(user)
        if agency_key:
            AgencyMember.objects.get_or_create(user=user, defaults={"agency": agencies[agency_key], "lead": True})
    for username, (agency_key, lead) in MEMBERS.items():
        member = User.objects.filter(username=username).first()
        if member is not None:
            AgencyMember.objects.get_or_create(user=member, defaults={"agency": agencies[agency_key], "lead": lead})
    for user in User.objects.filter(email=""):
        user.email = f"{user.username}@{DEMO_EMAIL_DOMAIN}"
        user.save(update_fields=["email"])
    return agencies


def _schools(builder: DemoBuilder) -> None:
    """The synthetic GIAS file, a key adult for every open school but one, and a school for most
    of the demo's children (by age: primary to 11, then secondary)."""
    from vigil.schools.gias import schools_load
    from vigil.schools.models import ChildSchool, KeyAdult, School

    schools_load(DEMO_SCHOOLS, actor="demo")
    open_schools = list(School.objects.filter(open=True).order_by("urn"))
    for school in open_schools:
        if school.urn == 990009:  # Tarn Hill: no key adult yet, so its notices show what is missing
            continue
        KeyAdult.objects.get_or_create(
            school=school,
            active=True,
            defaults={
                "name": builder.fake.name(),
                "email": f"encompass.{school.urn}@school-demo.invalid",
                "phone": f"01632 96{school.urn % 10000:04d}",
            },
        )
    primary = [s for s in open_schools if s.phase in ("Primary", "All-through", "Not applicable")]
    secondary = [s for s in open_schools if s.phase in ("Secondary", "All-through")]
    today = builder.anchor.date()
    children = Place.objects.filter(kind=PlaceKind.SCHOOL, person__isnull=False).select_related("person").order_by("pk")
    for place in children:
        child = place.person
        assert child is not None
        age = child.age_on(today)
        if age is None or not 4 <= age <= 17 or builder.rng.random() < 0.15:
            continue  # some children's schools are not known: an officer finds them
        choices = primary if age < 11 else secondary
        ChildSchool.objects.get_or_create(
            child=child, ended_at=None, defaults={"school": builder.rng.choice(choices), "recorded_at": now()}
        )


def _marac(builder: DemoBuilder, agencies: dict[str, Agency]) -> None:
    """Fortnightly meetings in each area; a few high-risk cases referred onto North Area's first
    agenda, circulated, with research and an action plan."""
    from vigil.marac.services import agenda_circulate, marac_refer, meetings_schedule, plan_action_add, research_record

    coordinator = User.objects.get(username="marac")
    first_day = builder.anchor.date() + dt.timedelta(days=3)
    first_day += dt.timedelta(days=(3 - first_day.weekday()) % 7)  # MARAC meets on Thursdays
    for area in Area.objects.order_by("name"):
        first = dt.datetime.combine(first_day, dt.time(10, 0), tzinfo=builder.anchor.tzinfo)
        meetings_schedule(
            actor=coordinator,
            area=area,
            first_at=first,
            every_days=14,
            count=6,
            location=f"{area.name} civic centre, committee room 2 (or by video)",
            agencies=list(agencies.values()),
        )
    north = Area.objects.filter(name="North Area").first()
    waiting = (
        Action.objects.filter(kind=ActionKind.REFER_MARAC, status=ActionStatus.OPEN, case__team__area=north)
        .select_related("case", "owner")
        .order_by("due_at")
    )
    referred: list[Any] = []
    for action in waiting:
        if len(referred) == 4:
            break
        case: Case = action.case
        if any(r.case_id == case.pk for r in referred) or action.owner is None:
            continue
        referred.append(
            marac_refer(
                actor=action.owner,
                case=case,
                reason="High risk after the latest incident; the victim is frightened for the children. "
                "Agencies are asked for what they know of the household.",
                judgement="The risk has escalated since the last incident and she is frightened to be at home.",
            )
        )
    if not referred or referred[0].meeting is None:
        return
    meeting = referred[0].meeting
    agenda_circulate(actor=coordinator, meeting=meeting)
    housing, childrens = User.objects.get(username="housing"), User.objects.get(username="childrens")
    research_record(actor=housing, referral=referred[0], text="Joint tenancy; two reports of damage to the front door this year.")
    research_record(actor=childrens, referral=referred[0], text="Both children known; a child in need plan closed last spring.")
    plan_action_add(
        actor=coordinator,
        referral=referred[0],
        owner=housing,
        description="Offer the sanctuary scheme and change the locks.",
        due_at=builder.anchor + dt.timedelta(days=10),
    )
    plan_action_add(
        actor=coordinator,
        referral=referred[0],
        owner=childrens,
        description="Strategy discussion about the children within five working days.",
        due_at=builder.anchor + dt.timedelta(days=7),
    )


def _clares_law(builder: DemoBuilder) -> None:
    from vigil.disclosure.services import disclosure_decide, disclosure_meeting_record, disclosure_request_record

    officer = User.objects.get(username="officer")
    cases = list(Case.objects.filter(team=officer.team, subject__isnull=False, sensitive=False).order_by("pk")[:2])
    if len(cases) < 2:
        return
    disclosure_request_record(
        actor=officer,
        case=cases[0],
        route="right_to_ask",
        applicant_kind="person_at_risk",
        reported_at=builder.anchor - dt.timedelta(days=9),
        concerns="He has told her his last partner 'made things up' about him.",
    )
    decided = disclosure_request_record(
        actor=officer,
        case=cases[1],
        route="right_to_ask",
        applicant_kind="third_party",
        third_party_name=builder.fake.name_female(),
        applicant_relationship="mother",
        reported_at=builder.anchor - dt.timedelta(days=20),
        concerns="Her daughter's new partner has a history she has heard about from neighbours.",
    )
    disclosure_decide(
        actor=officer,
        request=decided,
        outcome="disclose",
        rationale="Reports by other victims and a restraining order: disclosure is necessary and proportionate.",
        decided_at=builder.anchor - dt.timedelta(days=6),
    )
    disclosure_meeting_record(
        actor=officer,
        request=decided,
        held_at=builder.anchor - dt.timedelta(days=5),
        present="PC Priya Shah; Jo Marsh (IDVA)",
        disclosed="He has a history of violence towards former partners, including a restraining order.",
        safety_plan="Code word agreed with her mother; silent 999 call explained; IDVA support accepted.",
    )
