"""A synthetic force for the demo: invented people (Faker en_GB), realistic histories.

Everything is written through the same services as real use, so the audit trail and the
policy's actions are genuine. The same seed and anchor date give the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from faker import Faker

from vigil.actions.live import deferred_policy
from vigil.actions.models import Action
from vigil.actions.services import action_complete, action_decline
from vigil.alarms.services import alarm_activate, alarm_fit
from vigil.cases.services import (
    assessment_record,
    case_open,
    contact_attempt_record,
    intelligence_record,
    justice_event_record,
    report_record,
    sighting_record,
)
from vigil.core.constants import (
    ActionStatus,
    ConditionKind,
    JusticeEventKind,
    OrderType,
    PlaceKind,
    RelationshipKind,
    ReportCategory,
    Role,
    Sex,
)
from vigil.core.models import Area, Team, User
from vigil.core.otp import ensure_demo_totp
from vigil.core.progress import progress
from vigil.core.times import Happened
from vigil.gazetteer.demo import DemoPostcodes, demo_gazetteer_load
from vigil.orders.services import breach_record, order_grant
from vigil.people.models import Person, Place
from vigil.people.services import person_create, place_create, relationship_create
from vigil.warrants.services import warrant_issue

LONDON = ZoneInfo("Europe/London")
CENTRE = (53.7997, -1.5492)  # an invented force area around a city centre

DEMO_USERS: list[tuple[str, str, str, str | None]] = [
    # username, role, display name, team (None: force-wide)
    ("officer", Role.OFFICER, "Priya Shah", "North Safeguarding"),
    ("officer2", Role.OFFICER, "Tom Ellis", "South Safeguarding"),
    ("supervisor", Role.SUPERVISOR, "Sgt Dana Whitfield", "North Safeguarding"),
    ("inspector", Role.INSPECTOR, "Insp Marcus Reid", "North Safeguarding"),
    ("superintendent", Role.SUPERINTENDENT, "Supt Helen Carr", None),
    ("idva", Role.IDVA, "Jo Marsh (IDVA)", None),
    ("analyst", Role.ANALYST, "Sam Patel (analyst)", None),
    ("admin", Role.ADMIN, "Vigil administrator", None),
]
TEAMS = {
    "North Safeguarding": "North Area",
    "North Response": "North Area",
    "South Safeguarding": "South Area",
    "South Response": "South Area",
}
NICKNAMES = {
    "Michael": "Mike",
    "Daniel": "Danny",
    "Robert": "Rob",
    "William": "Bill",
    "James": "Jim",
    "Thomas": "Tom",
    "Christopher": "Chris",
    "Anthony": "Tony",
    "Stephen": "Steve",
    "Richard": "Rick",
    "Joseph": "Joe",
    "Andrew": "Andy",
}
CATEGORY_WEIGHTS = [
    (ReportCategory.DOMESTIC_ABUSE, 40),
    (ReportCategory.STALKING, 12),
    (ReportCategory.HARASSMENT, 12),
    (ReportCategory.ASSAULT, 14),
    (ReportCategory.THREATS, 8),
    (ReportCategory.THEFT, 5),
    (ReportCategory.CRIMINAL_DAMAGE, 6),
    (ReportCategory.OTHER, 3),
]


def demo_password(username: str) -> str:
    return f"vigil-demo-{username}"


@dataclass
class DemoResult:
    cases: int
    people: int
    users: list[tuple[str, str, str]]


class DemoBuilder:
    def __init__(self, *, seed: int, anchor: dt.date) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.anchor = dt.datetime.combine(anchor, dt.time(8, 0), tzinfo=LONDON)
        self.admin: User | None = None
        self.teams: list[Team] = []
        self.officers: list[User] = []
        self.postcodes = DemoPostcodes()

    # --- staff ------------------------------------------------------------------------
    def staff(self) -> list[tuple[str, str, str]]:
        by_name: dict[str, Team] = {}
        for team_name, area_name in TEAMS.items():
            area, _ = Area.objects.get_or_create(name=area_name)
            by_name[team_name], _ = Team.objects.get_or_create(name=team_name, area=area)
        self.teams = list(by_name.values())
        logins = []
        for username, role, display, home_team in DEMO_USERS:
            first, _, last = display.partition(" ")
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "first_name": first,
                    "last_name": last,
                    "team": by_name.get(home_team or "North Safeguarding"),
                },
            )
            if created:
                user.set_password(demo_password(username))
                user.is_staff = role == Role.ADMIN
                user.is_superuser = role == Role.ADMIN
                user.save()
            ensure_demo_totp(user)  # fixed second-factor seed, printed by `vigil demo-logins`
            logins.append((username, demo_password(username), Role(role).label))
            if role == Role.ADMIN:
                self.admin = user
            if role == Role.OFFICER:
                self.officers.append(user)
        return logins

    # --- helpers ----------------------------------------------------------------------
    def point(self, spread_km: float = 6.0) -> tuple[float, float]:
        dlat = self.rng.uniform(-1, 1) * spread_km / 111.0
        dlon = self.rng.uniform(-1, 1) * spread_km / 66.0
        return round(CENTRE[0] + dlat, 6), round(CENTRE[1] + dlon, 6)

    def near(self, lat: float, lon: float, metres: float) -> tuple[float, float]:
        return round(lat + self.rng.uniform(-1, 1) * metres / 111_000, 6), round(
            lon + self.rng.uniform(-1, 1) * metres / 66_000, 6
        )

    def place(self, kind: str, label: str, at: tuple[float, float] | None = None, person: Person | None = None) -> Place:
        lat, lon = at or self.point()
        return place_create(
            actor=self.admin,
            # The postcode is the demo city's own (the gazetteer's), nearest to the point.
            address=self.fake.street_address() + ", " + self.postcodes.nearest(lat, lon),
            kind=kind,
            label=label,
            lat=lat,
            lon=lon,
            person=person,
        )

    def when(self, days_ago_max: int, days_ago_min: int = 0) -> dt.datetime:
        seconds = self.rng.randint(days_ago_min * 86400, days_ago_max * 86400)
        return (self.anchor - dt.timedelta(seconds=seconds)).replace(second=0, microsecond=0)

    def variant(self, name: str) -> str:
        first, _, last = name.partition(" ")
        roll = self.rng.random()
        if first in NICKNAMES and roll < 0.5:
            return f"{NICKNAMES[first]} {last}"
        if len(last) > 4 and roll < 0.8:
            i = self.rng.randint(1, len(last) - 2)
            return f"{first} {last[:i]}{last[i + 1 :]}"  # a dropped letter, as typed in a hurry
        return f"{last.upper()}, {first}"

    def adult(self, sex: str, home: Place | None, *, name: str | None = None, born: str | None = None) -> Person:
        if name is None:
            name = self.fake.name_female() if sex == Sex.FEMALE else self.fake.name_male()
            name = " ".join(w for w in name.split() if not w.endswith("."))  # drop titles such as "Dr."
        if born is None:
            born = self.fake.date_of_birth(minimum_age=19, maximum_age=64).isoformat()
        return person_create(actor=self.admin, full_name=name, born=born, sex=sex, home=home)

    # --- one case ---------------------------------------------------------------------
    def build_case(self, index: int, serial_subjects: list[Person]) -> None:
        team = self.teams[index % len(self.teams)]
        owner = self.officers[index % len(self.officers)]
        victim_home = self.place(PlaceKind.HOME, "victim's home")
        victim = self.adult(Sex.FEMALE if self.rng.random() < 0.85 else Sex.MALE, victim_home)
        if serial_subjects and self.rng.random() < 0.06:
            original = self.rng.choice(serial_subjects)
            born = original.born_text if self.rng.random() < 0.8 else (original.born_text or "")[:4] or None
            subject = self.adult(original.sex, None, name=self.variant(original.full_name), born=born)
        else:
            lives_close = self.rng.random() < 0.3
            subject_home = self.place(
                PlaceKind.HOME,
                "subject's home",
                at=self.near(victim_home.lat or 0, victim_home.lon or 0, 450) if lives_close else None,
            )
            subject = self.adult(Sex.MALE if victim.sex == Sex.FEMALE else Sex.FEMALE, subject_home)
            serial_subjects.append(subject)
        relation = self.rng.choice(
            [RelationshipKind.PARTNER, RelationshipKind.EX_PARTNER, RelationshipKind.EX_PARTNER, RelationshipKind.ACQUAINTANCE]
        )
        relationship_create(actor=self.admin, a=victim, b=subject, kind=relation, since=self.fake.date_between("-15y", "-2y"))
        children: list[Person] = []
        if self.rng.random() < 0.35:
            for _ in range(self.rng.randint(1, 3)):
                child_born = self.fake.date_between("-16y", "-2y")
                child = person_create(
                    actor=self.admin,
                    full_name=self.fake.first_name() + " " + victim.full_name.split()[-1],
                    born=child_born,
                    home=victim_home,
                )
                relationship_create(actor=self.admin, a=victim, b=child, kind=RelationshipKind.HOUSEHOLD, since=child_born)
                children.append(child)
                self.place(
                    PlaceKind.SCHOOL, "school", at=self.near(victim_home.lat or 0, victim_home.lon or 0, 1500), person=child
                )
        case = case_open(
            actor=owner, victim=victim, subject=subject, team=team, allocate=[owner], sensitive=self.rng.random() < 0.01
        )
        first = self.when(540, 3)
        moments = sorted([first] + [first + dt.timedelta(days=self.rng.randint(1, 200)) for _ in range(self.rng.randint(0, 3))])
        for at in (m for m in moments if m < self.anchor):
            category = self.rng.choices([c for c, _ in CATEGORY_WEIGHTS], weights=[w for _, w in CATEGORY_WEIGHTS])[0]
            present = [c for c in children if self.rng.random() < 0.5]
            report_record(
                actor=owner,
                case=case,
                category=category,
                reported_at=at,
                happened=Happened.at(at),
                place=victim_home,
                reported_by=victim,
                children_present=present,
                summary=self.fake.sentence(nb_words=14),
            )
            if self.rng.random() < 0.8 and at + dt.timedelta(hours=20) < self.anchor:
                yes = self.rng.betavariate(2, 4)
                answers = {
                    n: ("yes" if self.rng.random() < yes else self.rng.choice(["no", "no", "not_known"])) for n in range(1, 25)
                }
                level = self.rng.choice(["", "standard", "medium", "high"])
                assessment_record(
                    actor=owner,
                    case=case,
                    instrument="dash",
                    answers=answers,
                    completed_at=at + dt.timedelta(hours=self.rng.randint(2, 20)),
                    officer_level=level,
                    officer_rationale="Officer's view after speaking with the victim." if level else "",
                )
        last = moments[-1]
        if self.rng.random() < 0.3 and last + dt.timedelta(days=2) < self.anchor:
            granted = last + dt.timedelta(days=self.rng.randint(1, 10))
            if granted < self.anchor:
                order = order_grant(
                    actor=owner,
                    reference=f"ORD-{index:05d}",
                    order_type=self.rng.choice(
                        [OrderType.DVPO, OrderType.NON_MOLESTATION_ORDER, OrderType.RESTRAINING_ORDER, OrderType.INTERIM_SPO]
                    ),
                    subject=subject,
                    protected=[victim],
                    starts_at=granted,
                    expires_at=granted + dt.timedelta(days=self.rng.choice([28, 180, 365])),
                    conditions=[
                        {"kind": ConditionKind.NO_CONTACT},
                        {"kind": ConditionKind.EXCLUSION_ZONE, "place": victim_home, "radius_m": 200.0},
                    ],
                )
                if self.rng.random() < 0.4 and granted + dt.timedelta(days=3) < self.anchor:
                    seen = granted + dt.timedelta(days=self.rng.randint(1, 25))
                    if seen < self.anchor:
                        spot = self.near(victim_home.lat or 0, victim_home.lon or 0, 250)
                        sighting_record(
                            actor=owner,
                            subject=subject,
                            reported_at=seen,
                            happened=Happened.at(seen),
                            near=victim,
                            lat=spot[0],
                            lon=spot[1],
                            reported_by=victim,
                            summary="Seen in the street near her home.",
                        )
                if self.rng.random() < 0.25 and granted + dt.timedelta(days=5) < self.anchor:
                    breach_record(
                        actor=owner,
                        order=order,
                        reported_at=granted + dt.timedelta(days=self.rng.randint(1, 5)),
                        place=victim_home,
                        reported_by=victim,
                        summary=self.fake.sentence(nb_words=10),
                    )
        if self.rng.random() < 0.15:
            contact_attempt_record(
                actor=owner,
                subject=subject,
                victim=victim,
                channel=self.rng.choice(["call", "message", "social_media", "gift"]),
                reported_at=self.when(60, 1),
                reported_by=victim,
            )
        if self.rng.random() < 0.12:
            issued = self.when(40, 1)
            warrant_issue(
                actor=owner,
                reference=f"W-{index:05d}",
                subject=subject,
                reason="Failed to appear at court",
                issued_at=issued,
                officer_in_case=owner,
            )
            if self.rng.random() < 0.4 and issued + dt.timedelta(days=2) < self.anchor:
                justice_event_record(
                    actor=owner,
                    subject=subject,
                    kind=JusticeEventKind.ARREST,
                    reported_at=min(issued + dt.timedelta(days=self.rng.randint(1, 3)), self.anchor),
                )
        if self.rng.random() < 0.1:
            fitted = self.when(200, 20)
            alarm_fit(actor=owner, person=victim, place=victim_home, fitted_at=fitted)
            if self.rng.random() < 0.3:
                alarm_activate(actor=owner, person=victim, place=victim_home, reported_at=self.when(15, 0))
        if self.rng.random() < 0.05:
            intelligence_record(
                actor=owner,
                subject=subject,
                reported_at=self.when(30, 1),
                weapons=self.rng.random() < 0.5,
                threat_to_kill=self.rng.random() < 0.5,
                summary="Information from a partner agency.",
            )

    def settle_actions(self) -> None:
        """Officers have done some of the work: complete most old actions, decline a few with reasons."""
        for action in Action.objects.filter(status=ActionStatus.OPEN).order_by("pk"):
            roll = self.rng.random()
            when = min(action.due_at - dt.timedelta(hours=1), self.anchor)
            if when <= action.created_at:
                continue
            if roll < 0.55:
                action_complete(actor=action.case.created_by or self.admin, action=action, note="Done.", at=when)
            elif roll < 0.6:
                action_decline(
                    actor=action.case.created_by or self.admin,
                    action=action,
                    rationale="Victim has asked for no further contact this week; reviewed with her and safety advice given.",
                    at=when,
                )
            action.refresh_from_db()


def build_demo(*, cases: int, seed: int, anchor: dt.date) -> DemoResult:
    builder = DemoBuilder(seed=seed, anchor=anchor)
    demo_gazetteer_load()
    with transaction.atomic():
        logins = builder.staff()
    serial: list[Person] = []
    for index in progress(range(cases), total=cases, description="Building demo cases"):
        with transaction.atomic(), deferred_policy(at=builder.anchor):
            builder.build_case(index, serial)
    with transaction.atomic(), deferred_policy(at=builder.anchor):
        builder.settle_actions()
    return DemoResult(cases=cases, people=Person.objects.count(), users=logins)


def logins_table() -> list[tuple[str, str, str]]:
    return [(u, demo_password(u), Role(r).label) for u, r, _, _ in DEMO_USERS]
