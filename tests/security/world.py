"""A small force for the security tests: one case seen from every role.

    team North A (area North): officer (allocated to the case), supervisor
    team North B (area North): inspector
    team South (area South):   outsider (an officer who must see nothing of the case)
    force-wide:                superintendent, idva (named on the case, referred with consent),
                               analyst, admin (is_staff)
    partner agencies:          coordinator (the MARAC coordinator), partner (a housing officer
                               whose agency attends the meeting on whose circulated agenda
                               the case is)

The case's victim lives at a protected address (a refuge). There is also a restricted case
(marked sensitive) on which only the officer is named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tests.factories import AreaFactory, PersonFactory, PlaceFactory, TeamFactory, UserFactory
from vigil.actions.models import Action
from vigil.cases.models import Case, CaseAccess, Report
from vigil.core.constants import ActionKind, OrderType, Priority, ReportCategory, Role
from vigil.orders.models import ProtectiveOrder
from vigil.warrants.models import Warrant

ROLES = (
    "anonymous",
    "unverified",
    "officer",
    "supervisor",
    "inspector",
    "superintendent",
    "idva",
    "analyst",
    "admin",
    "outsider",
    "coordinator",
    "partner",
)
STAFF_ROLES = ROLES[2:]


@dataclass
class World:
    users: dict[str, Any]
    case: Case
    restricted: Case
    victim: Any
    subject: Any
    place: Any  # the victim's protected home
    open_place: Any  # the subject's home, not protected
    report: Report
    order: Any
    warrant: Any
    action: Action

    def user(self, role: str) -> Any:
        return self.users[role]


def build_world() -> World:
    now = timezone.now()
    north, south = AreaFactory(name="North"), AreaFactory(name="South")
    team_a, team_b, team_s = TeamFactory(area=north), TeamFactory(area=north), TeamFactory(area=south)
    users = {
        "officer": UserFactory(username="w-officer", role=Role.OFFICER, team=team_a),
        "supervisor": UserFactory(username="w-supervisor", role=Role.SUPERVISOR, team=team_a),
        "inspector": UserFactory(username="w-inspector", role=Role.INSPECTOR, team=team_b),
        "superintendent": UserFactory(username="w-superintendent", role=Role.SUPERINTENDENT, team=None),
        "idva": UserFactory(username="w-idva", role=Role.IDVA, team=None, organisation="Example Advice Service"),
        "analyst": UserFactory(username="w-analyst", role=Role.ANALYST, team=None),
        "admin": UserFactory(username="w-admin", role=Role.ADMIN, team=None, is_staff=True, is_superuser=True),
        "outsider": UserFactory(username="w-outsider", role=Role.OFFICER, team=team_s),
    }
    refuge = PlaceFactory(address="1 Hidden Refuge Lane, Leeds LS1 9ZZ", label="Refuge", protected=True)
    open_place = PlaceFactory(address="22 Ordinary Street, Leeds LS2 1AA")
    victim = PersonFactory(full_name="Maryam Example", home=refuge)
    subject = PersonFactory(full_name="Darren Example", home=open_place)
    case = Case.objects.create(
        reference="VG-SEC-1", victim=victim, subject=subject, team=team_a, referred_with_consent=True, created_at=now
    )
    restricted = Case.objects.create(
        reference="VG-SEC-2",
        victim=PersonFactory(full_name="Restricted Victim"),
        subject=PersonFactory(full_name="Restricted Subject"),
        team=team_a,
        sensitive=True,
        created_at=now,
    )
    CaseAccess.objects.create(case=case, user=users["officer"], allocated=True, granted_at=now)
    CaseAccess.objects.create(case=case, user=users["idva"], allocated=False, granted_at=now)
    CaseAccess.objects.create(case=restricted, user=users["officer"], allocated=True, granted_at=now)
    report = Report.objects.create(
        case=case,
        category=ReportCategory.STALKING,
        reported_at=now - dt.timedelta(days=1),
        victim_record=victim,
        suspect_record=subject,
        summary="Waited outside the school gates.",
        recorded_at=now,
    )
    order = ProtectiveOrder.objects.create(
        reference="ORD-SEC-1",
        order_type=OrderType.SPO,
        subject=subject,
        starts_at=now - dt.timedelta(days=2),
        reported_at=now,
        recorded_at=now,
    )
    order.protected.add(victim)
    warrant = Warrant.objects.create(
        reference="WAR-SEC-1",
        subject=subject,
        reason="Failed to appear at court.",
        issued_at=now,
        reported_at=now,
        recorded_at=now,
    )
    # Built directly, as every object of this access matrix is (who may see which row is the
    # question, not what the policy makes), but a row the policy can make: R3's safety plan for
    # a pair at high risk, due in 24 hours.
    action = Action.objects.create(
        key="sec-world-action",
        case=case,
        kind=ActionKind.SAFETY_PLAN,
        rule="R3",
        reason="High risk: a safety plan is due.",
        victim=victim,
        subject=subject,
        created_at=now,
        due_at=now + dt.timedelta(days=1),
        priority=Priority.HIGH,
        team=team_a,
        owner=users["officer"],
    )
    world = World(users, case, restricted, victim, subject, refuge, open_place, report, order, warrant, action)
    _partner_world(world, now)
    return world


def _partner_world(world: World, now: dt.datetime) -> None:
    """Partner work on the world's case: a Clare's Law request; a MARAC meeting whose circulated
    agenda holds the case, with an action for the housing officer; a notify_school action."""
    from vigil.disclosure.models import DisclosureRequest
    from vigil.marac.models import MaracMeeting, MaracReferral, PlanAction
    from vigil.partners.models import Agency, AgencyMember

    area = world.case.team.area
    world.users["coordinator"] = UserFactory(username="w-coordinator", role=Role.MARAC_COORDINATOR, team=None)
    world.users["partner"] = UserFactory(username="w-partner", role=Role.HOUSING, team=None)
    housing = Agency.objects.create(name="Example Homes", kind="housing")
    AgencyMember.objects.create(user=world.users["partner"], agency=housing)
    meeting = MaracMeeting.objects.create(
        area=area, held_at=now + dt.timedelta(days=3), location="Town hall", circulated_at=now, created_at=now
    )
    meeting.agencies.add(housing)
    # The IDVA's open referral of the world's case, with the victim's consent (vigil.idva).
    from vigil.idva.models import IdvaReferral

    idva_service = Agency.objects.create(name="Example Advice Service", kind="idva")
    AgencyMember.objects.create(user=world.users["idva"], agency=idva_service)
    world.idva_referral = IdvaReferral.objects.create(  # type: ignore[attr-defined]
        case=world.case, agency=idva_service, idva=world.users["idva"], consent_at=now, consent_how="phone", recorded_at=now
    )
    world.referral = MaracReferral.objects.create(  # type: ignore[attr-defined]
        case=world.case, meeting=meeting, referred_at=now, reason="High risk.", recorded_at=now
    )
    world.meeting = meeting  # type: ignore[attr-defined]
    world.school_action = Action.objects.create(  # type: ignore[attr-defined]
        key="sec-world-notify-school",
        case=world.case,
        kind=ActionKind.NOTIFY_SCHOOL,
        rule="R2",
        reason="A child was present: tell the school.",
        victim=PersonFactory(full_name="Child Example"),
        subject=world.subject,
        created_at=now,
        due_at=now + dt.timedelta(hours=10),
        priority=Priority.HIGH,
        team=world.case.team,
        owner=world.users["officer"],
    )
    world.plan_action = PlanAction.objects.create(  # type: ignore[attr-defined]
        referral=world.referral,  # type: ignore[attr-defined]
        agency=housing,
        owner=world.users["partner"],
        description="Sanctuary scheme.",
        due_at=now + dt.timedelta(days=7),
        created_at=now,
    )

    world.disclosure = DisclosureRequest.objects.create(  # type: ignore[attr-defined]
        reference="CL-SEC-1",
        case=world.case,
        route="right_to_ask",
        applicant_kind="person_at_risk",
        applicant=world.victim,
        reported_at=now - dt.timedelta(days=1),
        recorded_at=now,
    )


# --- the marked world: what each role may read, found by searching for unique strings --------

# Case A is on a circulated MARAC agenda, so the coordinator and the attending agency's member
# read it too (tests/marac).
CASE_READERS = frozenset({"officer", "supervisor", "inspector", "superintendent", "idva", "admin", "coordinator", "partner"})


@dataclass(frozen=True)
class Secret:
    """A string that belongs to one object: it may appear only in pages for `readers`."""

    text: str
    readers: frozenset[str]
    what: str


@dataclass
class MarkedWorld(World):
    """The security world plus cases that share case A's subject and must never show through
    case A's pages: a restricted case named to the officer only (`hidden`), and a case of a
    team in another area (`south`). Every name, address, narrative and reference is a unique
    string in `secrets`, with the roles that may read it."""

    hidden: Case | None = None
    south: Case | None = None
    hidden_victim: Any = None
    south_victim: Any = None
    secrets: tuple[Secret, ...] = ()

    def forbidden(self, role: str) -> list[Secret]:
        return [s for s in self.secrets if role not in s.readers]


def build_marked_world() -> MarkedWorld:
    """Build `build_world()` and, through the services (so the audit trail, the policy's actions
    and flags are the real ones), the objects that test what pages say."""
    from vigil.cases.services import case_open, report_record, sighting_record
    from vigil.core.constants import ConditionKind, Sex
    from vigil.orders.services import order_grant
    from vigil.people.services import person_create, place_create
    from vigil.warrants.services import warrant_issue

    base = build_world()
    now = timezone.now()
    officer, outsider = base.user("officer"), base.user("outsider")
    # A protected place without a label: its address must never come out of its __str__.
    secret_close = place_create(actor=officer, address="7 Mksecretclose Lane, Leeds LS7 7ZZ", protected=True, lat=53.8, lon=-1.55)
    from vigil.orders.models import OrderCondition

    OrderCondition.objects.create(order=base.order, kind=ConditionKind.EXCLUSION_ZONE, place=secret_close, radius_m=200.0)

    hidden_home = place_create(actor=officer, address="3 Mkhiddenhome Road, Leeds LS3 3ZZ", lat=53.81, lon=-1.56)
    hidden_victim = person_create(
        actor=officer, full_name="Juniper Mkhiddenvictim", born="1990-04-02", sex=Sex.FEMALE, home=hidden_home
    )
    hidden = case_open(
        actor=officer,
        victim=hidden_victim,
        subject=base.subject,
        team=base.case.team,
        sensitive=True,
        reference="VG-MKHID",
        allocate=[officer],
    )
    report_record(
        actor=officer, case=hidden, category=ReportCategory.STALKING, reported_at=now - dt.timedelta(days=3),
        summary="Mkhiddenreport he followed her to work.",
    )  # fmt: skip
    order_grant(
        actor=officer, reference="ORD-MKHID", order_type=OrderType.NON_MOLESTATION_ORDER, subject=base.subject,
        protected=[hidden_victim], starts_at=now - dt.timedelta(days=10),
        conditions=[{"kind": ConditionKind.EXCLUSION_ZONE, "place": hidden_home, "radius_m": 100.0}],
    )  # fmt: skip
    sighting_record(
        actor=officer, subject=base.subject, reported_at=now - dt.timedelta(days=2), near=hidden_victim, lat=53.81, lon=-1.56,
        summary="Mkhiddensighting outside the nursery.",
    )  # fmt: skip

    south_home = place_create(actor=outsider, address="9 Mksouthhome Street, Leeds LS9 9ZZ", lat=53.7, lon=-1.5)
    south_victim = person_create(
        actor=outsider, full_name="Rowan Mksouthvictim", born="1985-01-05", sex=Sex.FEMALE, home=south_home
    )
    south = case_open(
        actor=outsider, victim=south_victim, subject=base.subject, team=outsider.team, reference="VG-MKSTH", allocate=[outsider]
    )
    report_record(
        actor=outsider, case=south, category=ReportCategory.HARASSMENT, reported_at=now - dt.timedelta(days=4),
        summary="Mksouthreport messages all night.",
    )  # fmt: skip
    sighting_record(
        actor=outsider, subject=base.subject, reported_at=now - dt.timedelta(days=1), near=south_victim, lat=53.7, lon=-1.5,
        summary="Mksouthsighting at the bus station.",
    )  # fmt: skip
    warrant_issue(
        actor=outsider, reference="W-MKSTH", subject=south_victim, reason="Mksouthwarrant unrelated matter", issued_at=now
    )

    officer_only = frozenset({"officer"})
    south_readers = frozenset({"outsider", "superintendent", "admin"})
    secrets = (
        Secret("1 Hidden Refuge Lane", frozenset(), "case A's victim's protected home"),
        Secret("Mksecretclose", frozenset(), "a protected place without a label (case A's exclusion zone)"),
        Secret("Maryam Example", CASE_READERS, "case A's victim"),
        Secret("Waited outside the school gates", CASE_READERS, "case A's report"),
        Secret("VG-SEC-1", CASE_READERS, "case A's reference"),
        Secret("22 Ordinary Street", CASE_READERS | south_readers, "case A's subject's home"),
        Secret("Darren Example", CASE_READERS | south_readers, "the subject of cases A, hidden and south"),
        Secret("VG-SEC-2", officer_only, "a restricted case's reference"),
        Secret("Restricted Victim", officer_only, "a restricted case's victim"),
        Secret("Restricted Subject", officer_only, "a restricted case's subject"),
        Secret("VG-MKHID", officer_only, "the hidden case's reference"),
        Secret("Mkhiddenvictim", officer_only, "the hidden case's victim"),
        Secret("Mkhiddenhome", officer_only, "the hidden case's victim's home"),
        Secret("Mkhiddenreport", officer_only, "the hidden case's report"),
        Secret("Mkhiddensighting", officer_only, "a sighting near the hidden case's victim"),
        Secret("ORD-MKHID", officer_only, "the hidden case's order"),
        Secret("1990-04-02", officer_only, "the hidden victim's date of birth"),
        Secret("2 April 1990", officer_only, "the hidden victim's date of birth, as pages print it"),
        Secret("VG-MKSTH", south_readers, "the south case's reference"),
        Secret("Mksouthvictim", south_readers, "the south case's victim"),
        Secret("Mksouthhome", south_readers, "the south case's victim's home"),
        Secret("Mksouthreport", south_readers, "the south case's report"),
        Secret("Mksouthsighting", south_readers, "a sighting near the south case's victim"),
        Secret("W-MKSTH", south_readers, "a warrant for the south case's victim"),
        Secret("Mksouthwarrant", south_readers, "a warrant's reason"),
    )
    fields = {f.name for f in dataclasses.fields(World)}
    world = MarkedWorld(
        **{k: v for k, v in vars(base).items() if k in fields},
        hidden=hidden,
        south=south,
        hidden_victim=hidden_victim,
        south_victim=south_victim,
        secrets=secrets,
    )
    for name, value in vars(base).items():  # the partner work's objects, set after the fact
        if name not in fields:
            setattr(world, name, value)
    return world
