"""The event-sourced policy engine.

`Engine(policy, world)` starts with nothing known; `apply(event)` adds one fact at its time
and runs the rules it triggers; `advance(until)` lets the clock run to `until`, recording
the escalation steps that fall due. The engine never reads the wall clock: time is the
events' and the caller's. `evaluate(policy, world, events, until)` does all of it at once.

What comes out is plain data: risk changes, flags, actions (never deleted, only closed) and
a chronology of what each event did. docs/engine-semantics.md records how POLICY.md is read.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from vigil.policy import calendar, geo, ladder
from vigil.policy.config import PRIORITIES, ActionSpec, Policy, R3High, R4Medium
from vigil.policy.facts import (
    ActionCompleted,
    ActionDeclined,
    AlarmActivated,
    AlarmFitted,
    Arrest,
    Breach,
    Charge,
    Condition,
    ContactAttempt,
    CourtHearing,
    DisclosureDecision,
    DisclosureRequest,
    Event,
    Intelligence,
    OrderEnded,
    OrderGranted,
    OrderVaried,
    Place,
    Released,
    Report,
    RiskAssessment,
    Sighting,
    WarrantExecuted,
    WarrantIssued,
    WarrantWithdrawn,
    World,
    content_id,
    in_utc,
    with_ids,
)
from vigil.policy.scoring import INSTRUMENT_NAMES, InstrumentResult, score_yes, yes_answers

Pair = tuple[str, str | None]

OPEN, DONE, DECLINED, CANCELLED = "open", "done", "declined", "cancelled"
_ARREST_CLOSES = ("arrest_suspect", "execute_warrant")  # the open actions an arrest closes, in order
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

CATEGORY_WORDS = {
    "domestic_abuse": "domestic abuse",
    "stalking": "stalking",
    "harassment": "harassment",
    "assault": "assault",
    "threats": "threats",
    "theft": "theft",
    "criminal_damage": "criminal damage",
    "sexual_offence": "a sexual offence",
    "other": "an incident",
}
ORDER_WORDS = {
    "interim_spo": "interim stalking protection order",
    "spo": "stalking protection order",
    "restraining_order": "restraining order",
    "non_molestation_order": "non-molestation order",
    "dvpn": "domestic violence protection notice",
    "dvpo": "domestic violence protection order",
    "dapn": "domestic abuse protection notice",
    "dapo": "domestic abuse protection order",
    "bail_conditions": "bail conditions",
    "harassment_warning": "harassment warning",
}
KIND_WORDS = {
    "complete_risk_assessment": "complete a risk assessment",
    "review_risk": "review the risk",
    "supervisor_review": "supervisor review",
    "safety_plan": "make a safety plan",
    "database_checks": "database checks",
    "refer_marac": "refer to MARAC",
    "notify_school": "tell the school",
    "consider_protective_order": "consider a protective order",
    "arrest_suspect": "arrest the suspect",
    "execute_warrant": "execute the warrant",
    "victim_contact": "contact the victim",
    "priority_response": "priority response",
    "serial_perpetrator_review": "serial perpetrator review",
    "dvds_decision": "decide on the Clare's Law disclosure",
}
ROUTE_WORDS = {"right_to_ask": "right to ask", "right_to_know": "right to know"}


def kind_words(kind: str) -> str:
    """What an action of `kind` asks, in words ("tell the school"); the code when unknown."""
    return KIND_WORDS.get(kind, kind)


# --- what comes out ---------------------------------------------------------------------


@dataclass(slots=True)
class Action:
    """An action the policy created. Only its status, due time, priority, closing and
    escalations ever change; it is never removed."""

    id: str
    key: str
    kind: str
    rule: str
    victim: str
    subject: str | None
    created_at: dt.datetime
    due_at: dt.datetime
    priority: str
    reason: str
    trigger: str  # the event id that created it
    status: str = OPEN
    closed_at: dt.datetime | None = None
    closed_reason: str = ""
    rationale: str = ""
    escalations: tuple[tuple[dt.datetime, int], ...] = ()
    level: int = 1
    cadence_level: str | None = None  # a review_risk of an R3/R4 rhythm
    warrant: str | None = None
    known: dt.datetime | None = None  # when the live system learnt of its trigger (`Event.recorded`)

    @property
    def pair(self) -> Pair:
        return (self.victim, self.subject)


@dataclass(frozen=True)
class RiskChange:
    at: dt.datetime
    victim: str
    subject: str | None
    level: str
    previous: str | None
    source: str
    drivers: tuple[str, ...]
    event_id: str


@dataclass(frozen=True)
class Flag:
    at: dt.datetime
    kind: str
    refs: tuple[str, ...]
    detail: str
    key: str
    event_id: str


# A chronology note: words, or an action created (with its due time and priority then).
Note = str | tuple["Action", dt.datetime, str]


@dataclass(slots=True)
class ChronologyEntry:
    """What one event did (or one escalation step). The words are built only when read,
    so that keeping a chronology costs the engine almost nothing."""

    at: dt.datetime
    type: str  # an event type, or "escalation"
    event_id: str
    index: int
    event: Event | None = None
    notes: list[Note] = field(default_factory=list)
    engine: Engine | None = field(default=None, repr=False)
    text: str = ""
    step: tuple[Action, int] | None = None

    @property
    def what(self) -> str:
        if self.engine is not None and self.event is not None:
            return self.engine.describe(self.event)
        if self.engine is not None and self.step is not None:
            return self.engine.describe_step(self.step[0], self.at, self.step[1])
        return self.text

    @property
    def outcomes(self) -> list[str]:
        engine = self.engine
        lines: list[str] = []
        for note in self.notes:
            if isinstance(note, str):
                lines.append(note)
            elif engine is not None:
                lines.append(engine.describe_created(*note))
        return lines


@dataclass
class Outcome:
    until: dt.datetime | None
    risk: list[RiskChange]
    flags: list[Flag]
    actions: list[Action]
    events: list[ChronologyEntry]  # what each event did, in the order applied
    levels: dict[Pair, str]
    engine: Engine | None = field(default=None, repr=False)

    @property
    def chronology(self) -> list[ChronologyEntry]:
        """Each event's entry and each escalation step, in time order (a step at the same
        moment as an event after it: it was recorded when the clock passed it)."""
        steps = [
            ChronologyEntry(at, "escalation", action.key, -1, engine=self.engine, step=(action, level))
            for action in self.actions
            for at, level in action.escalations
        ]
        steps.sort(key=lambda entry: entry.at)
        merged = [*self.events, *steps]
        merged.sort(key=lambda entry: (entry.at, entry.type == "escalation"))
        return merged


# --- state kept while events are applied -----------------------------------------------


@dataclass
class _Component:
    level: str
    source: str
    drivers: tuple[str, ...]


@dataclass
class _EscalatorHit:
    code: str
    at: dt.datetime
    until: dt.datetime
    driver: str


@dataclass
class _PairState:
    victim: str
    subject: str | None
    level: str | None = None
    instruments: dict[str, InstrumentResult] = field(default_factory=dict)
    officer: str | None = None
    escalators: list[_EscalatorHit] = field(default_factory=list)
    reports: list[dt.datetime] = field(default_factory=list)
    stalking: str = ""  # why stalking is known, empty when it is not
    context: list[str] = field(default_factory=list)  # proximity and S-DASH facts


@dataclass
class _Order:
    event: OrderGranted
    subject: str
    protected: tuple[str, ...]
    # The terms in force now: those granted, until a variation replaces them.
    conditions: tuple[Condition, ...] = ()
    expires: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    # R5 arrests for breaking this order (and the orders each one is for), cancelled when
    # every order an arrest is for has ended.
    arrests: list[tuple[Action, tuple[_Order, ...]]] = field(default_factory=list)

    def in_force(self, at: dt.datetime) -> bool:
        if at < self.event.at:
            return False
        if self.ended_at is not None and at >= self.ended_at:
            return False
        return self.expires is None or at < self.expires

    def protects(self, victim: str) -> bool:
        return victim in self.protected


@dataclass
class _Warrant:
    ref: str
    subject: str
    outstanding: bool = True
    action: Action | None = None


class Engine:
    """Apply events one at a time, in time order; read the outcome at any point."""

    def __init__(self, policy: Policy, world: World) -> None:
        self.policy = policy
        self.world = world
        self.zone = ZoneInfo(world.timezone)
        self.clock: dt.datetime | None = None
        self.actions: list[Action] = []
        self.by_key: dict[str, Action] = {}
        self.risk: list[RiskChange] = []
        self.flags: list[Flag] = []
        self.chronology: list[ChronologyEntry] = []
        self._pairs: dict[Pair, _PairState] = {}
        # Open actions by (pair, kind), and by (subject, kind) for the kinds an arrest closes,
        # keyed by id in creation order.
        self._open: dict[tuple[Pair, str], dict[str, Action]] = {}
        self._open_by_subject: dict[tuple[str | None, str], dict[str, Action]] = {}
        # Each priority's ladder as (after, level) pairs, and the top level.
        self._ladders: dict[str, tuple[ladder.Steps, int]] = {}
        # Ladder steps are recorded lazily: an action's steps before a moment are written
        # down when something touches the action at that moment, or when the outcome is
        # read. Steps are due up to `_horizon` (inclusive only after `advance`).
        self._horizon: dt.datetime | None = None
        self._inclusive = False
        self._orders: dict[str, _Order] = {}
        self._orders_of_subject: dict[str, list[_Order]] = {}
        self._warrants: dict[str, _Warrant] = {}
        self._warrants_of_subject: dict[str, list[_Warrant]] = {}
        self._requests: dict[str, list[Action]] = {}  # R13: a disclosure request's dvds_decision
        self._victims_of: dict[str, dict[str, None]] = {}  # subject -> victims, in order linked
        self._report_victims_of: dict[str, dict[str, None]] = {}
        self._last_pair_of_victim: dict[str, Pair] = {}
        self._reported_records: dict[str, dt.datetime] = {}
        self._proximity_seen: set[tuple[Pair, str, str]] = set()
        self._ids: set[str] = set()
        self._event_id = ""
        self._known: dt.datetime | None = None
        self._when_cache: dict[dt.datetime, str] = {}
        self._who_cache: dict[str, str] = {}
        self._ranks: dict[str | None, int] = {level: policy.risk.rank(level) for level in (None, *policy.risk.levels)}
        self._levels: dict[int, str | None] = {rank: level for level, rank in self._ranks.items()}
        self._window_cache: dict[tuple[dt.datetime, int], dt.datetime] = {}
        self._households_cache: dict[Pair, tuple[set[str], list[tuple[str, str, dt.date | None, dt.date | None]]]] = {}
        self._born_cache: dict[str, str | None] = {}
        self._scores: dict[tuple[str, tuple[int, ...]], InstrumentResult] = {}
        self._escalator_window = policy.risk.escalator_window
        self._related: dict[Pair, bool] = {}  # R1: are they partners, family or household
        self._victim_homes: dict[str, set[str | None]] = {}
        self._school_cache: dict[dt.date, tuple[dt.datetime, ...]] = {}
        self._current = ChronologyEntry(dt.datetime.min.replace(tzinfo=dt.UTC), "start", "", -1)
        self._index_world()

    # --- world indexes ----------------------------------------------------------------

    def _index_world(self) -> None:
        w = self.world
        self._relationship_kinds: dict[frozenset[str], set[str]] = {}
        self._household: dict[str, list[tuple[str, dt.date | None, dt.date | None]]] = {}
        for rel in w.relationships:
            a, b = w.canonical(rel.a), w.canonical(rel.b)
            self._relationship_kinds.setdefault(frozenset((a, b)), set()).add(rel.kind)
            if rel.kind == "household":
                self._household.setdefault(a, []).append((rel.b, rel.since, rel.until))
                self._household.setdefault(b, []).append((rel.a, rel.since, rel.until))
        self._home_members: dict[str, list[str]] = {}
        for person in w.people.values():
            if person.home:
                self._home_members.setdefault(person.home, []).append(person.ref)
        self._victim_places_cache: dict[str, list[Place]] = {}
        self._places_of: dict[str, list[Place]] = {}
        for place in w.places.values():
            if place.person:
                self._places_of.setdefault(place.person, []).append(place)

    def _victim_places(self, victim: str) -> list[Place]:
        cached = self._victim_places_cache.get(victim)
        if cached is not None:
            return cached
        kinds = self.policy.rules.R10.victim_place_kinds
        members = set(self.world.members(victim))
        places: list[Place] = []
        for ref in members:
            person = self.world.person(ref)
            if person and person.home and "home" in kinds and person.home in self.world.places:
                places.append(self.world.places[person.home])
        for ref in members:
            for place in self._places_of.get(ref, ()):
                if place.kind in kinds and place not in places:
                    places.append(place)
        places.sort(key=lambda p: p.ref)
        self._victim_places_cache[victim] = places
        return places

    def _subject_homes(self, subject: str) -> list[Place]:
        homes: list[Place] = []
        for ref in self.world.members(subject):
            person = self.world.person(ref)
            if person and person.home and person.home in self.world.places:
                place = self.world.places[person.home]
                if place not in homes:
                    homes.append(place)
        return homes

    # --- words ------------------------------------------------------------------------

    def who(self, ref: str | None) -> str:
        if ref is None:
            return "an unknown person"
        text = self._who_cache.get(ref)
        if text is None:
            person = self.world.person(ref)
            text = f"{person.name} ({ref})" if person else ref
            self._who_cache[ref] = text
        return text

    def when(self, at: dt.datetime) -> str:
        text = self._when_cache.get(at)
        if text is None:
            local = at.astimezone(self.zone)
            text = f"{local.day} {_MONTHS[local.month]} {local.year} {local.hour:02d}:{local.minute:02d}"
            self._when_cache[at] = text
        return text

    def named(self, ident: str) -> str:
        """An order's or a warrant's name in words: its label in the world, else its id."""
        return self.world.labels.get(ident, ident)

    def _note(self, text: str) -> None:
        self._current.notes.append(text)

    def _place_words(self, ref: str | None) -> str:
        if ref is None:
            return ""
        place = self.world.places.get(ref)
        return f"{place.label} ({ref})" if place else ref

    # --- the public interface -----------------------------------------------------------

    def apply(self, event: Event) -> ChronologyEntry:
        """Apply one event at its time. Events must come in the engine's order (see
        `facts.with_ids`); an event earlier than the clock is refused."""
        if event.at.tzinfo is None:
            raise ValueError("event times must be timezone-aware")
        return self._apply(in_utc(event))

    def _apply(self, event: Event) -> ChronologyEntry:
        """`apply` for an event whose times are already in UTC."""
        if self.clock is not None and event.at < self.clock:
            raise ValueError(f"event at {event.at.isoformat()} is before the engine's clock {self.clock.isoformat()}")
        if self._horizon is None or event.at > self._horizon:
            self._horizon, self._inclusive = event.at, False
        event_id = event.event_id or content_id(event)
        while event_id in self._ids:
            event_id += "+"
        self._ids.add(event_id)
        self.clock = event.at
        entry = ChronologyEntry(event.at, event.TYPE, event_id, event.index, event, [], self)
        self.chronology.append(entry)
        self._current = entry
        self._event_id = event_id
        self._known = event.recorded or event.at
        handler = self._handlers.get(event.TYPE)
        if handler is None:
            self._note("not an event this policy acts on")
        else:
            handler(self, event)
        return entry

    def advance(self, until: dt.datetime) -> None:
        """Let the clock run to `until`, recording every escalation step due by then."""
        if until.tzinfo is None:
            raise ValueError("until must be timezone-aware")
        until = until.astimezone(dt.UTC)
        if self.clock is not None and until < self.clock:
            raise ValueError("cannot advance the clock backwards")
        self._horizon, self._inclusive = until, True
        self.clock = until

    def outcome(self) -> Outcome:
        """Everything so far, with every ladder step due by the clock recorded (steps at the
        clock itself only after `advance`)."""
        if self._horizon is not None:
            for action in self.actions:
                if action.status == OPEN:
                    self._materialize(action, self._horizon, self._inclusive)
        return Outcome(
            until=self.clock,
            risk=list(self.risk),
            flags=list(self.flags),
            actions=list(self.actions),
            events=list(self.chronology),
            levels={pair: st.level for pair, st in self._pairs.items() if st.level is not None},
            engine=self,
        )

    def describe_step(self, action: Action, at: dt.datetime, level: int) -> str:
        name = self.policy.ladder.level_name(level)
        if action.status == DECLINED and action.closed_at == at:
            return (
                f"{action.id} {kind_words(action.kind)} for {self.who(action.victim)} declined for a"
                f" high-risk pair: raised to level {level}, {name}, for sign-off"
            )
        return (
            f"{action.id} {kind_words(action.kind)} for {self.who(action.victim)} not done in time:"
            f" raised to level {level}, {name}"
        )

    def level(self, victim: str, subject: str | None) -> str | None:
        st = self._pairs.get((self.world.canonical(victim), self.world.canonical(subject) if subject else None))
        return st.level if st else None

    def open_actions(self, victim: str, subject: str | None, kind: str) -> list[Action]:
        pair = (self.world.canonical(victim), self.world.canonical(subject) if subject else None)
        return list(self._open.get((pair, kind), {}).values())

    # --- pairs ------------------------------------------------------------------------

    def _pair(self, victim: str, subject: str | None) -> Pair:
        canonical = self.world.canonical
        return (canonical(victim), canonical(subject) if subject else None)

    def _state(self, pair: Pair) -> _PairState:
        st = self._pairs.get(pair)
        if st is None:
            st = _PairState(pair[0], pair[1])
            self._pairs[pair] = st
        return st

    def _link(self, pair: Pair, at: dt.datetime) -> None:
        """The subject is now linked to the victim (a report, order, assessment or contact
        attempt named them together)."""
        victim, subject = pair
        if subject is None:
            # A report naming no suspect leaves the victim's last known subject as it was
            # (R7's alarm response names him); a victim with none has (victim, None).
            self._last_pair_of_victim.setdefault(victim, pair)
            return
        self._last_pair_of_victim[victim] = pair
        victims = self._victims_of.setdefault(subject, {})
        if victim in victims:
            return
        victims[victim] = None
        for home in self._subject_homes(subject):
            self._proximity(pair, home.ref, home.lat, home.lon, at, seen=False, subject_place=home)

    # --- actions ----------------------------------------------------------------------

    def _create(
        self,
        *,
        rule: str,
        spec: ActionSpec | None = None,
        kind: str | None = None,
        pair: Pair,
        at: dt.datetime,
        due_at: dt.datetime | None = None,
        priority: str | None = None,
        reason: str,
        child: str = "",
    ) -> Action:
        kind = kind or (spec.kind if spec else "")
        if due_at is None:
            if spec is None:
                raise ValueError("an action needs a due time")
            due_at = at + spec.due
        priority = priority or (spec.priority if spec else "high")
        victim, subject = pair
        key = f"{rule}:{kind}:{victim}:{subject or '-'}:{self._event_id}:{child}"
        n = 2
        base = key
        while key in self.by_key:
            key = f"{base}#{n}"
            n += 1
        ident = f"a-{len(self.actions) + 1}"
        # id, key, kind, rule, victim, subject, created_at, due_at, priority, reason, trigger
        action = Action(ident, key, kind, rule, victim, subject, at, due_at, priority, reason, self._event_id)
        action.known = self._known
        self.actions.append(action)
        self.by_key[key] = action
        opened = self._open.get((pair, kind))
        if opened is None:
            opened = self._open[(pair, kind)] = {}
        opened[ident] = action
        if kind in _ARREST_CLOSES:
            opened = self._open_by_subject.get((subject, kind))
            if opened is None:
                opened = self._open_by_subject[(subject, kind)] = {}
            opened[ident] = action
        self._current.notes.append((action, due_at, priority))
        return action

    def describe_created(self, action: Action, due_at: dt.datetime, priority: str) -> str:
        subject = "" if action.subject is None else " / " + self.who(action.subject)
        return (
            f"{action.id} {kind_words(action.kind)} for {self.who(action.victim)}{subject}"
            f" ({action.rule}, {priority}, due {self.when(due_at)}): {action.reason}"
        )

    def _materialize(self, action: Action, bound: dt.datetime, inclusive: bool = False) -> None:
        """Record the action's ladder steps that fall due before `bound` (or at it)."""
        steps, top = self._ladder(action.priority)
        if action.level >= top:
            return
        last = action.escalations[-1][0] if action.escalations else None
        found = ladder.reached(steps, action.due_at, level=action.level, last_at=last, until=bound, inclusive=inclusive)
        if found:
            action.level = found[-1][1]
            action.escalations = (*action.escalations, *found)

    def _ladder(self, priority: str) -> tuple[ladder.Steps, int]:
        """The policy's ladder for `priority` and its top level, worked out once."""
        found = self._ladders.get(priority)
        if found is None:
            steps = ladder.compile_steps(self.policy, priority)
            found = self._ladders[priority] = (steps, steps[-1][1])
        return found

    def _retime(self, action: Action, at: dt.datetime, due_at: dt.datetime, priority: str) -> None:
        """Give an open action a new due time and priority at `at`. The steps its old terms
        reached before `at` stay as they were recorded; the steps its new terms put before
        `at` are recorded at `at` itself (it climbs at once to where the new terms put it, and
        no step is dated before the event that changed it); later steps follow the new terms,
        each after the last one recorded."""
        self._materialize(action, at)
        action.due_at = due_at
        action.priority = priority
        steps, top = self._ladder(priority)
        if action.level >= top:
            return
        last = action.escalations[-1][0] if action.escalations else None
        found = ladder.caught_up(steps, due_at, level=action.level, last_at=last, at=at)
        if found:
            action.level = found[-1][1]
            action.escalations = (*action.escalations, *found)

    def _close(self, action: Action, status: str, at: dt.datetime, why: str, rationale: str = "") -> None:
        self._materialize(action, at)
        action.status = status
        action.closed_at = at
        action.closed_reason = why
        action.rationale = rationale
        opened = self._open.get(((action.victim, action.subject), action.kind))
        if opened is not None:
            opened.pop(action.id, None)
        if action.kind in _ARREST_CLOSES:
            opened = self._open_by_subject.get((action.subject, action.kind))
            if opened is not None:
                opened.pop(action.id, None)
        self._note(f"{action.id} {kind_words(action.kind)} closed {status}: {why}")

    def _close_kind(
        self,
        pair: Pair,
        kind: str,
        status: str,
        at: dt.datetime,
        why: str,
        rationale: str = "",
        *,
        known_by: dt.datetime | None = None,
    ) -> list[Action]:
        """Close every open action of `kind` for the pair; with `known_by` (a decision's
        recorded moment), only those whose trigger the live system knew of by then."""
        opened = self._open.get((pair, kind))
        if not opened:
            return []
        closing = list(opened.values())
        if known_by is not None:
            closing = [a for a in closing if a.known is None or a.known <= known_by]
        for action in closing:
            self._close(action, status, at, why, rationale)
        return closing

    def _has_open(self, pair: Pair, kind: str) -> bool:
        return bool(self._open.get((pair, kind)))

    # --- risk -------------------------------------------------------------------------

    def _repeat_count(self, st: _PairState, at: dt.datetime, months: int, at_least: int = 0) -> int:
        """Reports about the pair within `months` calendar months up to `at`; any number
        below `at_least` when fewer than `at_least` reports came by `at` at all (the
        window is then not worked out: no caller reads a count below its threshold)."""
        reports = st.reports
        upto = bisect.bisect_right(reports, at)
        if upto < at_least:
            return upto
        # The window opens within a few days of `months` average Gregorian months before
        # `at` (clamping to a month's end, the zone's offsets: 3.7 days at the very worst,
        # over every zone and 1990-2050). With no report within _WINDOW_MARGIN of that, the
        # exact start splits the reports at the same place and is not worked out.
        guess = at - months * _AVERAGE_MONTH
        first = bisect.bisect_left(reports, guess - _WINDOW_MARGIN)
        if first == bisect.bisect_left(reports, guess + _WINDOW_MARGIN):
            return upto - first
        start = self._window_cache.get((at, months))
        if start is None:
            # In UTC, like the report times, so that the search compares instants directly
            # (a comparison across zones asks the zone for its offset every time).
            start = calendar.months_before(at, months, self.zone).astimezone(dt.UTC)
            self._window_cache[(at, months)] = start
        return upto - bisect.bisect_left(reports, start)

    def _components(self, st: _PairState, at: dt.datetime, *, officer: bool = True) -> list[_Component]:
        risk = self.policy.risk
        result: list[_Component] = []
        for instrument in ("dash", "lethality_screen"):
            found = st.instruments.get(instrument)
            if found is not None and found.level is not None:
                result.append(_Component(found.level, instrument, (found.summary, *found.drivers)))
        if officer and st.officer is not None:
            result.append(_Component(st.officer, "professional_judgement", (f"the officer's own grading: {st.officer}",)))
        for hit in st.escalators:
            if hit.at <= at < hit.until:
                result.append(_Component(risk.escalator_level, "policy", (hit.driver,)))
        floor = risk.repeat_floor
        if st.reports and st.subject is not None:
            count = self._repeat_count(st, at, floor.window_months, floor.reports)
            if count >= floor.reports:
                result.append(
                    _Component(
                        floor.level,
                        "policy",
                        (f"{count} reports about this pair within {floor.window_months} months",),
                    )
                )
        return result

    def _rank(self, level: str | None) -> int:
        return self._ranks[level]

    def _computed(self, st: _PairState, at: dt.datetime, *, officer: bool = True) -> str | None:
        """The highest level of `_components(st, at, officer=officer)`, without building
        them: a component that cannot raise the highest found so far is not worked out."""
        ranks = self._ranks
        best = 0
        for instrument in ("dash", "lethality_screen"):
            found = st.instruments.get(instrument)
            if found is not None and found.level is not None:
                rank = ranks[found.level]
                if rank > best:
                    best = rank
        if officer and st.officer is not None:
            rank = ranks[st.officer]
            if rank > best:
                best = rank
        risk = self.policy.risk
        if st.escalators:
            rank = ranks[risk.escalator_level]
            if rank > best:
                for hit in st.escalators:
                    if hit.at <= at < hit.until:
                        best = rank
                        break
        floor = risk.repeat_floor
        if st.reports and st.subject is not None:
            rank = ranks[floor.level]
            if rank > best and self._repeat_count(st, at, floor.window_months, floor.reports) >= floor.reports:
                best = rank
        return self._levels[best]

    def _evaluate(self, pair: Pair, at: dt.datetime, *, assessment: str | None = None) -> None:
        """Raise the pair's level to what its facts now give; at a risk assessment
        (`assessment` is its instrument) the level may also fall to that."""
        st = self._state(pair)
        current = st.level
        if assessment is None and current is not None and self._ranks[current] == len(self._ranks) - 1:
            return  # nothing rises above the highest level
        computed = self._computed(st, at)
        if self._rank(computed) > self._rank(current):
            new = computed
        elif assessment is not None and self._rank(computed) < self._rank(current):
            new = computed or self.policy.risk.levels[0]
            if new == current:
                return
        else:
            if assessment is not None and current is not None:
                self._note_held(st, at, assessment, current)
            return
        assert new is not None
        components = self._components(st, at)
        holding = [c for c in components if c.level == new]
        source = self._source(holding, assessment, lowering=self._rank(new) < self._rank(current))
        drivers: list[str] = []
        for component in holding:
            for driver in component.drivers:
                if driver not in drivers:
                    drivers.append(driver)
        if not holding and assessment is not None:
            found = st.instruments.get(assessment)
            if found is not None:
                drivers.append(found.summary)
        for driver in st.context:
            if driver not in drivers:
                drivers.append(driver)
        st.level = new
        self.risk.append(RiskChange(at, pair[0], pair[1], new, current, source, tuple(drivers), self._event_id))
        self._note(
            f"risk for {self.who(pair[0])} from {self.who(pair[1])} is now {new}"
            f" (was {current or 'not set'}; {source}): {'; '.join(drivers[:4])}"
        )
        if self._rank(new) > self._rank(current):
            self._rises_into(pair, new, at)

    def _note_held(self, st: _PairState, at: dt.datetime, assessment: str, current: str) -> None:
        """Say what keeps the level up when an assessment on its own gives less."""
        result = st.instruments.get(assessment)
        own = result.level if result is not None else None
        if self._rank(own) >= self._rank(current):
            return
        drivers = list(dict.fromkeys(d for c in self._components(st, at) if c.level == current for d in c.drivers))
        name = INSTRUMENT_NAMES.get(assessment, assessment)
        self._note(
            f"the {name} on its own gives {own or 'no level'}; the risk stays {current}, held by: {'; '.join(drivers[:4])}"
        )

    def _source(self, holding: list[_Component], assessment: str | None, *, lowering: bool) -> str:
        sources = [c.source for c in holding]
        if assessment is not None and (assessment in sources or (lowering and not holding)):
            return assessment
        if "professional_judgement" in sources:
            return "professional_judgement"
        for instrument in ("dash", "lethality_screen"):
            if instrument in sources:
                return instrument
        return "policy"

    def _rises_into(self, pair: Pair, level: str, at: dt.datetime) -> None:
        rules = self.policy.rules
        victim, subject = pair
        because = f"risk for {self.who(victim)} from {self.who(subject)} rose to {level} on {self.when(at)}"
        if rules.R3.enabled and level == rules.R3.level:
            r3 = rules.R3
            self._create(
                rule="R3", spec=r3.safety_plan, pair=pair, at=at, reason=f"{because}: agree a safety plan with the victim"
            )
            if not self._has_open(pair, r3.refer_marac.kind):
                self._create(rule="R3", spec=r3.refer_marac, pair=pair, at=at, reason=f"{because}: refer the case to MARAC")
            else:
                self._note("R3: a refer_marac is already open for this pair; no second one")
            if not self._order_in_force(pair, at):
                self._create(
                    rule="R3",
                    spec=r3.consider_protective_order,
                    pair=pair,
                    at=at,
                    reason=f"{because}, and no order protects the victim from {self.who(subject)}: consider a protective order",
                )
            else:
                self._note("R3: an order protecting the victim is in force; no protective order action")
            review = self._create(
                rule="R3",
                kind="review_risk",
                pair=pair,
                at=at,
                due_at=at + r3.review_every,
                priority=r3.review_priority,
                reason=f"{because}: review the risk every {_days(r3.review_every)} while it stays {level}",
            )
            review.cadence_level = level
        if rules.R4.enabled and level == rules.R4.level:
            r4 = rules.R4
            self._create(
                rule="R4", spec=r4.safety_plan, pair=pair, at=at, reason=f"{because}: agree a safety plan with the victim"
            )
            review = self._create(
                rule="R4",
                kind="review_risk",
                pair=pair,
                at=at,
                due_at=at + r4.review_every,
                priority=r4.review_priority,
                reason=f"{because}: review the risk every {_days(r4.review_every)} while it stays {level}",
            )
            review.cadence_level = level

    def _escalator(self, pair: Pair, code: str, at: dt.datetime, driver: str) -> None:
        st = self._state(pair)
        window = self._escalator_window
        st.escalators.append(_EscalatorHit(code, at, at + window, f"{driver} ({code}, {self.when(at)})"))
        victim, subject = pair
        self._note(
            f"{code}: {driver}; the risk to {self.who(victim)} from {self.who(subject)} is held at"
            f" {self.policy.risk.escalator_level} until {self.when(at + window)}"
        )

    def _stalking_known(self, pair: Pair, why: str) -> None:
        st = self._state(pair)
        if not st.stalking:
            st.stalking = why

    def _order_in_force(self, pair: Pair, at: dt.datetime) -> bool:
        victim, subject = pair
        if subject is None:
            return False
        return any(o.in_force(at) and o.protects(victim) for o in self._orders_of_subject.get(subject, ()))

    # --- proximity (R10) --------------------------------------------------------------

    def _proximity(
        self,
        pair: Pair,
        subject_key: str,
        lat: float,
        lon: float,
        at: dt.datetime,
        *,
        seen: bool,
        subject_place: Place | None = None,
    ) -> None:
        r10 = self.policy.rules.R10
        if not r10.enabled:
            return
        victim, subject = pair
        for place in self._victim_places(victim):
            key = (pair, subject_key, place.ref)
            if key in self._proximity_seen:
                continue
            same = subject_place is not None and subject_place.ref == place.ref
            distance = 0.0 if same else geo.distance_m(lat, lon, place.lat, place.lon)
            if distance > r10.distance_m:
                continue
            self._proximity_seen.add(key)
            where = {"home": "the victim's home", "work": "the victim's work", "school": "the victim's school"}.get(
                place.kind, f"the victim's {place.label}"
            )
            homes = self._victim_homes.get(victim)
            if homes is None:
                homes = {p.home for p in (self.world.person(r) for r in self.world.members(victim)) if p}
                self._victim_homes[victim] = homes
            if place.ref in homes:
                where = "the victim's home"
            verb = "was seen" if seen else "lives"
            if same:
                driver = f"{'was seen at' if seen else 'lives at'} {where}"
            elif distance < 10:
                driver = f"{verb} {distance:.0f} m from {where}"
            else:
                driver = f"{verb} about {round(distance, -1):.0f} m from {where}"
            st = self._state(pair)
            if driver not in st.context:
                st.context.append(driver)
            # The flag stands beside other pairs' flags, so it names the victim; the driver
            # belongs to the pair and says "the victim's".
            named = driver.replace("the victim's ", "the ", 1) + f" of {self.who(victim)}"
            detail = f"{self.who(subject)} {named} ({self._place_words(place.ref)}; {distance:.0f} m)"
            self._flag("proximity", (victim, subject or ""), detail, at, extra=f"{subject_key}:{place.ref}")

    # --- flags ------------------------------------------------------------------------

    def _flag(self, kind: str, refs: tuple[str, ...], detail: str, at: dt.datetime, extra: str = "") -> None:
        key = f"{kind}:{':'.join(refs)}:{self._event_id}:{extra}"
        self.flags.append(Flag(at, kind, tuple(r for r in refs if r), detail, key, self._event_id))
        self._note(f"flag {kind}: {detail}")

    # --- event handlers ---------------------------------------------------------------

    def _on_report(self, e: Report) -> None:
        rules = self.policy.rules
        pair = self._pair(e.victim, e.suspect)
        victim, subject = pair
        st = self._state(pair)
        self._linked_reports(e, pair)
        self._link(pair, e.at)
        if subject is not None:
            bisect.insort(st.reports, e.at)
        what = f"report of {CATEGORY_WORDS.get(e.category, e.category)} on {self.when(e.at)}"
        if e.category in self.policy.escalators.E1.stalking_report_categories and subject is not None:
            self._stalking_known(pair, f"a {e.category} report on {self.when(e.at)}")
        # R1 intake
        related = self._related.get(pair)
        if related is None:
            related = self._related[pair] = subject is not None and bool(
                self._relationship_kinds.get(frozenset((victim, subject)), set()) & set(rules.R1.relationships)
            )
        if rules.R1.enabled and (e.category in rules.R1.categories or related):
            why = (
                f"every {CATEGORY_WORDS.get(e.category, e.category)} report"
                if e.category in rules.R1.categories
                else "they are or were partners, family or household"
            )
            for spec in rules.R1.actions:
                self._create(
                    rule="R1",
                    spec=spec,
                    pair=pair,
                    at=e.at,
                    reason=f"{what} about {self.who(victim)} and {self.who(subject)} ({why}): {KIND_WORDS[spec.kind]}",
                )
        # R2 children
        if rules.R2.enabled:
            self._children(e, pair, what)
        # R8 repeat
        r8 = rules.R8
        if r8.enabled and subject is not None:
            count = self._repeat_count(st, e.at, r8.window_months, r8.reports)
            if count >= r8.reports:
                self._flag(
                    "repeat",
                    (victim, subject),
                    f"{count} reports about {self.who(victim)} and {self.who(subject)} within {r8.window_months} months",
                    e.at,
                )
                if not self._has_open(pair, r8.refer_marac.kind):
                    self._create(
                        rule="R8",
                        spec=r8.refer_marac,
                        pair=pair,
                        at=e.at,
                        reason=f"repeat: {count} reports about this pair within {r8.window_months} months: refer to MARAC",
                    )
                else:
                    self._note("R8: a refer_marac is already open for this pair; no second one")
        # R9 serial
        r9 = rules.R9
        if subject is not None:
            victims = self._report_victims_of.setdefault(subject, {})
            if victim not in victims:
                victims[victim] = None
                if r9.enabled and len(victims) >= r9.victims:
                    # The words give the number only: the flag and the review sit on this
                    # victim's case, and the other victims' cases may be closed to its readers
                    # (the person page lists them to those who may see them).
                    self._flag(
                        "serial_perpetrator",
                        (victim, subject),
                        f"{self.who(subject)} is named in reports by {len(victims)} victims (this report: {self.who(victim)})",
                        e.at,
                    )
                    self._create(
                        rule="R9",
                        spec=r9.review,
                        pair=pair,
                        at=e.at,
                        reason=f"{self.who(subject)} is named in reports by {len(victims)} victims:"
                        " review as a serial perpetrator",
                    )
        self._evaluate(pair, e.at)

    def _linked_reports(self, e: Report, pair: Pair) -> None:
        named = [r for r in (e.victim, e.suspect, e.reported_by, *e.children_present) if r]
        links: list[tuple[str, str]] = []
        for ref in named:
            if not self.world.linked(ref):
                continue
            for other in self.world.members(ref):
                if other != ref and other in self._reported_records and (ref, other) not in links:
                    links.append((ref, other))
        if links:
            # One sentence per record of this report, and each identity group's reason once.
            earlier: dict[str, list[str]] = {}
            for ref, other in links:
                earlier.setdefault(ref, []).append(other)
            sentences = [
                f"{self.who(ref)} is the same person as "
                + ", ".join(f"{self.who(o)} (report of {self.when(self._reported_records[o])})" for o in others)
                for ref, others in earlier.items()
            ]
            reasons = list(dict.fromkeys(r for r in (self.world.link_reason(ref) for ref in earlier) if r))
            words = "; ".join(sentences) + (f". Why: {' / '.join(reasons)}" if reasons else "")
            refs = [pair[0], pair[1] or ""]
            for ref, other in links:
                for r in (ref, other):
                    if r not in refs:
                        refs.append(r)
            self._flag("linked_reports", tuple(refs), words, e.at)
        for ref in named:
            self._reported_records.setdefault(ref, e.at)

    def _children(self, e: Report, pair: Pair, what: str) -> None:
        r2 = self.policy.rules.R2
        victim, subject = pair
        day = calendar.local_date(e.at, self.zone)
        adults, household = self._households_of(pair)
        canonical = self.world.canonical
        candidates: dict[str, tuple[str, bool]] = {}  # canonical child -> (record, present)
        for ref in e.children_present:
            candidates.setdefault(canonical(ref), (ref, True))
        for child, ref, since, until in household:
            if (since is None or since <= day) and (until is None or day < until):
                candidates.setdefault(child, (ref, False))
        # 09:00 on the local wall clock, kept as a UTC instant like every time in the engine.
        due = self._school_due(e.at, day)
        for child, (ref, present) in candidates.items():
            if child in adults or child == victim or child == subject:
                continue
            person = self.world.person(ref)
            born = self._born(ref)
            if born is None:
                if not present:
                    continue
                age_words = "age not recorded"
            else:
                ages = calendar.age_range_on(born, day)
                if ages is None or ages[1] < r2.min_age or ages[0] > r2.max_age:
                    continue
                age_words = f"aged {ages[0]}" if ages[0] == ages[1] else f"aged {ages[0]} or {ages[1]}"
            where = "present" if present else "living in the household"
            name = person.name if person else ref
            self._create(
                rule="R2",
                kind="notify_school",
                pair=(child, subject),
                at=e.at,
                due_at=due,
                priority=r2.priority,
                reason=f"{what}: {name} ({ref}), {age_words}, {where}: tell the school's safeguarding lead before"
                " the next school day (Operation Encompass)",
                child=child,
            )

    def _households_of(self, pair: Pair) -> tuple[set[str], list[tuple[str, str, dt.date | None, dt.date | None]]]:
        """The pair's adults (every record of the victim and the subject) and who lives with
        them: (canonical child, record, since, until), in the order R2 looks at them."""
        cached = self._households_cache.get(pair)
        if cached is not None:
            return cached
        victim, subject = pair
        w = self.world
        adults = set(w.members(victim)) | (set(w.members(subject)) if subject else set())
        household: list[tuple[str, str, dt.date | None, dt.date | None]] = []
        for adult in sorted(adults):
            for ref, since, until in self._household.get(w.canonical(adult), []):
                household.append((w.canonical(ref), ref, since, until))
            person = w.person(adult)
            if person and person.home:
                for ref in self._home_members.get(person.home, []):
                    household.append((w.canonical(ref), ref, None, None))
        self._households_cache[pair] = (adults, household)
        return adults, household

    def _born(self, ref: str) -> str | None:
        """The first birth date recorded on any record of `ref`'s identity group."""
        if ref in self._born_cache:
            return self._born_cache[ref]
        w = self.world
        born = next((p.born for p in (w.person(m) for m in w.members(ref)) if p and p.born), None)
        self._born_cache[ref] = born
        return born

    def _school_due(self, at: dt.datetime, day: dt.date) -> dt.datetime:
        """`calendar.next_school_day_at(at)` in UTC, for `at` on the local date `day`: the
        first two candidate moments from `day` on are worked out once per date."""
        r2 = self.policy.rules.R2
        cached = self._school_cache.get(day)
        if cached is None:
            cached = tuple(
                c.astimezone(dt.UTC) for c in calendar.school_days_from(day, self.zone, r2.notify_time, r2.school_days, 2)
            )
            self._school_cache[day] = cached
        for candidate in cached:
            if candidate > at:
                return candidate
        return calendar.next_school_day_at(at, self.zone, r2.notify_time, r2.school_days).astimezone(dt.UTC)

    def _on_risk_assessment(self, e: RiskAssessment) -> None:
        pair = self._pair(e.victim, e.suspect)
        st = self._state(pair)
        self._link(pair, e.at)
        name = INSTRUMENT_NAMES.get(e.instrument, e.instrument)
        if self._open.get((pair, "complete_risk_assessment")):
            self._close_kind(pair, "complete_risk_assessment", DONE, e.at, f"{name} completed on {self.when(e.at)}")
        unnamed = (pair[0], None)  # asked for by a report that named no suspect: this assessment answers it
        if pair[1] is not None and self._open.get((unnamed, "complete_risk_assessment")):
            self._close_kind(
                unnamed,
                "complete_risk_assessment",
                DONE,
                e.at,
                f"{name} completed on {self.when(e.at)} for {self.who(pair[0])} and {self.who(pair[1])}",
            )
        reviews: list[Action] = []
        if self._open.get((pair, "review_risk")):
            reviews = self._close_kind(pair, "review_risk", DONE, e.at, f"risk reviewed with a {name} on {self.when(e.at)}")
        # A result depends on the yes answers alone; equal answers share one (frozen) result.
        yes = yes_answers(self.policy, e.instrument, e.answers)
        result = self._scores.get((e.instrument, yes))
        if result is None:
            result = self._scores[(e.instrument, yes)] = score_yes(self.policy, e.instrument, yes)
        st.instruments[e.instrument] = result
        self._note(result.summary)
        if e.instrument == "sdash":
            for driver in result.drivers:
                if driver not in st.context:
                    st.context.append(driver)
        if e.officer_level is not None:
            st.officer = e.officer_level
        if result.stalking_known:
            qs = ", ".join(str(q) for q in result.yes_to(self._stalking_questions(e.instrument)))
            self._stalking_known(pair, f"{name} {'question ' + qs if qs else 'answers'} on {self.when(e.at)}")
        if result.threat_to_kill:
            self._escalator(pair, "E2", e.at, f"believed threat to kill ({name})")
        if result.strangulation:
            self._escalator(pair, "E3", e.at, f"attempted strangulation or choking ({name})")
        if e.officer_level is not None:
            computed = self._computed(st, e.at, officer=False) or self.policy.risk.levels[0]
            if self._rank(e.officer_level) < self._rank(computed):
                spec = self.policy.risk.officer_grading.disagreement
                self._note(f"recorded disagreement: the officer graded {e.officer_level}, below the computed {computed}")
                self._create(
                    rule="risk",
                    spec=spec,
                    pair=pair,
                    at=e.at,
                    reason=f"the officer graded the risk {e.officer_level}, below the {computed} the policy computes"
                    f" ({result.summary}): a supervisor reviews the disagreement",
                )
        level_before = st.level
        before = len(self.risk)
        self._evaluate(pair, e.at, assessment=e.instrument)
        rose = len(self.risk) > before and self._rank(self.risk[-1].level) > self._rank(self.risk[-1].previous)
        # "While the pair stays at that level, a review_risk closed by an assessment is
        # followed by the next one": any review (R3's, R4's, or R5's after a breach), once.
        # A rise brings R3's or R4's own review; after a fall there is no rhythm to keep.
        rules = self.policy.rules
        level = st.level
        rhythm: R3High | R4Medium | None = rules.R3 if level == rules.R3.level else rules.R4 if level == rules.R4.level else None
        if reviews and not rose and level == level_before and rhythm is not None and rhythm.enabled:
            rule = "R3" if rhythm is rules.R3 else "R4"
            every, priority = rhythm.review_every, rhythm.review_priority
            nxt = self._create(
                rule=rule,
                kind="review_risk",
                pair=pair,
                at=e.at,
                due_at=e.at + every,
                priority=priority,
                reason=f"the risk stays {level} after the {name} of {self.when(e.at)}: review it again within {_days(every)}",
            )
            nxt.cadence_level = level

    def _stalking_questions(self, instrument: str) -> tuple[int, ...]:
        if instrument == "dash":
            return self.policy.risk.dash.stalking_questions
        if instrument == "lethality_screen":
            return self.policy.risk.lethality_screen.stalking_questions
        return tuple(range(1, self.policy.risk.sdash.questions + 1))

    def _on_order_granted(self, e: OrderGranted) -> None:
        subject = self.world.canonical(e.subject)
        protected = tuple(dict.fromkeys(self.world.canonical(p) for p in e.protected))
        order = _Order(e, subject, protected, conditions=e.conditions, expires=e.expires)
        self._orders[e.order] = order
        self._orders_of_subject.setdefault(subject, []).append(order)
        kind = ORDER_WORDS.get(e.order_type, e.order_type)
        for victim in protected:
            pair = (victim, subject)
            self._link(pair, e.at)
            self._close_kind(
                pair, "consider_protective_order", DONE, e.at, f"{kind} {self.named(e.order)} granted on {self.when(e.at)}"
            )

    def _on_order_ended(self, e: OrderEnded) -> None:
        order = self._orders.get(e.order)
        if order is None:
            self._note(f"order {self.named(e.order)} is not known at this time")
            return
        order.ended_at = e.at
        # "Closing": an action closes as cancelled when what it was for has gone. An arrest
        # for breaking this order is for the order; the risk review after the breach is for
        # the victim, and stays.
        words = f"{ORDER_WORDS.get(order.event.order_type, 'order')} {self.named(e.order)}"
        for arrest, orders in order.arrests:
            if arrest.status == OPEN and not any(o.in_force(e.at) for o in orders):
                self._close(arrest, CANCELLED, e.at, f"{words} ended on {self.when(e.at)}: no order left to enforce")

    def _on_order_varied(self, e: OrderVaried) -> None:
        """From the variation on, the order's conditions and expiry are the new ones; what was
        broken before it stays broken (its arrests and reviews are kept)."""
        order = self._orders.get(e.order)
        if order is None:
            self._note(f"order {self.named(e.order)} is not known at this time")
            return
        if order.ended_at is not None and order.ended_at <= e.at:
            self._note(f"order {self.named(e.order)} had ended; the variation is recorded and changes nothing")
            return
        order.conditions = e.conditions
        order.expires = e.expires
        until = f", now until {self.when(e.expires)}" if e.expires else ", now with no end date"
        self._note(f"order {self.named(e.order)} varied{until}")

    def _breach(self, e: Event, broken: list[tuple[Pair, _Order, str]], subject: str) -> None:
        """R5 for the pairs an event broke (one flag for the event, one arrest per pair)."""
        r5 = self.policy.rules.R5
        if not broken or not r5.enabled:
            return
        pairs: list[Pair] = []
        for pair, _, _ in broken:
            if pair not in pairs:
                pairs.append(pair)
        refs = [pairs[0][0], subject, *[p[0] for p in pairs[1:]]]
        details = "; ".join(dict.fromkeys(how for _, _, how in broken))
        self._flag("breach", tuple(refs), f"{self.who(subject)}: {details}", e.at)
        for pair in pairs:
            orders = [o for p, o, _ in broken if p == pair]
            st = self._state(pair)
            if st.stalking and any(o.in_force(e.at) for o in orders):
                order = orders[0]
                self._escalator(
                    pair,
                    "E1",
                    e.at,
                    f"{ORDER_WORDS.get(order.event.order_type, 'order')} {self.named(order.event.order)} broken by a subject"
                    f" for whom stalking is known ({st.stalking})",
                )
                self._evaluate(pair, e.at)
            high = st.level == self.policy.rules.R3.level
            spec = r5.arrest_high if high else r5.arrest
            orders = list({id(o): o for o in orders}.values())  # one order broken two ways is named once
            order_words = ", ".join(f"{ORDER_WORDS.get(o.event.order_type, 'order')} {self.named(o.event.order)}" for o in orders)
            arrest = self._create(
                rule="R5",
                spec=spec,
                pair=pair,
                at=e.at,
                reason=f"{order_words} protecting {self.who(pair[0])} broken on {self.when(e.at)}"
                f"{' by a subject whose victim is at high risk' if high else ''}: arrest {self.who(subject)}",
            )
            for order in orders:
                order.arrests.append((arrest, tuple(orders)))
            self._create(
                rule="R5",
                spec=r5.review_risk,
                pair=pair,
                at=e.at,
                reason=f"{order_words} broken on {self.when(e.at)}: review the risk to {self.who(pair[0])}",
            )

    def _on_breach(self, e: Breach) -> None:
        order = self._orders.get(e.order)
        if order is None:
            self._note(f"order {self.named(e.order)} is not known at this time; nothing to act on")
            return
        kind = ORDER_WORDS.get(order.event.order_type, "order")
        if not order.in_force(e.at):
            # A breach breaks an order in force (FORMAT.md, `breach` flag); this one had ended.
            ended = order.ended_at if order.ended_at is not None else order.expires
            since = f" (it ended on {self.when(ended)})" if ended is not None and ended <= e.at else ""
            self._note(f"{kind} {self.named(order.event.order)} was not in force at this time{since}: recorded, no breach")
            return
        how = f"{kind} {self.named(order.event.order)} reported broken"
        self._breach(e, [((victim, order.subject), order, how) for victim in order.protected], order.subject)

    def _on_sighting(self, e: Sighting) -> None:
        subject = self.world.canonical(e.subject)
        lat, lon = e.lat, e.lon
        if (lat is None or lon is None) and e.place and e.place in self.world.places:
            lat, lon = self.world.places[e.place].lat, self.world.places[e.place].lon
        near = self.world.canonical(e.near) if e.near else None
        broken: list[tuple[Pair, _Order, str]] = []
        for order in self._orders_of_subject.get(subject, ()):
            if not order.in_force(e.at):
                continue
            kind = ORDER_WORDS.get(order.event.order_type, "order")
            for condition in order.conditions:
                if condition.kind == "exclusion_zone" and lat is not None and lon is not None and condition.place:
                    zone = self.world.places.get(condition.place)
                    radius = condition.radius_m or 0.0
                    if zone is None:
                        continue
                    distance = geo.distance_m(lat, lon, zone.lat, zone.lon)
                    if distance <= radius:
                        how = (
                            f"seen {distance:.0f} m from {self._place_words(condition.place)}, inside the {radius:.0f} m"
                            f" exclusion zone of the {kind} {self.named(order.event.order)}"
                        )
                        broken.extend(((victim, subject), order, how) for victim in order.protected)
                elif condition.kind == "no_contact" and near is not None and order.protects(near):
                    how = f"seen near {self.who(near)}, whom the {kind} {self.named(order.event.order)} protects from contact"
                    broken.append(((near, subject), order, how))
        self._breach(e, broken, subject)
        # R6: a sighting while a warrant is outstanding makes it immediate.
        r6 = self.policy.rules.R6
        for warrant in self._warrants_of_subject.get(subject, ()):
            action = warrant.action
            if not warrant.outstanding or action is None or action.status != OPEN or not r6.enabled:
                continue
            target = e.at + r6.sighting_due
            if e.at <= action.due_at <= target:
                # Already due within the 4 hours: it stays due then, and becomes immediate.
                if action.priority == r6.sighting_priority:
                    continue
                target = action.due_at
            self._retime(action, e.at, target, r6.sighting_priority)
            self._note(
                f"{action.id} execute the warrant {self.named(warrant.ref)}: now {action.priority}, due"
                f" {self.when(target)}: {self.who(subject)} was seen while the warrant is outstanding"
            )
        # R10: where the subject was seen.
        if lat is not None and lon is not None:
            key = e.place or f"{lat:.6f},{lon:.6f}"
            place = self.world.places.get(e.place) if e.place else None
            for victim in list(self._victims_of.get(subject, {})):
                self._proximity((victim, subject), key, lat, lon, e.at, seen=True, subject_place=place)
        # R12: whoever reported it, the victim seen near (or the victim who reported it) is called back.
        where = f" at {self._place_words(e.place)}" if e.place else ""
        seen = f"seen{where}" + (f" near {self.who(near)}" if near else "")
        self._victims_report(e, subject, (near, self.world.canonical(e.reported_by) if e.reported_by else None), seen)

    def _on_contact_attempt(self, e: ContactAttempt) -> None:
        pair = self._pair(e.victim, e.subject)
        victim, subject = pair
        assert subject is not None
        self._link(pair, e.at)
        broken: list[tuple[Pair, _Order, str]] = []
        for order in self._orders_of_subject.get(subject, ()):
            if order.in_force(e.at) and order.protects(victim) and any(c.kind == "no_contact" for c in order.conditions):
                kind = ORDER_WORDS.get(order.event.order_type, "order")
                broken.append(
                    (
                        pair,
                        order,
                        f"tried to contact {self.who(victim)} by {e.channel.replace('_', ' ')}"
                        f" while the {kind} {self.named(order.event.order)} forbids contact",
                    )
                )
        self._breach(e, broken, subject)
        self._victims_report(e, subject, (victim,), f"trying to contact {self.who(victim)} by {e.channel.replace('_', ' ')}")

    def _victims_report(self, e: Sighting | ContactAttempt, subject: str, candidates: tuple[str | None, ...], how: str) -> None:
        """R12, after the event's other rules: a sighting of the subject or a contact attempt
        by him, reported by someone other than him, gets the victim it concerns called back
        (the first of `candidates` who is one of the subject's victims)."""
        r12 = self.policy.rules.R12
        if not r12.enabled or e.reported_by is None:
            return
        reporter = self.world.canonical(e.reported_by)
        if reporter == subject:
            return
        victims = self._victims_of.get(subject, {})
        victim = next((c for c in candidates if c is not None and c in victims), None)
        if victim is None:
            self._note(f"R12: nobody this report names is known as a victim of {self.who(subject)}; no call back")
            return
        pair = (victim, subject)
        st = self._pairs.get(pair)
        high = st is not None and st.level == self.policy.risk.high
        spec = r12.victim_contact_high if high else r12.victim_contact
        due = e.at + spec.due
        by = "the victim" if reporter == victim else self.who(e.reported_by)
        reason = f"{by} reported {self.who(subject)} {how} on {self.when(e.at)}: call {self.who(victim)} back" + (
            " (the risk is high)" if high else ""
        )
        opened = self._open.get((pair, spec.kind))
        if not opened:
            self._create(rule="R12", spec=spec, pair=pair, at=e.at, reason=reason)
            return
        # One call back covers it: every open one is due by the earlier time, at the higher priority.
        for action in list(opened.values()):
            due_at = min(action.due_at, due)
            priority = min(action.priority, spec.priority, key=_urgency)
            if due_at == action.due_at and priority == action.priority:
                self._note(
                    f"R12: {action.id} {kind_words(action.kind)} is already open ({action.priority}, due"
                    f" {self.when(action.due_at)}) and covers this report"
                )
                continue
            self._retime(action, e.at, due_at, priority)
            self._note(
                f"R12: {action.id} {kind_words(action.kind)} was already open: now {priority}, due {self.when(due_at)}: {reason}"
            )

    def _arrested(self, subject: str, at: dt.datetime, why: str) -> None:
        for kind in _ARREST_CLOSES:
            for action in list(self._open_by_subject.get((subject, kind), {}).values()):
                self._close(action, DONE, at, why)
        for warrant in self._warrants_of_subject.get(subject, ()):
            warrant.outstanding = False

    def _on_arrest(self, e: Arrest) -> None:
        subject = self.world.canonical(e.subject)
        self._arrested(subject, e.at, f"{self.who(subject)} arrested on {self.when(e.at)}")

    def _on_warrant_issued(self, e: WarrantIssued) -> None:
        r6 = self.policy.rules.R6
        subject = self.world.canonical(e.subject)
        warrant = _Warrant(e.warrant, subject)
        self._warrants[e.warrant] = warrant
        self._warrants_of_subject.setdefault(subject, []).append(warrant)
        victims = list(self._victims_of.get(subject, {}))
        if not r6.enabled or not victims:
            if not victims:
                self._note("R6: the subject is not linked to any victim; no warrant actions")
            return
        ranked = max(victims, key=lambda v: self._rank(self._state((v, subject)).level))
        level = self._state((ranked, subject)).level or self.policy.risk.levels[0]
        spec = r6.execute_warrant[level]
        because = f" ({e.reason})" if e.reason else ""
        warrant.action = self._create(
            rule="R6",
            spec=spec,
            pair=(ranked, subject),
            at=e.at,
            reason=f"warrant {self.named(e.warrant)} outstanding for {self.who(subject)}, whose victim {self.who(ranked)} is at"
            f" {level} risk{because}: execute the warrant",
            child=e.warrant,
        )
        warrant.action.warrant = e.warrant
        for victim in victims:
            self._create(
                rule="R6",
                spec=r6.victim_contact,
                pair=(victim, subject),
                at=e.at,
                reason=f"warrant {self.named(e.warrant)} issued for {self.who(subject)}: contact {self.who(victim)},"
                " tell them and check their safety",
                child=e.warrant,
            )

    def _on_warrant_executed(self, e: WarrantExecuted) -> None:
        warrant = self._warrants.get(e.warrant)
        if warrant is None:
            self._note(f"warrant {self.named(e.warrant)} is not known at this time")
            return
        self._arrested(warrant.subject, e.at, f"warrant {self.named(e.warrant)} executed on {self.when(e.at)}")

    def _on_warrant_withdrawn(self, e: WarrantWithdrawn) -> None:
        warrant = self._warrants.get(e.warrant)
        if warrant is None:
            self._note(f"warrant {self.named(e.warrant)} is not known at this time")
            return
        warrant.outstanding = False
        if warrant.action is not None and warrant.action.status == OPEN:
            why = f"warrant {self.named(e.warrant)} withdrawn on {self.when(e.at)}" + (f": {e.reason}" if e.reason else "")
            self._close(warrant.action, CANCELLED, e.at, why)

    def _on_alarm_activated(self, e: AlarmActivated) -> None:
        r7 = self.policy.rules.R7
        if not r7.enabled:
            return
        victim = self.world.canonical(e.person)
        pair = self._last_pair_of_victim.get(victim, (victim, None))
        where = f" at {self._place_words(e.place)}" if e.place else ""
        self._create(
            rule="R7",
            spec=r7.priority_response,
            pair=pair,
            at=e.at,
            reason=f"{self.who(victim)} pressed the police alarm{where} on {self.when(e.at)}: respond at once",
        )

    def _on_intelligence(self, e: Intelligence) -> None:
        subject = self.world.canonical(e.subject)
        victims = list(self._victims_of.get(subject, {}))
        e2, e4 = self.policy.escalators.E2, self.policy.escalators.E4
        for victim in victims:
            pair = (victim, subject)
            hit = False
            if e.threat_to_kill and e2.intelligence_flag == "threat_to_kill":
                self._escalator(pair, "E2", e.at, "intelligence of a believed threat to kill")
                hit = True
            if e.weapons and e4.intelligence_flag == "weapons":
                self._escalator(pair, "E4", e.at, f"intelligence that {self.who(subject)} holds or hides weapons")
                hit = True
            if hit:
                self._evaluate(pair, e.at)
        if (e.threat_to_kill or e.weapons) and not victims:
            self._note("the subject is not linked to any victim yet; no escalator")

    def _on_disclosure_request(self, e: DisclosureRequest) -> None:
        r13 = self.policy.rules.R13
        pair = self._pair(e.person_at_risk, e.subject)
        if not r13.enabled:
            return
        st = self._pairs.get(pair)
        high = st is not None and st.level == self.policy.risk.high
        spec = r13.dvds_decision_high if high else r13.dvds_decision
        route = ROUTE_WORDS.get(e.route, e.route)
        applicant = f", applied for by {self.who(e.applicant)}" if e.applicant else ""
        action = self._create(
            rule="R13",
            spec=spec,
            pair=pair,
            at=e.at,
            reason=f"Clare's Law {route} request {self.named(e.request)} about {self.who(pair[1])} for"
            f" {self.who(pair[0])}{applicant} on {self.when(e.at)}: decide whether to disclose"
            + (" (the risk is high)" if high else ""),
            child=e.request,
        )
        self._requests.setdefault(e.request, []).append(action)

    def _on_disclosure_decision(self, e: DisclosureDecision) -> None:
        r13 = self.policy.rules.R13
        requested = self._requests.get(e.request)
        if not requested:
            self._note(f"disclosure request {self.named(e.request)} is not known at this time")
            return
        if e.decision == "no_disclosure" and r13.rationale_required and not e.rationale.strip():
            self._note("a decision not to disclose without a rationale is recorded, not accepted: the decision stays open")
            return
        words = "disclose" if e.decision == "disclose" else "not to disclose"
        closing = [a for a in requested if a.status == OPEN]
        for action in closing:
            self._close(action, DONE, e.at, f"decided {words} on {self.when(e.at)}", rationale=e.rationale)
        if not closing:
            self._note("recorded decision: the request's decision was already closed")

    def _on_action_completed(self, e: ActionCompleted) -> None:
        pair = self._pair(e.victim, e.subject)
        closed = self._close_kind(
            pair, e.action, DONE, e.at, f"completed by an officer on {self.when(e.at)}", known_by=e.recorded or e.at
        )
        if not closed:
            self._note("recorded decision: no open action of that kind for this pair")

    def _on_action_declined(self, e: ActionDeclined) -> None:
        r11 = self.policy.rules.R11
        pair = self._pair(e.victim, e.subject)
        if r11.rationale_required and not e.rationale.strip():
            self._note("a decline without a rationale is not accepted: the action stays open")
            return
        closed = self._close_kind(
            pair, e.action, DECLINED, e.at, f"declined on {self.when(e.at)}", rationale=e.rationale, known_by=e.recorded or e.at
        )
        if not closed:
            self._note("recorded decision: no open action of that kind for this pair")
            return
        st = self._pairs.get(pair)
        if r11.enabled and st is not None and st.level == self.policy.rules.R3.level:
            level = r11.high_pair_escalation_level
            for action in closed:
                if action.level < level:
                    action.level = level
                    action.escalations = (*action.escalations, (e.at, level))
                    self._note(
                        f"R11: {action.id} declined for a high-risk pair: raised to level {level},"
                        f" {self.policy.ladder.level_name(level)}, for sign-off"
                    )

    def _nothing(self, e: Event) -> None:
        self._note("recorded")

    def describe(self, e: Event) -> str:
        w = self.who
        if isinstance(e, Report):
            text = f"Report of {CATEGORY_WORDS.get(e.category, e.category)}: {w(e.victim)}"
            text += f", suspect {w(e.suspect)}" if e.suspect else ", no suspect named"
            if e.reported_by:
                text += f", reported by {w(e.reported_by)}"
            if e.children_present:
                text += f"; children present: {', '.join(w(c) for c in e.children_present)}"
            return text
        if isinstance(e, RiskAssessment):
            grading = f", officer's grading {e.officer_level}" if e.officer_level else ""
            return f"{INSTRUMENT_NAMES.get(e.instrument, e.instrument)} completed for {w(e.victim)} / {w(e.suspect)}{grading}"
        if isinstance(e, OrderGranted):
            until = f" until {self.when(e.expires)}" if e.expires else ""
            return (
                f"{ORDER_WORDS.get(e.order_type, e.order_type)} {self.named(e.order)} granted against {w(e.subject)}, protecting"
                f" {', '.join(w(p) for p in e.protected)}{until}"
            )
        if isinstance(e, OrderEnded):
            return f"order {self.named(e.order)} ended"
        if isinstance(e, OrderVaried):
            until = f" until {self.when(e.expires)}" if e.expires else ", with no end date"
            return f"order {self.named(e.order)} varied{until}"
        if isinstance(e, Breach):
            return f"order {self.named(e.order)} reported broken" + (f", reported by {w(e.reported_by)}" if e.reported_by else "")
        if isinstance(e, Sighting):
            where = f" at {self._place_words(e.place)}" if e.place else ""
            near = f" near {w(e.near)}" if e.near else ""
            return f"{w(e.subject)} seen{where}{near}"
        if isinstance(e, ContactAttempt):
            return f"{w(e.subject)} tried to contact {w(e.victim)} by {e.channel.replace('_', ' ')}"
        if isinstance(e, Arrest):
            return f"{w(e.subject)} arrested"
        if isinstance(e, Charge):
            return f"{w(e.subject)} charged" + (f": {e.offence}" if e.offence else "")
        if isinstance(e, Released):
            return f"{w(e.subject)} released" + (f" on bail until {self.when(e.bail_until)}" if e.bail_until else "")
        if isinstance(e, CourtHearing):
            return f"court hearing for {w(e.subject)}: {e.outcome.replace('_', ' ')}"
        if isinstance(e, WarrantIssued):
            return f"warrant {self.named(e.warrant)} issued for {w(e.subject)}" + (f": {e.reason}" if e.reason else "")
        if isinstance(e, WarrantExecuted):
            return f"warrant {self.named(e.warrant)} executed"
        if isinstance(e, WarrantWithdrawn):
            return f"warrant {self.named(e.warrant)} withdrawn"
        if isinstance(e, AlarmFitted):
            return f"police alarm given to {w(e.person)}" + (f" at {self._place_words(e.place)}" if e.place else "")
        if isinstance(e, AlarmActivated):
            return f"police alarm pressed by {w(e.person)}" + (f" at {self._place_words(e.place)}" if e.place else "")
        if isinstance(e, Intelligence):
            facts = [word for flag, word in ((e.weapons, "weapons"), (e.threat_to_kill, "a threat to kill")) if flag]
            return f"intelligence about {w(e.subject)}" + (f": {' and '.join(facts)}" if facts else "")
        if isinstance(e, DisclosureRequest):
            by = f", applied for by {w(e.applicant)}" if e.applicant else ""
            return (
                f"Clare's Law {ROUTE_WORDS.get(e.route, e.route)} request {self.named(e.request)} about {w(e.subject)}"
                f" for {w(e.person_at_risk)}{by}"
            )
        if isinstance(e, DisclosureDecision):
            words = "disclose" if e.decision == "disclose" else "not to disclose"
            return f"decision on Clare's Law request {self.named(e.request)}: {words}" + (
                f": {e.rationale}" if e.rationale.strip() else " (no rationale recorded)"
            )
        if isinstance(e, ActionCompleted):
            return f"an officer did '{kind_words(e.action)}' for {w(e.victim)} / {w(e.subject)}"
        if isinstance(e, ActionDeclined):
            return (
                f"an officer declined '{kind_words(e.action)}' for {w(e.victim)} / {w(e.subject)}:"
                f" {e.rationale or '(no rationale recorded)'}"
            )
        return e.type

    _handlers: dict[str, Callable[[Engine, Event], None]] = {}


_urgency = PRIORITIES.index  # most urgent first
_AVERAGE_MONTH = dt.timedelta(days=365.2425 / 12)
_WINDOW_MARGIN = dt.timedelta(days=7)


def _days(delta: dt.timedelta) -> str:
    days = delta / dt.timedelta(days=1)
    return f"{days:g} day{'s' if days != 1 else ''}"


Engine._handlers = {
    "report": Engine._on_report,  # type: ignore[dict-item]
    "risk_assessment": Engine._on_risk_assessment,  # type: ignore[dict-item]
    "order_granted": Engine._on_order_granted,  # type: ignore[dict-item]
    "order_ended": Engine._on_order_ended,  # type: ignore[dict-item]
    "order_varied": Engine._on_order_varied,  # type: ignore[dict-item]
    "breach": Engine._on_breach,  # type: ignore[dict-item]
    "sighting": Engine._on_sighting,  # type: ignore[dict-item]
    "contact_attempt": Engine._on_contact_attempt,  # type: ignore[dict-item]
    "arrest": Engine._on_arrest,  # type: ignore[dict-item]
    "warrant_issued": Engine._on_warrant_issued,  # type: ignore[dict-item]
    "warrant_executed": Engine._on_warrant_executed,  # type: ignore[dict-item]
    "warrant_withdrawn": Engine._on_warrant_withdrawn,  # type: ignore[dict-item]
    "alarm_activated": Engine._on_alarm_activated,  # type: ignore[dict-item]
    "intelligence": Engine._on_intelligence,  # type: ignore[dict-item]
    "action_completed": Engine._on_action_completed,  # type: ignore[dict-item]
    "action_declined": Engine._on_action_declined,  # type: ignore[dict-item]
    "disclosure_request": Engine._on_disclosure_request,  # type: ignore[dict-item]
    "disclosure_decision": Engine._on_disclosure_decision,  # type: ignore[dict-item]
    "alarm_fitted": Engine._nothing,
    "charge": Engine._nothing,
    "released": Engine._nothing,
    "court_hearing": Engine._nothing,
}


def evaluate(policy: Policy, world: World, events: Iterable[Event], until: dt.datetime | None = None) -> Outcome:
    """Apply `events` (any order; they are put in the engine's order) and advance to `until`
    (default: the last event). Pure: the same input always gives the same outcome."""
    # The cyclic garbage collector is paused while the events are applied: the engine makes
    # next to no cyclic garbage, and the collector's passes over everything kept so far (the
    # chronology, the actions) grew with the timeline, a quarter of the time at 100,000
    # events. Reference counting still frees everything else at once; the collector is
    # switched back on afterwards if it was on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        engine = Engine(policy, world)
        ordered = with_ids(events)
        if until is not None:
            until = until.astimezone(dt.UTC)
        apply = engine._apply  # `with_ids` put every time in UTC already
        for event in ordered:
            if until is not None and event.at > until:
                break
            apply(event)
        if until is not None:
            engine.advance(until)
        return engine.outcome()
    finally:
        if collecting:
            gc.enable()
