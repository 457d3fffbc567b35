"""The partner agencies' part of the demo: a separate step after the police demo
(`vigil.demo.data.build_demo` calls `build_partner_demo`). Synthetic names only.

- agencies, with the demo's police and IDVA users joining theirs, and one user per partner
  role (the MARAC coordinator, children's services, health, housing, probation);
- the synthetic schools file (`vigil/schools/data/demo-gias.csv`), key adults for all but one
  school, and a school for most of the demo's children (not all: one child's school is left
  for an officer to find);
- fortnightly MARAC meetings in each area; high-risk cases with an open MARAC referral are
  referred onto the first agenda in North Area, which is circulated, with research and an
  action plan;
- Clare's Law: a Right to Ask waiting for its decision, and a third party's request decided
  (disclose) with its disclosure meeting;
- the IDVA's caseload: each victim the police demo referred (with consent) is referred to the
  demo IDVA at that moment, with contacts, support and safety plans since; support that has
  run its course is closed, one victim withdrew consent, and a recent concern is with the
  police (R14's supervisor review on their board).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction

from vigil.actions.live import deferred_policy
from vigil.actions.models import Action
from vigil.cases.models import Case
from vigil.core.constants import ActionKind, ActionStatus, PlaceKind, Role
from vigil.core.models import Area, User
from vigil.core.otp import ensure_demo_totp
from vigil.core.times import clock_at, now
from vigil.demo.data import DemoBuilder, demo_password
from vigil.disclosure.services import disclosure_decide, disclosure_meeting_record, disclosure_request_record
from vigil.idva.models import ReferralStatus
from vigil.idva.services import casework_record, concern_raise, idva_refer, idva_referral_end
from vigil.marac.services import agenda_circulate, marac_refer, meetings_schedule, plan_action_add, research_record
from vigil.notifications.producers import start_cursor
from vigil.partners.models import Agency, AgencyKind, AgencyMember
from vigil.people.models import Place
from vigil.schools.gias import schools_load
from vigil.schools.models import ChildSchool, KeyAdult, School

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
        with transaction.atomic(), deferred_policy(at=builder.anchor):
            _idva_caseload(builder)
    start_cursor()  # the demo's history is not mailed out; what happens from now on is


def _agencies_and_people(builder: DemoBuilder) -> dict[str, Agency]:
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


# --- the IDVA's caseload -----------------------------------------------------------------

CONSENT_NOTES = [
    "Calls to her mobile only, after 6pm; no letters home.",
    "Happy to be called at any time; text first if possible.",
    "Calls only on her work phone, Monday to Friday.",
    "Prefers to meet in person at the children's centre.",
    "No voicemails: he checks her phone.",
]
FIRST_CONTACTS = [
    "Introduced the service. She is frightened he will come back when he is released; we talked about what support looks like.",
    "First call. She wants help with housing and to understand the court process.",
    "Met at the children's centre. Talked through the risk checklist together; she agreed to a safety plan.",
]
CONTACTS = [
    "Weekly check-in. She says things are calmer; he has not been in touch.",
    "She called: he has been messaging through a friend. Advised to keep screenshots and tell the police.",
    "Check-in call. Court date confirmed; she is anxious about giving evidence.",
    "Spoke about the children's contact arrangements and the handover at the family centre.",
    "She is sleeping better since the locks were changed.",
]
SUPPORT = [
    "Referred to the sanctuary scheme for a lock change and door chain.",
    "Applied for a court support visit (witness service) before the trial.",
    "Housing: supported her homeless application, letter sent to the council.",
    "Referred to the Freedom Programme (starts next month).",
    "Helped her apply for a non-molestation order through a legal aid solicitor.",
]
SAFETY_PLANS = [
    "Code word with her sister for a silent 999 call; spare phone charged and hidden at work; route to school varied.",
    "Bag packed with documents at her mother's; children know to go next door; silent solution (55) explained.",
    "Changes her route to work; her manager knows to call the police if he comes in; panic alarm tested.",
]
CONCERN = (
    "She told me today he has found out where she is staying through her sister's Facebook, and has driven past "
    "twice this week. She is very frightened. Please review the case and whether the alarm and patrols are enough."
)


def _idva_caseload(builder: DemoBuilder) -> None:
    """The referrals the police demo made, recorded now the IDVA service exists, at the moment
    each was made, with the adviser's casework since (each entry at its own time)."""
    idva = User.objects.filter(username="idva").first()
    if idva is None or not builder.idva_referrals:
        return
    rng, anchor = builder.rng, builder.anchor
    cases = Case.objects.in_bulk(list(builder.idva_referrals))
    open_referrals = []
    for number, (case_pk, (actor, at)) in enumerate(sorted(builder.idva_referrals.items(), key=lambda kv: (kv[1][1], kv[0]))):
        with clock_at(at):
            referral = idva_refer(
                actor=actor,
                case=cases[case_pk],
                idva=idva,
                consent_given=True,
                consent_at=at - dt.timedelta(minutes=rng.randint(5, 120)),
                consent_how=rng.choice(["in_person", "phone", "phone", "writing"]),
                consent_note=rng.choice(CONSENT_NOTES),
                reason="High risk. She agreed to be referred to an IDVA for support.",
            )
        # Support runs about three months; one victim withdrew consent early.
        if number == 1 and anchor - at > dt.timedelta(days=20):
            end: tuple[dt.datetime, str, str] | None = (
                at + dt.timedelta(days=12),
                ReferralStatus.WITHDRAWN,
                "She asked for no more contact for now; she knows how to come back to us.",
            )
        else:
            closed = at + dt.timedelta(days=rng.randint(75, 110))
            finished = "Support finished: safety plan in place, she feels safer."
            end = (closed, ReferralStatus.CLOSED, finished) if closed < anchor else None
        for i, moment in enumerate(_casework_moments(rng, at, end[0] if end else anchor)):
            with clock_at(moment):
                _casework(rng, idva, referral, i, moment)
        if end is not None:
            with clock_at(end[0]):
                idva_referral_end(actor=idva, referral=referral, status=end[1], reason=end[2])
        else:
            open_referrals.append(referral)
    # A concern raised a few hours ago, about a high-risk victim the adviser has known a while.
    raised = anchor - dt.timedelta(hours=5)
    known = [r for r in open_referrals if r.recorded_at < raised - dt.timedelta(days=2)]
    if known:
        worried = max(known, key=lambda r: (r.case.risk_level == "high", r.recorded_at))
        with clock_at(raised):
            concern_raise(actor=idva, referral=worried, concern=CONCERN)


def _casework(rng: Any, idva: User, referral: Any, i: int, moment: dt.datetime) -> None:
    def record(kind: str, text: str, **more: Any) -> None:
        casework_record(actor=idva, referral=referral, kind=kind, at=moment, text=text, **more)

    if i == 0 and rng.random() < 0.3:
        record("contact", "Called, no answer. Did not leave a message, as agreed.", channel="attempted")
    elif i <= 1:
        record("contact", rng.choice(FIRST_CONTACTS), channel=rng.choice(["phone", "in_person"]))
        if not referral.casework.filter(kind="safety_plan").exists():
            record("safety_plan", rng.choice(SAFETY_PLANS), review_on=(moment + dt.timedelta(days=28)).date())
    elif (plan := referral.casework.filter(kind="safety_plan").order_by("-at").first()) and (
        plan.review_on and plan.review_on <= moment.date() and rng.random() < 0.8
    ):
        record("safety_plan", "Reviewed with her: " + rng.choice(SAFETY_PLANS), review_on=(moment + dt.timedelta(days=28)).date())
    elif rng.random() < 0.3:
        record("support", rng.choice(SUPPORT))
    else:
        record("contact", rng.choice(CONTACTS), channel=rng.choice(["phone", "phone", "message", "in_person", "video"]))


def _casework_moments(rng: Any, referred: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """When the adviser was in touch: first within a day or two, then every week or two,
    until the referral ends or the demo's now."""
    moments = []
    at = referred + dt.timedelta(hours=rng.randint(3, 30))
    while at < until:
        moments.append(at)
        # A call not answered is tried again the next day or so.
        gap = dt.timedelta(hours=rng.randint(18, 40)) if len(moments) == 1 else dt.timedelta(days=rng.randint(5, 15))
        at += gap + dt.timedelta(hours=rng.randint(-3, 3))
    return moments
