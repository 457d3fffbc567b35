"""A synthetic force for the demo: invented people (Faker en_GB) and the work on them.

Everything is written through the same services as real use, so the audit trail and the
policy's actions are genuine. Each case's history is played forward in time: the clock
(`vigil.core.times.clock_at`) is set at each fact as it becomes known, the policy runs at
that moment, and the demo officers then act on what it created as a working force would:

- most actions are done before they fall due (a risk assessment by recording the DASH, an
  arrest or a warrant by recording the arrest with its custody reference, the rest with a note of what
  was done); some are done late, a few are forgotten for days (the ones that reach the
  inspector and the superintendent); a few are declined with a real reason, and a
  supervisor signs off the declines of high-risk pairs, or sends one back;
- a review of the risk is usually done with a fresh DASH, and as the victim becomes safer
  the level falls and the reviews stop;
- victims referred to MARAC are referred, with their consent, to the adviser (IDVA);
- what was due after the demo's "now" is still open, as it would be on a real board.

Histories reach back about six months, most of them recent. The same seed and anchor give
the same data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from vigil.actions.escalation import escalate_due
from vigil.actions.live import deferred_policy
from vigil.actions.models import Action
from vigil.actions.services import (
    action_complete,
    action_complete_by_arrest,
    action_decline,
    action_send_back,
    action_signoff,
)
from vigil.alarms.services import alarm_activate, alarm_fit
from vigil.cases.models import Case
from vigil.cases.services import (
    assessment_record,
    case_open,
    contact_attempt_record,
    intelligence_record,
    report_record,
    sighting_record,
)
from vigil.core import times
from vigil.core.constants import (
    ActionKind,
    ActionStatus,
    ConditionKind,
    OrderType,
    PlaceKind,
    RelationshipKind,
    ReportCategory,
    RiskLevel,
    Role,
    Sex,
    SignOff,
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
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

DEMO_USERS: list[tuple[str, str, str, str | None]] = [
    # username, role, display name, team (None: force-wide)
    ("officer", Role.OFFICER, "Priya Shah", "North Safeguarding"),
    ("officer2", Role.OFFICER, "Tom Ellis", "South Safeguarding"),
    ("officer3", Role.OFFICER, "Aled Morgan", "North Safeguarding"),
    ("officer4", Role.OFFICER, "Grace Adeyemi", "South Safeguarding"),
    ("supervisor", Role.SUPERVISOR, "Sgt Dana Whitfield", "North Safeguarding"),
    ("supervisor2", Role.SUPERVISOR, "Sgt Owen Price", "South Safeguarding"),
    ("inspector", Role.INSPECTOR, "Insp Marcus Reid", "North Safeguarding"),
    ("superintendent", Role.SUPERINTENDENT, "Supt Helen Carr", None),
    ("idva", Role.IDVA, "Jo Marsh", None),
    ("analyst", Role.ANALYST, "Sam Patel", None),
    ("admin", Role.ADMIN, "Vigil administrator", None),
]
TEAMS = {
    "North Safeguarding": "North Area",
    "North Response": "North Area",
    "South Safeguarding": "South Area",
    "South Response": "South Area",
}
CASE_TEAMS = ["North Safeguarding", "South Safeguarding"]  # domestic abuse cases sit with safeguarding
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

# What an officer writes when the work is done, by kind of action.
DONE_NOTES: dict[str, list[str]] = {
    ActionKind.DATABASE_CHECKS: [
        "PNC, PND and local systems checked. Two previous call-outs to the address, both recorded on the case.",
        "Checks done on PNC, PND and the intelligence system: no new trace for either party.",
        "Checked PNC and local systems; the subject has a caution for assault in 2021, now on the case.",
    ],
    ActionKind.SUPERVISOR_REVIEW: [
        "Reviewed the report and the DASH; I agree with the grading and the actions set.",
        "Reviewed with the officer in the case. Grading agreed; safety plan to be in place by tomorrow.",
    ],
    ActionKind.SAFETY_PLAN: [
        "Safety plan agreed with the victim at her home: code word with her sister, phone charged, 999 text service registered.",
        "Safety plan agreed by phone: locks to be changed through the sanctuary scheme, route to work varied.",
        "Safety plan agreed with the victim and her IDVA; copy kept on the case.",
    ],
    ActionKind.REFER_MARAC: [
        "Referred to MARAC; listed for the next meeting. The victim agreed to a referral to an IDVA.",
        "MARAC referral sent to the coordinator with the DASH attached.",
    ],
    ActionKind.NOTIFY_SCHOOL: [
        "Designated safeguarding lead told by phone before the start of school.",
        "School told through the Operation Encompass secure email before 09:00.",
    ],
    ActionKind.CONSIDER_PROTECTIVE_ORDER: [
        "DVPN considered and authorised by the superintendent; application for a DVPO made to the magistrates.",
        "Considered with the victim: she is applying for a non-molestation order with her solicitor; police statement given.",
    ],
    ActionKind.VICTIM_CONTACT: [
        "Called the victim back. She is safe at her mother's; advised to call 999 if he returns.",
        "Spoke to the victim by phone; she confirmed what she reported and that the children are safe.",
    ],
    ActionKind.PRIORITY_RESPONSE: [
        "Officers attended within 12 minutes; the subject had left. Area search negative; victim safe.",
        "Attended within 10 minutes; false activation by the victim's son, alarm checked and working.",
    ],
    ActionKind.REVIEW_RISK: [
        "Risk reviewed with the victim by phone; nothing has changed and the safety plan is working.",
        "Reviewed: the subject is on bail with a no-contact condition and has kept to it.",
    ],
    ActionKind.SERIAL_PERPETRATOR_REVIEW: [
        "Reviewed at the tasking meeting: both victims' cases allocated to one officer, MATAC referral made.",
    ],
    ActionKind.ARREST_SUSPECT: ["Subject arrested and taken into custody."],
    ActionKind.EXECUTE_WARRANT: ["Warrant executed: subject arrested at his home address."],
    ActionKind.COMPLETE_RISK_ASSESSMENT: ["DASH completed with the victim."],
}
# And, for the few that will not be done, the reason, which a supervisor will read.
DECLINE_REASONS: dict[str, list[str]] = {
    ActionKind.CONSIDER_PROTECTIVE_ORDER: [
        "The victim does not support an order and will not give evidence for one; a DVPN was considered and not issued "
        "because the subject is remanded in custody until the trial. Reviewed with her today.",
        "The victim's solicitor is already applying for a non-molestation order, listed for next week; police will "
        "support it with the log of incidents rather than run a second application.",
    ],
    ActionKind.REFER_MARAC: [
        "The case was referred to MARAC after the last incident and is on the agenda for this month's meeting; "
        "the coordinator has the new report.",
        "The victim has moved to a refuge in another force area; that force's MARAC has taken the referral.",
    ],
    ActionKind.SAFETY_PLAN: [
        "The victim has moved to a refuge out of the area; the refuge keyworker holds her safety plan and confirmed it today.",
    ],
    ActionKind.VICTIM_CONTACT: [
        "The victim asked for no more calls this week and will call 999 or 101 if anything changes; her IDVA keeps in "
        "touch with her instead.",
    ],
    ActionKind.REVIEW_RISK: [
        "The subject is remanded in custody until his trial; the risk is reviewed again on his release date.",
    ],
    ActionKind.SERIAL_PERPETRATOR_REVIEW: [
        "The custody record shows a different date of birth: the two records are different men. The link is sent "
        "back for review.",
    ],
}
SIGNOFF_NOTES = [
    "Agreed: the reason is sound and recorded.",
    "Agreed after speaking to the officer; review again if anything changes.",
]
SEND_BACK_NOTES = ["Not agreed: the victim's wishes do not remove our duty here. Do it today and update me."]


def demo_password(username: str) -> str:
    return f"vigil-demo-{username}"


def demo_anchor(day: dt.date | None = None) -> dt.datetime:
    """The demo's "now": this minute for today (so the board is right when it is served), or
    17:00 on an earlier day."""
    current = timezone.localtime(timezone.now(), LONDON).replace(second=0, microsecond=0)
    if day is None or day >= current.date():
        return current
    return dt.datetime.combine(day, dt.time(17, 0), tzinfo=LONDON)


@dataclass
class DemoResult:
    cases: int
    people: int
    users: list[tuple[str, str, str]]


@dataclass(order=True)
class Step:
    """Something that happens at `at`: a fact (the policy runs after it alone) or a decision
    (decisions in a row share one run of the policy)."""

    at: dt.datetime
    seq: int
    fact: bool = field(compare=False)
    run: Callable[[dt.datetime], object] = field(compare=False)
    action: int | None = field(default=None, compare=False)  # the action a fact is meant to settle


class DemoBuilder:
    def __init__(self, *, seed: int, anchor: dt.datetime) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.anchor = anchor
        self.admin: User | None = None
        self.teams: dict[str, Team] = {}
        self.officers: dict[int, list[User]] = {}  # team pk -> officers
        self.supervisors: dict[int, User] = {}  # team pk -> supervisor
        self.idva: User | None = None
        self.idva_referrals: dict[int, tuple[User, dt.datetime]] = {}  # case pk -> who referred, when
        self._seq = itertools.count()
        self._heap: list[Step] = []
        self._seen_action = 0
        self._planned: set[int] = set()
        self._recent_due: dict[int, int] = {}
        self.postcodes = DemoPostcodes()

    # --- staff ------------------------------------------------------------------------
    def staff(self) -> list[tuple[str, str, str]]:
        for team_name, area_name in TEAMS.items():
            area, _ = Area.objects.get_or_create(name=area_name)
            self.teams[team_name], _ = Team.objects.get_or_create(name=team_name, area=area)
        logins = []
        for username, role, display, home_team in DEMO_USERS:
            first, _, last = display.partition(" ")
            team = self.teams.get(home_team or "North Safeguarding")
            user, created = User.objects.get_or_create(
                username=username, defaults={"role": role, "first_name": first, "last_name": last, "team": team}
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
            elif role == Role.IDVA:
                self.idva = user
            elif role == Role.OFFICER and user.team_id:
                self.officers.setdefault(user.team_id, []).append(user)
            elif role == Role.SUPERVISOR and user.team_id:
                self.supervisors[user.team_id] = user
        self._seen_action = Action.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
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

    def days_ago(self) -> float:
        """When a case began: most in the last weeks, some months back, a few half a year."""
        roll = self.rng.random()
        if roll < 0.45:
            return self.rng.uniform(0.2, 14)
        if roll < 0.8:
            return self.rng.uniform(14, 60)
        return self.rng.uniform(60, 180)

    def at(self, moment: dt.datetime) -> dt.datetime:
        return moment.replace(second=0, microsecond=0)

    def dash_answers(self, yes: float) -> dict[int, str]:
        """24 answers, each yes with chance `yes`; a threat to kill (14) and strangulation (15),
        which raise the pair to high on their own, are rarer."""
        rare = {14: 0.35, 15: 0.35}
        return {
            n: ("yes" if self.rng.random() < yes * rare.get(n, 1) else self.rng.choice(["no", "no", "not_known"]))
            for n in range(1, 25)
        }

    # --- the timeline -----------------------------------------------------------------
    def push(self, at: dt.datetime, run: Callable[[dt.datetime], object], *, fact: bool, action: int | None = None) -> None:
        heapq.heappush(self._heap, Step(self.at(at), next(self._seq), fact, run, action))

    def play(self) -> Iterator[dt.date]:
        """Play every case's steps in one time order up to the anchor, the clock set at each,
        so that the policy's clock only moves forward (cases share people). One yield per
        day of history, one transaction per week."""
        while self._due():
            week = self._day(self._heap[0]).isocalendar()[:2]
            with transaction.atomic():
                while self._due() and self._day(self._heap[0]).isocalendar()[:2] == week:
                    day = self._day(self._heap[0])
                    while self._due() and self._day(self._heap[0]) == day:
                        self.step(day)
                    yield day
        self._heap.clear()

    def _due(self) -> bool:
        return bool(self._heap) and self._heap[0].at <= self.anchor

    def _day(self, step: Step) -> dt.date:
        return timezone.localtime(step.at, LONDON).date()

    def step(self, day: dt.date) -> None:
        """The next fact alone, or the decisions that come next (the same day) together."""
        if self._heap[0].fact:
            fact = heapq.heappop(self._heap)
            with deferred_policy(at=fact.at):
                fact.run(fact.at)
            self.plan_new()
            if fact.action is not None:
                self.settle_leftover(fact.action, fact.at)
            return
        batch: list[Step] = []
        while self._heap and not self._heap[0].fact and self._heap[0].at <= self.anchor and self._day(self._heap[0]) == day:
            batch.append(heapq.heappop(self._heap))
        with deferred_policy(at=batch[-1].at):
            for decision in batch:
                decision.run(decision.at)
        self.plan_new()

    def history_days(self) -> int:
        if not self._heap:
            return 0
        return (self.anchor.date() - min(step.at for step in self._heap).date()).days + 1

    def plan_new(self) -> None:
        """Decide when and how the officers act on each action the policy has just created."""
        fresh = list(Action.objects.filter(pk__gt=self._seen_action).select_related("case", "case__team").order_by("pk"))
        if fresh:
            self._seen_action = fresh[-1].pk
        for action in fresh:
            if action.status == ActionStatus.OPEN and action.pk not in self._planned:
                self._planned.add(action.pk)
                self.plan(action)

    def settle_leftover(self, pk: int, at: dt.datetime) -> None:
        """A fact meant to settle an action did not close it: the officer marks it done."""
        action = Action.objects.filter(pk=pk, status=ActionStatus.OPEN).first()
        if action is not None:
            self.push(at + dt.timedelta(minutes=10), self.completer(action), fact=False)

    # --- what officers do -------------------------------------------------------------
    def owner(self, action: Action) -> User:
        if action.owner_id is not None and action.owner is not None:
            return action.owner
        team_officers = self.officers.get(action.team_id) or [u for users in self.officers.values() for u in users]
        return team_officers[action.pk % len(team_officers)]

    def supervisor(self, action: Action) -> User:
        return self.supervisors.get(action.team_id) or next(iter(self.supervisors.values()))

    def plan(self, action: Action) -> None:
        window = max(action.due_at - action.created_at, dt.timedelta(minutes=20))
        roll = self.rng.random()
        declinable = action.kind in DECLINE_REASONS
        if declinable and roll < 0.06:
            when = action.created_at + window * self.rng.uniform(0.2, 0.9)
            self.push(when, self.decliner(action), fact=False)
            return
        if self.slipped(action):
            return  # still not done at the anchor: it has gone up the ladder
        if roll < 0.86:  # in time
            when = action.created_at + window * self.rng.betavariate(2.5, 2) * 0.95
        elif roll < 0.965:  # late: the same shift or the next day
            when = action.due_at + dt.timedelta(hours=self.rng.expovariate(1 / 7))
        else:  # forgotten for days
            when = action.due_at + dt.timedelta(days=self.rng.uniform(1, 10))
        self.push_doer(when, action)

    def slipped(self, action: Action) -> bool:
        """In every team a few pieces of work due in the last days before the anchor slip
        through, as they do on a busy force: one in about 25 is still not done."""
        if not self.anchor - 10 * DAY < action.due_at < self.anchor - DAY:
            return False
        count = self._recent_due[action.team_id] = self._recent_due.get(action.team_id, 0) + 1
        return count % 25 == 3

    def doer(self, action: Action) -> tuple[Callable[[dt.datetime], object], bool]:
        """How the work is done, and whether doing it is a fact (the policy runs after it)."""
        kind = action.kind
        if kind == ActionKind.COMPLETE_RISK_ASSESSMENT or (kind == ActionKind.REVIEW_RISK and self.rng.random() < 0.6):
            return self.assessor(action), True
        if kind in (ActionKind.ARREST_SUSPECT, ActionKind.EXECUTE_WARRANT) and action.subject_id:
            return self.arrester(action), True
        return self.completer(action), False

    def push_doer(self, when: dt.datetime, action: Action) -> None:
        run, fact = self.doer(action)
        self.push(when, run, fact=fact, action=action.pk if fact else None)

    def fresh(self, pk: int) -> Action | None:
        return Action.objects.filter(pk=pk, status=ActionStatus.OPEN).select_related("case", "owner").first()

    def completer(self, action: Action) -> Callable[[dt.datetime], object]:
        pk, kind = action.pk, action.kind

        def run(at: dt.datetime) -> None:
            current = self.fresh(pk)
            if current is None:
                return  # something else settled it meanwhile
            actor = self.supervisor(current) if kind == ActionKind.SUPERVISOR_REVIEW else self.owner(current)
            note = self.rng.choice(DONE_NOTES.get(kind, ["Done."]))
            action_complete(actor=actor, action=current, note=note, at=at)
            if kind == ActionKind.REFER_MARAC and self.rng.random() < 0.6:
                self.refer(current.case, actor, at)
            elif kind == ActionKind.SAFETY_PLAN and current.case.risk_level == RiskLevel.HIGH and self.rng.random() < 0.15:
                self.refer(current.case, actor, at)

        return run

    def refer(self, case: Case, actor: User, at: dt.datetime) -> None:
        """The victim agreed to an IDVA: the referral itself is recorded by the partner step
        (`vigil.demo.partners`), once the IDVA service exists, at this moment."""
        if self.idva is not None and case.pk not in self.idva_referrals:
            self.idva_referrals[case.pk] = (actor, at)

    def assessor(self, action: Action) -> Callable[[dt.datetime], object]:
        pk = action.pk

        def run(at: dt.datetime) -> None:
            current = self.fresh(pk)
            if current is None:
                return
            case = current.case
            # Later assessments find the victim safer, so the level falls and reviews end.
            assessments = case.assessments.count()
            yes = self.rng.betavariate(1.7, 4.2) * (0.55**assessments)
            # Mostly the officer agrees with the score; sometimes judgement raises it.
            level = self.rng.choices(["", "medium", "high"], weights=[85, 7, 8])[0] if assessments == 0 else ""
            assessment_record(
                actor=self.owner(current),
                case=case,
                instrument="dash",
                answers=self.dash_answers(yes),
                completed_at=at,
                officer_level=level,
                officer_rationale="My view after speaking with the victim at length." if level else "",
            )

        return run

    def arrester(self, action: Action) -> Callable[[dt.datetime], object]:
        """Arrest the suspect / execute the warrant, as an officer does it on the action's
        page: the arrest is recorded with its custody reference (action_complete_by_arrest),
        the warrant executed with it, and the policy closes the rest."""
        pk = action.pk

        def run(at: dt.datetime) -> None:
            current = self.fresh(pk)
            if current is None or current.subject is None:
                return
            officer = self.owner(current)
            action_complete_by_arrest(
                actor=officer,
                action=current,
                at=at,
                arrested_by=str(officer),
                custody_reference=f"{self.rng.randint(1, 60):02d}/{self.rng.randint(100000, 999999)}/{at:%y}",
                note=self.rng.choice(DONE_NOTES[current.kind]),
            )

        return run

    def decliner(self, action: Action) -> Callable[[dt.datetime], object]:
        pk, kind = action.pk, action.kind

        def run(at: dt.datetime) -> None:
            current = self.fresh(pk)
            if current is None:
                return
            declined = action_decline(
                actor=self.owner(current), action=current, rationale=self.rng.choice(DECLINE_REASONS[kind]), at=at
            )
            if declined.signoff == SignOff.AWAITING:
                # A supervisor signs it off within a few days; the latest still wait for one.
                self.push(at + dt.timedelta(hours=self.rng.uniform(4, 100)), self.signer(declined), fact=False)

        return run

    def signer(self, action: Action) -> Callable[[dt.datetime], object]:
        pk = action.pk

        def run(at: dt.datetime) -> None:
            current = Action.objects.filter(pk=pk, signoff=SignOff.AWAITING).select_related("case").first()
            if current is None:
                return
            supervisor = self.supervisor(current)
            if self.rng.random() < 0.85:
                action_signoff(actor=supervisor, action=current, note=self.rng.choice(SIGNOFF_NOTES))
                return
            action_send_back(actor=supervisor, action=current, note=self.rng.choice(SEND_BACK_NOTES))
            current.refresh_from_db()
            self.push_doer(at + dt.timedelta(hours=self.rng.uniform(1, 6)), current)

        return run

    # --- one case ---------------------------------------------------------------------
    def build_case(self, index: int, serial_subjects: list[Person]) -> None:
        team = self.teams[CASE_TEAMS[0] if self.rng.random() < 0.55 else CASE_TEAMS[1]]
        officers = self.officers[team.pk]
        owner = officers[index % len(officers)]
        start = self.anchor - dt.timedelta(days=self.days_ago())
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
        with times.clock_at(self.at(start)):
            case = case_open(
                actor=owner, victim=victim, subject=subject, team=team, allocate=[owner], sensitive=self.rng.random() < 0.01
            )
        self.case_steps(index, case, owner, start, victim_home, children)

    def case_steps(
        self, index: int, case: Case, owner: User, start: dt.datetime, victim_home: Place, children: list[Person]
    ) -> None:
        victim, subject = case.victim, case.subject
        assert subject is not None
        span = (self.anchor - start).total_seconds()
        moments = [start] + sorted(
            start + dt.timedelta(seconds=self.rng.uniform(0.1, 1) * span) for _ in range(self.rng.choice([0, 0, 1, 1, 2, 3]))
        )
        for at in moments:
            category = self.rng.choices([c for c, _ in CATEGORY_WEIGHTS], weights=[w for _, w in CATEGORY_WEIGHTS])[0]
            present = [c for c in children if self.rng.random() < 0.5]
            summary = self.fake.sentence(nb_words=14)

            def report(
                now: dt.datetime, category: str = category, present: list[Person] = present, summary: str = summary
            ) -> None:
                report_record(
                    actor=owner,
                    case=case,
                    category=category,
                    reported_at=now,
                    happened=Happened.at(now - dt.timedelta(minutes=self.rng.randint(10, 180))),
                    place=victim_home,
                    reported_by=victim,
                    children_present=present,
                    summary=summary,
                )

            self.push(at, report, fact=True)
        last = moments[-1]
        if self.rng.random() < 0.3:
            granted = last + dt.timedelta(days=self.rng.uniform(1, 10))
            self.order_steps(index, case, owner, granted, victim_home)
        if self.rng.random() < 0.15:
            channel = self.rng.choice(["call", "message", "social_media", "gift"])

            def contact(now: dt.datetime, channel: str = channel) -> None:
                contact_attempt_record(
                    actor=owner, subject=subject, victim=victim, channel=channel, reported_at=now, reported_by=victim
                )

            self.push(start + dt.timedelta(seconds=self.rng.uniform(0.2, 1) * span), contact, fact=True)
        if self.rng.random() < 0.12:

            def warrant(now: dt.datetime) -> None:
                warrant_issue(
                    actor=owner,
                    reference=f"W-{index:05d}",
                    subject=subject,
                    reason="Failed to appear at court",
                    issued_at=now,
                    officer_in_case=owner,
                )

            self.push(start + dt.timedelta(seconds=self.rng.uniform(0.3, 1) * span), warrant, fact=True)
        if self.rng.random() < 0.1:
            fitted = start + dt.timedelta(days=self.rng.uniform(1, 5))
            self.push(fitted, lambda now: alarm_fit(actor=owner, person=victim, place=victim_home, fitted_at=now), fact=True)
            if self.rng.random() < 0.4:
                pressed = fitted + dt.timedelta(seconds=self.rng.uniform(0.1, 1) * (self.anchor - fitted).total_seconds())
                self.push(
                    pressed, lambda now: alarm_activate(actor=owner, person=victim, place=victim_home, reported_at=now), fact=True
                )
        if self.rng.random() < 0.05:
            weapons, threat = self.rng.random() < 0.5, self.rng.random() < 0.5

            def intelligence(now: dt.datetime, weapons: bool = weapons, threat: bool = threat) -> None:
                intelligence_record(
                    actor=owner,
                    subject=subject,
                    reported_at=now,
                    weapons=weapons,
                    threat_to_kill=threat,
                    summary="Information from a partner agency.",
                )

            self.push(start + dt.timedelta(seconds=self.rng.uniform(0.2, 1) * span), intelligence, fact=True)

    def order_steps(self, index: int, case: Case, owner: User, granted: dt.datetime, victim_home: Place) -> None:
        victim, subject = case.victim, case.subject
        assert subject is not None
        order_type = self.rng.choice(
            [OrderType.DVPO, OrderType.NON_MOLESTATION_ORDER, OrderType.RESTRAINING_ORDER, OrderType.INTERIM_SPO]
        )
        length = dt.timedelta(days=self.rng.choice([28, 180, 365]))
        holder: dict[str, Any] = {}

        def grant(now: dt.datetime) -> None:
            holder["order"] = order_grant(
                actor=owner,
                reference=f"ORD-{index:05d}",
                order_type=order_type,
                subject=subject,
                protected=[victim],
                starts_at=now,
                expires_at=now + length,
                conditions=[
                    {"kind": ConditionKind.NO_CONTACT},
                    {"kind": ConditionKind.EXCLUSION_ZONE, "place": victim_home, "radius_m": 200.0},
                ],
            )

        self.push(granted, grant, fact=True)
        if self.rng.random() < 0.35:
            spot = self.near(victim_home.lat or 0, victim_home.lon or 0, 250)

            def sighting(now: dt.datetime) -> None:
                sighting_record(
                    actor=owner,
                    subject=subject,
                    reported_at=now,
                    happened=Happened.at(now - dt.timedelta(minutes=self.rng.randint(5, 60))),
                    near=victim,
                    lat=spot[0],
                    lon=spot[1],
                    reported_by=victim,
                    summary="Seen in the street near her home.",
                )

            self.push(granted + dt.timedelta(days=self.rng.uniform(1, 25)), sighting, fact=True)
        if self.rng.random() < 0.25:
            summary = self.fake.sentence(nb_words=10)

            def breach(now: dt.datetime) -> None:
                if "order" in holder:
                    breach_record(
                        actor=owner,
                        order=holder["order"],
                        reported_at=now,
                        place=victim_home,
                        reported_by=victim,
                        summary=summary,
                    )

            self.push(granted + dt.timedelta(days=self.rng.uniform(1, 5)), breach, fact=True)


@contextlib.contextmanager
def _bulk_load() -> Iterator[None]:
    """On SQLite, do not wait for the disk at every commit while the synthetic force is
    written (a crash loses only demo data, which is rebuilt); the setting is put back after."""
    sqlite = connection.vendor == "sqlite" and not connection.in_atomic_block  # inside a test's transaction, leave it
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=FULL")


def build_demo(*, cases: int, seed: int, anchor: dt.date | dt.datetime | None = None) -> DemoResult:
    """Build the whole force in one transaction: a run stopped half-way (Ctrl-C, kill -9, a
    full disk) leaves nothing behind, so running it again starts clean and `--if-empty` never
    mistakes half a force for a whole one."""
    moment = anchor if isinstance(anchor, dt.datetime) else demo_anchor(anchor)
    builder = DemoBuilder(seed=seed, anchor=moment)
    demo_gazetteer_load()
    with _bulk_load(), transaction.atomic():
        logins = builder.staff()
        serial: list[Person] = []
        # First the people and their cases, each opened when its story begins; then the story
        # of the whole force, day by day, in one time order.
        for index in progress(range(cases), total=cases, description="Recording people and cases"):
            with transaction.atomic():
                builder.build_case(index, serial)
        for _ in progress(builder.play(), total=builder.history_days(), description="Playing six months of work"):
            pass
        # What the escalation job would have recorded by now, as on a live force.
        escalate_due(now=moment)
        # In the function: vigil.demo.partners imports this module (DemoBuilder, demo_password).
        from vigil.demo.partners import build_partner_demo, partner_logins

        build_partner_demo(builder)  # agencies, schools, MARAC, Clare's Law (a separate step)
        return DemoResult(cases=cases, people=Person.objects.count(), users=logins + partner_logins())


def logins_table() -> list[tuple[str, str, str]]:
    # In the function: vigil.demo.partners imports this module (DemoBuilder, demo_password).
    from vigil.demo.partners import partner_logins

    return [(u, demo_password(u), Role(r).label) for u, r, _, _ in DEMO_USERS] + partner_logins()
