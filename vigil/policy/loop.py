"""The event loop: the engine applies the facts one at a time and lets the rules act.

`Engine(policy, world)` starts with nothing known; `apply(event)` adds one fact at its time;
`advance(until)` lets the clock run to `until`, recording the escalation steps that fall due.
The engine never reads the wall clock: time is the events' and the caller's.
`evaluate(policy, world, events, until)` does all of it at once.

For each event, in this order:

1. the facts it states are recorded (who is linked to whom, an order or a warrant beginning
   or ending, a report counted, an assessment's result), with the closings FORMAT.md gives
   the event itself (an assessment does what `complete_risk_assessment` and `review_risk`
   asked, an arrest what `arrest_suspect` and `execute_warrant` asked, and so on);
2. each rule and escalator that acts on the event's type, in the order of the registry
   (`vigil.policy.rules.REGISTRY`);
3. the level of every pair the event touched is worked out again (`vigil.policy.risk`),
   which may call the rules' `when_risen`; after an assessment, the rules' `when_assessed`.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from vigil.policy.config import Policy
from vigil.policy.facts import (
    ActionCompleted,
    Arrest,
    Condition,
    ContactAttempt,
    Event,
    Intelligence,
    OrderEnded,
    OrderGranted,
    OrderVaried,
    Place,
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
from vigil.policy.ledger import ARREST_CLOSES
from vigil.policy.outcome import DONE, Action, ChronologyEntry, Flag, Outcome, Pair
from vigil.policy.risk import Assessed, RiskModel
from vigil.policy.rules.base import HOOKS, Rule, answers
from vigil.policy.vocabulary import ActionKind, EventType, ExtensionEventType, Instrument, OrderType, RelationshipKind
from vigil.policy.words import Words


@dataclass
class OrderState:
    """An order as known so far: when it is in force, whom it protects, and its terms in
    force now (those granted, until a variation replaces them)."""

    event: OrderGranted
    subject: str
    protected: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    expires: dt.datetime | None = None
    ended_at: dt.datetime | None = None

    def in_force(self, at: dt.datetime) -> bool:
        if at < self.event.at:
            return False
        if self.ended_at is not None and at >= self.ended_at:
            return False
        return self.expires is None or at < self.expires

    def protects(self, victim: str) -> bool:
        return victim in self.protected

    @property
    def words(self) -> str:
        """The order's kind in words ("domestic violence protection order")."""
        return _ORDER_WORDS.get(self.event.order_type, self.event.order_type)


@dataclass
class WarrantState:
    ref: str
    subject: str
    outstanding: bool = True


_ORDER_WORDS = OrderType.words_map()
_INSTRUMENT_WORDS = Instrument.words_map()
_COMPLETE_RISK_ASSESSMENT = ActionKind.COMPLETE_RISK_ASSESSMENT.value
_REVIEW_RISK = ActionKind.REVIEW_RISK.value
_CONSIDER_PROTECTIVE_ORDER = ActionKind.CONSIDER_PROTECTIVE_ORDER.value

# (a person's household member's record, since, until)
Household = list[tuple[str, dt.date | None, dt.date | None]]


# For one event type: how the engine records its facts (if it does), and the rules' handlers.
_Plan = tuple[Callable[[Any], None] | None, tuple[Callable[[Any], None], ...]]


class Engine(RiskModel):
    """Apply events one at a time, in time order; read the outcome at any point."""

    def __init__(self, policy: Policy, world: World) -> None:
        self.policy = policy
        self.world = world
        self.zone = ZoneInfo(world.timezone)
        self.words = Words(policy, world)
        self.who = self.words.who
        self.when = self.words.when
        self.named = self.words.named
        self.place_words = self.words.place_words
        self.clock: dt.datetime | None = None
        self.flags: list[Flag] = []
        self.chronology: list[ChronologyEntry] = []
        self.orders: dict[str, OrderState] = {}
        self._orders_of_subject: dict[str, list[OrderState]] = {}
        self.warrants: dict[str, WarrantState] = {}
        self._warrants_of_subject: dict[str, list[WarrantState]] = {}
        self._victims_of: dict[str, dict[str, None]] = {}  # subject -> victims, in order linked
        self.last_pair_of_victim: dict[str, Pair] = {}
        self._reported_records: dict[str, dt.datetime] = {}
        self._ids: set[str] = set()
        self.assessed: Assessed | None = None
        # What the event being applied names, worked out once by its facts for the rules that
        # act on it: the pair (a report, a risk assessment, a contact attempt); for a
        # sighting, its subject as the identity links group him and where he was seen.
        self.event_pair: Pair = ("", None)
        self.event_subject = ""
        self.event_seen_at: tuple[float | None, float | None] = (None, None)
        self.init_ledger()
        self.init_risk()
        self._index_world()
        self.rules: list[Rule[Any]] = [cls(self, policy.settings_of(cls)) for cls in policy.registry]
        self._hooks: dict[str, list[Any]] = {
            hook: [getattr(rule, hook) for rule in self.rules if answers(rule, hook)] for hook in HOOKS
        }
        self._plans: dict[str, _Plan] = {}
        for kind in (*EventType.values, *ExtensionEventType.values, *(t for rule in self.rules for t in rule.events)):
            facts = getattr(self, f"_facts_{kind}", None)
            handlers = tuple(rule.handler(kind) for rule in self.rules if kind in rule.events)
            if facts is not None or handlers:
                self._plans[kind] = (facts, handlers)

    # --- world indexes ----------------------------------------------------------------

    def _index_world(self) -> None:
        w = self.world
        self._relationship_kinds: dict[frozenset[str], set[str]] = {}
        self.household: dict[str, Household] = {}
        for rel in w.relationships:
            a, b = w.canonical(rel.a), w.canonical(rel.b)
            self._relationship_kinds.setdefault(frozenset((a, b)), set()).add(rel.kind)
            if rel.kind == RelationshipKind.HOUSEHOLD:
                self.household.setdefault(a, []).append((rel.b, rel.since, rel.until))
                self.household.setdefault(b, []).append((rel.a, rel.since, rel.until))
        self.home_members: dict[str, list[str]] = {}
        for person in w.people.values():
            if person.home:
                self.home_members.setdefault(person.home, []).append(person.ref)
        self.places_of: dict[str, list[Place]] = {}
        for place in w.places.values():
            if place.person:
                self.places_of.setdefault(place.person, []).append(place)

    def relationship_kinds(self, pair: Pair) -> set[str]:
        """How the pair are or were related (by the world's relationships)."""
        victim, subject = pair
        if subject is None:
            return set()
        return self._relationship_kinds.get(frozenset((victim, subject)), set())

    # --- the public interface -----------------------------------------------------------

    def apply(self, event: Event) -> ChronologyEntry:
        """Apply one event at its time. Events must come in the engine's order (see
        `facts.with_ids`); an event earlier than the clock is refused."""
        if event.at.tzinfo is None:
            raise ValueError("event times must be timezone-aware")
        return self.apply_utc(in_utc(event))

    def apply_utc(self, event: Event) -> ChronologyEntry:
        """`apply` for an event whose times are already in UTC."""
        if self.clock is not None and event.at < self.clock:
            raise ValueError(f"event at {event.at.isoformat()} is before the engine's clock {self.clock.isoformat()}")
        if self.horizon is None or event.at > self.horizon:
            self.horizon, self.inclusive = event.at, False
        event_id = event.event_id or content_id(event)
        while event_id in self._ids:
            event_id += "+"
        self._ids.add(event_id)
        self.clock = event.at
        entry = ChronologyEntry(event.at, event.TYPE, event_id, event.index, event, [], self.words)
        self.chronology.append(entry)
        self.current = entry
        self.event_id = event_id
        self.known = event.recorded or event.at
        plan = self._plans.get(event.TYPE)
        if plan is None:
            self.note("not an event this policy acts on")
            return entry
        facts, handlers = plan
        if facts is not None:
            facts(event)
        for handler in handlers:
            handler(event)
        if self._touched:
            self.settle_risk(event.at)
        assessed = self.assessed
        if assessed is not None:
            self.assessed = None
            for hook in self._hooks["when_assessed"]:
                hook(assessed)
        return entry

    def advance(self, until: dt.datetime) -> None:
        """Let the clock run to `until`, recording every escalation step due by then."""
        if until.tzinfo is None:
            raise ValueError("until must be timezone-aware")
        until = until.astimezone(dt.UTC)
        if self.clock is not None and until < self.clock:
            raise ValueError("cannot advance the clock backwards")
        self.horizon, self.inclusive = until, True
        self.clock = until

    def outcome(self) -> Outcome:
        """Everything so far, with every ladder step due by the clock recorded (steps at the
        clock itself only after `advance`)."""
        self.settle()
        return Outcome(
            until=self.clock,
            risk=list(self.risk),
            flags=list(self.flags),
            actions=list(self.actions),
            events=list(self.chronology),
            levels={pair: st.level for pair, st in self.pairs.items() if st.level is not None},
            words=self.words,
        )

    # --- what the rules read ------------------------------------------------------------

    def pair(self, victim: str, subject: str | None) -> Pair:
        """The pair as the identity links group the records."""
        canonical = self.world.canonical
        return (canonical(victim), canonical(subject) if subject else None)

    def victims_of(self, subject: str) -> list[str]:
        """The victims the subject is linked to, in the order they were linked."""
        return list(self._victims_of.get(subject, {}))

    def is_victim_of(self, victim: str, subject: str) -> bool:
        return victim in self._victims_of.get(subject, {})

    def orders_of(self, subject: str) -> Sequence[OrderState]:
        return self._orders_of_subject.get(subject, ())

    def warrants_of(self, subject: str) -> Sequence[WarrantState]:
        return self._warrants_of_subject.get(subject, ())

    def order_in_force(self, pair: Pair, at: dt.datetime) -> bool:
        """Whether an order protecting the pair's victim from its subject is in force."""
        victim, subject = pair
        if subject is None:
            return False
        return any(o.in_force(at) and o.protects(victim) for o in self._orders_of_subject.get(subject, ()))

    def seen_at(self, e: Sighting) -> tuple[float | None, float | None]:
        """Where the subject was seen: the sighting's point, else its place's."""
        lat, lon = e.lat, e.lon
        if (lat is None or lon is None) and e.place and e.place in self.world.places:
            lat, lon = self.world.places[e.place].lat, self.world.places[e.place].lon
        return lat, lon

    def flag(self, kind: str, refs: tuple[str, ...], detail: str, at: dt.datetime, extra: str = "") -> None:
        key = f"{kind}:{':'.join(refs)}:{self.event_id}:{extra}"
        self.flags.append(Flag(at, kind, tuple([r for r in refs if r]), detail, key, self.event_id))
        self.note(f"flag {kind}: {detail}")

    def breached(self, pair: Pair, orders: Sequence[OrderState], at: dt.datetime) -> None:
        """An event broke `orders` for the pair (R5 says so): the rules' `when_order_broken` (E1)."""
        for hook in self._hooks["when_order_broken"]:
            hook(pair, orders, at)

    def risen(self, pair: Pair, level: str, at: dt.datetime) -> None:
        for hook in self._hooks["when_risen"]:
            hook(pair, level, at)

    def link(self, pair: Pair, at: dt.datetime) -> None:
        """The subject is now linked to the victim (a report, order, assessment or contact
        attempt named them together)."""
        victim, subject = pair
        if subject is None:
            # A report naming no suspect leaves the victim's last known subject as it was
            # (R7's alarm response names him); a victim with none has (victim, None).
            self.last_pair_of_victim.setdefault(victim, pair)
            return
        self.last_pair_of_victim[victim] = pair
        victims = self._victims_of.setdefault(subject, {})
        if victim in victims:
            return
        victims[victim] = None
        for hook in self._hooks["when_linked"]:
            hook(pair, at)

    # --- the facts each event states --------------------------------------------------------

    def _facts_report(self, e: Report) -> None:
        pair = self.event_pair = self.pair(e.victim, e.suspect)
        self._linked_reports(e, pair)
        self.link(pair, e.at)
        self.add_report(pair, e.at)
        self.touch(pair)

    def _linked_reports(self, e: Report, pair: Pair) -> None:
        """Flag `linked_reports` when a record of this report is one person with a record an
        earlier report named."""
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
            self.flag("linked_reports", tuple(refs), words, e.at)
        for ref in named:
            self._reported_records.setdefault(ref, e.at)

    def _facts_risk_assessment(self, e: RiskAssessment) -> None:
        pair = self.event_pair = self.pair(e.victim, e.suspect)
        self.link(pair, e.at)
        name = _INSTRUMENT_WORDS.get(e.instrument, e.instrument)
        kind = _COMPLETE_RISK_ASSESSMENT
        opened = self._open  # (the words of a closing are worked out only when one closes)
        if opened.get((pair, kind)):
            self.close_kind(pair, kind, DONE, e.at, f"{name} completed on {self.when(e.at)}")
        unnamed = (pair[0], None)  # asked for by a report that named no suspect: this assessment answers it
        if pair[1] is not None and opened.get((unnamed, kind)):
            self.close_kind(
                unnamed,
                kind,
                DONE,
                e.at,
                f"{name} completed on {self.when(e.at)} for {self.who(pair[0])} and {self.who(pair[1])}",
            )
        reviews: list[Action] = []
        if opened.get((pair, _REVIEW_RISK)):
            reviews = self.close_kind(pair, _REVIEW_RISK, DONE, e.at, f"risk reviewed with a {name} on {self.when(e.at)}")
        result = self.assess(pair, e)
        self.assessed = Assessed(pair, e, result, reviews)
        self.touch(pair, self.assessed)

    def _facts_order_granted(self, e: OrderGranted) -> None:
        subject = self.world.canonical(e.subject)
        protected = tuple(dict.fromkeys(self.world.canonical(p) for p in e.protected))
        order = OrderState(e, subject, protected, conditions=e.conditions, expires=e.expires)
        self.orders[e.order] = order
        self._orders_of_subject.setdefault(subject, []).append(order)
        for victim in protected:
            pair = (victim, subject)
            self.link(pair, e.at)
            self.close_kind(
                pair,
                _CONSIDER_PROTECTIVE_ORDER,
                DONE,
                e.at,
                f"{order.words} {self.named(e.order)} granted on {self.when(e.at)}",
            )

    def _facts_order_ended(self, e: OrderEnded) -> None:
        order = self.orders.get(e.order)
        if order is None:
            self.note(f"order {self.named(e.order)} is not known at this time")
            return
        order.ended_at = e.at

    def _facts_order_varied(self, e: OrderVaried) -> None:
        """From the variation on, the order's conditions and expiry are the new ones; what was
        broken before it stays broken (its arrests and reviews are kept)."""
        order = self.orders.get(e.order)
        if order is None:
            self.note(f"order {self.named(e.order)} is not known at this time")
            return
        if order.ended_at is not None and order.ended_at <= e.at:
            self.note(f"order {self.named(e.order)} had ended; the variation is recorded and changes nothing")
            return
        order.conditions = e.conditions
        order.expires = e.expires
        until = f", now until {self.when(e.expires)}" if e.expires else ", now with no end date"
        self.note(f"order {self.named(e.order)} varied{until}")

    def _facts_sighting(self, e: Sighting) -> None:
        self.event_subject = self.world.canonical(e.subject)
        self.event_seen_at = self.seen_at(e)

    def _facts_contact_attempt(self, e: ContactAttempt) -> None:
        self.event_pair = self.pair(e.victim, e.subject)
        self.link(self.event_pair, e.at)

    def arrested(self, subject: str, at: dt.datetime, why: str) -> None:
        """The subject is in custody: his open arrests and warrant executions are done."""
        for kind in ARREST_CLOSES:
            for action in self.open_of_subject(subject, kind):
                self.close(action, DONE, at, why)
        for warrant in self._warrants_of_subject.get(subject, ()):
            warrant.outstanding = False

    def _facts_arrest(self, e: Arrest) -> None:
        subject = self.world.canonical(e.subject)
        self.arrested(subject, e.at, f"{self.who(subject)} arrested on {self.when(e.at)}")

    def _facts_warrant_issued(self, e: WarrantIssued) -> None:
        subject = self.world.canonical(e.subject)
        warrant = WarrantState(e.warrant, subject)
        self.warrants[e.warrant] = warrant
        self._warrants_of_subject.setdefault(subject, []).append(warrant)

    def _facts_warrant_executed(self, e: WarrantExecuted) -> None:
        warrant = self.warrants.get(e.warrant)
        if warrant is None:
            self.note(f"warrant {self.named(e.warrant)} is not known at this time")
            return
        self.arrested(warrant.subject, e.at, f"warrant {self.named(e.warrant)} executed on {self.when(e.at)}")

    def _facts_warrant_withdrawn(self, e: WarrantWithdrawn) -> None:
        warrant = self.warrants.get(e.warrant)
        if warrant is None:
            self.note(f"warrant {self.named(e.warrant)} is not known at this time")
            return
        warrant.outstanding = False

    def _facts_intelligence(self, e: Intelligence) -> None:
        subject = self.world.canonical(e.subject)
        if (e.threat_to_kill or e.weapons) and not self._victims_of.get(subject):
            self.note("the subject is not linked to any victim yet; no escalator")

    def _facts_action_completed(self, e: ActionCompleted) -> None:
        pair = self.pair(e.victim, e.subject)
        closed = self.close_kind(
            pair, e.action, DONE, e.at, f"completed by an officer on {self.when(e.at)}", known_by=e.recorded or e.at
        )
        if not closed:
            self.note("recorded decision: no open action of that kind for this pair")

    def _recorded(self, e: Event) -> None:
        self.note("recorded")

    _facts_alarm_fitted = _recorded
    _facts_charge = _recorded
    _facts_released = _recorded
    _facts_court_hearing = _recorded


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
        apply = engine.apply_utc  # `with_ids` put every time in UTC already
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
