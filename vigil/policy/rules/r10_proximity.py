"""R10 proximity: the subject's home, or a place where he was seen, within 500 m of the
victim's home, work or school is flagged (once per pair and place), and the distance becomes
a driver of the pair's risk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy import geo
from vigil.policy.facts import Place, Sighting
from vigil.policy.rules.base import Rule
from vigil.policy.table import Table, rule_header
from vigil.policy.vocabulary import PlaceKind, codes
from vigil.policy.words import either

if TYPE_CHECKING:
    from vigil.policy.config import Policy
    from vigil.policy.loop import Engine
    from vigil.policy.outcome import Pair

_WHERE: dict[str, str] = {
    PlaceKind.HOME.value: "the victim's home",
    PlaceKind.WORK.value: "the victim's work",
    PlaceKind.SCHOOL.value: "the victim's school",
}


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    distance_m: float
    victim_place_kinds: tuple[str, ...]


class Proximity(Rule[Settings]):
    code = "R10"
    events = ("sighting",)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(
            *rule_header(t),
            distance_m=t.positive_number("distance_m"),
            victim_place_kinds=t.choices("victim_place_kinds", codes(PlaceKind)),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return (
            f"the subject's home, or a place the subject was seen, within {s.distance_m:g} m of the victim's"
            f" {either(s.victim_place_kinds)}: flag proximity once per pair and place; the distance becomes a driver."
        )

    def __init__(self, engine: Engine, settings: Settings) -> None:
        super().__init__(engine, settings)
        self._seen: set[tuple[Pair, str, str]] = set()  # (pair, subject's place, victim's place) flagged
        self._victim_places: dict[str, list[Place]] = {}
        self._victim_homes: dict[str, set[str | None]] = {}

    def when_linked(self, pair: Pair, at: dt.datetime) -> None:
        """Where the subject lives, once he is linked to the victim."""
        for home in self._subject_homes(pair[1] or ""):
            self._near(pair, home.ref, home.lat, home.lon, at, seen=False, subject_place=home)

    def on_sighting(self, e: Sighting) -> None:
        """Where the subject was seen."""
        engine = self.engine
        lat, lon = engine.event_seen_at
        if lat is None or lon is None:
            return
        subject = engine.event_subject
        key = e.place or f"{lat:.6f},{lon:.6f}"
        place = engine.world.places.get(e.place) if e.place else None
        for victim in engine.victims_of(subject):
            self._near((victim, subject), key, lat, lon, e.at, seen=True, subject_place=place)

    def _near(
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
        s = self.settings
        if not s.enabled:
            return
        engine = self.engine
        victim, subject = pair
        for place in self._places_of_victim(victim):
            key = (pair, subject_key, place.ref)
            if key in self._seen:
                continue
            same = subject_place is not None and subject_place.ref == place.ref
            distance = 0.0 if same else geo.distance_m(lat, lon, place.lat, place.lon)
            if distance > s.distance_m:
                continue
            self._seen.add(key)
            where = _WHERE.get(place.kind, f"the victim's {place.label}")
            homes = self._victim_homes.get(victim)
            if homes is None:
                homes = {p.home for p in (engine.world.person(r) for r in engine.world.members(victim)) if p}
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
            st = engine.state(pair)
            if driver not in st.context:
                st.context.append(driver)
            # The flag stands beside other pairs' flags, so it names the victim; the driver
            # belongs to the pair and says "the victim's".
            named = driver.replace("the victim's ", "the ", 1) + f" of {engine.who(victim)}"
            detail = f"{engine.who(subject)} {named} ({engine.place_words(place.ref)}; {distance:.0f} m)"
            engine.flag("proximity", (victim, subject or ""), detail, at, extra=f"{subject_key}:{place.ref}")

    def _places_of_victim(self, victim: str) -> list[Place]:
        cached = self._victim_places.get(victim)
        if cached is not None:
            return cached
        kinds = self.settings.victim_place_kinds
        world = self.engine.world
        members = set(world.members(victim))
        places: list[Place] = []
        for ref in members:
            person = world.person(ref)
            if person and person.home and PlaceKind.HOME.value in kinds and person.home in world.places:
                places.append(world.places[person.home])
        for ref in members:
            for place in self.engine.places_of.get(ref, ()):
                if place.kind in kinds and place not in places:
                    places.append(place)
        places.sort(key=lambda p: p.ref)
        self._victim_places[victim] = places
        return places

    def _subject_homes(self, subject: str) -> list[Place]:
        world = self.engine.world
        homes: list[Place] = []
        for ref in world.members(subject):
            person = world.person(ref)
            if person and person.home and person.home in world.places:
                place = world.places[person.home]
                if place not in homes:
                    homes.append(place)
        return homes
