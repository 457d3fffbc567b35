"""R5 breach: an order broken (a breach reported; the subject seen inside an exclusion zone or
near a person a no-contact order protects; a contact attempt while a no-contact order is in
force) is flagged and gets an arrest (within 4 hours, immediate, for a high pair) and a risk
review. An arrest for breaking an order is cancelled when every order it was for has ended."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy import geo
from vigil.policy.facts import Breach, ContactAttempt, Event, OrderEnded, Sighting
from vigil.policy.outcome import CANCELLED, OPEN, Action
from vigil.policy.rules.base import Rule
from vigil.policy.table import PRIORITIES, ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind, ConditionKind
from vigil.policy.words import due_words, duration

if TYPE_CHECKING:
    from vigil.policy.config import Policy
    from vigil.policy.loop import Engine, OrderState
    from vigil.policy.outcome import Pair

_EXCLUSION_ZONE, _NO_CONTACT = ConditionKind.EXCLUSION_ZONE.value, ConditionKind.NO_CONTACT.value

# One way an event broke an order for a pair: (pair, order, how in words).
Broken = list[tuple["Pair", "OrderState", str]]


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    arrest: ActionSpec
    arrest_high: ActionSpec  # for a pair at the highest level
    review_risk: ActionSpec


class BreachRule(Rule[Settings]):
    code = "R5"
    events = ("order_ended", "breach", "sighting", "contact_attempt")
    creates = (ActionKind.ARREST_SUSPECT.value, ActionKind.REVIEW_RISK.value)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        arrest = ActionKind.ARREST_SUSPECT.value
        settings = Settings(
            *rule_header(t),
            arrest=ActionSpec(arrest, t.hours("arrest_due_hours"), t.choice("arrest_priority", PRIORITIES)),
            arrest_high=ActionSpec(arrest, t.hours("arrest_due_hours_high"), t.choice("arrest_priority_high", PRIORITIES)),
            review_risk=t.action("review_risk"),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return (
            "a breach; a sighting inside an exclusion zone of an order in force, or near a person protected by a"
            " no-contact order; a contact attempt while a no-contact order is in force: flag breach; arrest_suspect due"
            f" {duration(s.arrest_high.due)} ({s.arrest_high.priority}) for a {policy.risk.high} pair, else due"
            f" {duration(s.arrest.due)} ({s.arrest.priority}); {due_words(s.review_risk)}."
        )

    def __init__(self, engine: Engine, settings: Settings) -> None:
        super().__init__(engine, settings)
        # The arrests for breaking each order (by the order's identity), with every order each is for.
        self._arrests: dict[int, list[tuple[Action, tuple[OrderState, ...]]]] = {}

    def on_breach(self, e: Breach) -> None:
        engine = self.engine
        order = engine.orders.get(e.order)
        if order is None:
            engine.note(f"order {engine.named(e.order)} is not known at this time; nothing to act on")
            return
        name = f"{order.words} {engine.named(order.event.order)}"
        if not order.in_force(e.at):
            # A breach breaks an order in force (FORMAT.md, `breach` flag); this one had ended.
            ended = order.ended_at if order.ended_at is not None else order.expires
            since = f" (it ended on {engine.when(ended)})" if ended is not None and ended <= e.at else ""
            engine.note(f"{name} was not in force at this time{since}: recorded, no breach")
            return
        how = f"{name} reported broken"
        self._broken(e, [((victim, order.subject), order, how) for victim in order.protected], order.subject)

    def on_sighting(self, e: Sighting) -> None:
        engine = self.engine
        subject = engine.event_subject
        lat, lon = engine.event_seen_at
        near = engine.world.canonical(e.near) if e.near else None
        broken: Broken = []
        for order in engine.orders_of(subject):
            if not order.in_force(e.at):
                continue
            name = f"{order.words} {engine.named(order.event.order)}"
            for condition in order.conditions:
                if condition.kind == _EXCLUSION_ZONE and lat is not None and lon is not None and condition.place:
                    zone = engine.world.places.get(condition.place)
                    radius = condition.radius_m or 0.0
                    if zone is None:
                        continue
                    distance = geo.distance_m(lat, lon, zone.lat, zone.lon)
                    if distance <= radius:
                        how = (
                            f"seen {distance:.0f} m from {engine.place_words(condition.place)}, inside the {radius:.0f} m"
                            f" exclusion zone of the {name}"
                        )
                        broken.extend(((victim, subject), order, how) for victim in order.protected)
                elif condition.kind == _NO_CONTACT and near is not None and order.protects(near):
                    how = f"seen near {engine.who(near)}, whom the {name} protects from contact"
                    broken.append(((near, subject), order, how))
        self._broken(e, broken, subject)

    def on_contact_attempt(self, e: ContactAttempt) -> None:
        engine = self.engine
        pair = engine.event_pair
        victim, subject = pair
        assert subject is not None
        broken: Broken = []
        for order in engine.orders_of(subject):
            no_contact = any(c.kind == _NO_CONTACT for c in order.conditions)
            if order.in_force(e.at) and order.protects(victim) and no_contact:
                broken.append(
                    (
                        pair,
                        order,
                        f"tried to contact {engine.who(victim)} by {e.channel.replace('_', ' ')}"
                        f" while the {order.words} {engine.named(order.event.order)} forbids contact",
                    )
                )
        self._broken(e, broken, subject)

    def on_order_ended(self, e: OrderEnded) -> None:
        # "Closing": an action closes as cancelled when what it was for has gone. An arrest
        # for breaking this order is for the order; the risk review after the breach is for
        # the victim, and stays.
        engine = self.engine
        order = engine.orders.get(e.order)
        if order is None:
            return
        name = f"{order.words} {engine.named(e.order)}"
        for arrest, orders in self._arrests.get(id(order), ()):
            if arrest.status == OPEN and not any(o.in_force(e.at) for o in orders):
                engine.close(arrest, CANCELLED, e.at, f"{name} ended on {engine.when(e.at)}: no order left to enforce")

    def _broken(self, e: Event, broken: Broken, subject: str) -> None:
        """The pairs an event broke: one flag for the event, one arrest and one review per pair."""
        s = self.settings
        if not broken or not s.enabled:
            return
        engine = self.engine
        pairs: list[Pair] = []
        for pair, _, _ in broken:
            if pair not in pairs:
                pairs.append(pair)
        refs = [pairs[0][0], subject, *[p[0] for p in pairs[1:]]]
        details = "; ".join(dict.fromkeys(how for _, _, how in broken))
        engine.flag("breach", tuple(refs), f"{engine.who(subject)}: {details}", e.at)
        for pair in pairs:
            orders: Sequence[OrderState] = [o for p, o, _ in broken if p == pair]
            engine.breached(pair, orders, e.at)  # E1 may make the pair high first
            high = engine.is_high(pair)
            spec = s.arrest_high if high else s.arrest
            orders = list({id(o): o for o in orders}.values())  # one order broken two ways is named once
            named = ", ".join(f"{o.words} {engine.named(o.event.order)}" for o in orders)
            arrest = engine.create(
                rule=self.code,
                spec=spec,
                pair=pair,
                at=e.at,
                reason=f"{named} protecting {engine.who(pair[0])} broken on {engine.when(e.at)}"
                f"{' by a subject whose victim is at high risk' if high else ''}: arrest {engine.who(subject)}",
            )
            for order in orders:
                self._arrests.setdefault(id(order), []).append((arrest, tuple(orders)))
            engine.create(
                rule=self.code,
                spec=s.review_risk,
                pair=pair,
                at=e.at,
                reason=f"{named} broken on {engine.when(e.at)}: review the risk to {engine.who(pair[0])}",
            )
