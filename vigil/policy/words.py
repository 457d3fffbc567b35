"""The engine's words: people, times, places, orders and events as a sentence says them.

Codes become words through the vocabulary (`vigil.policy.vocabulary`); this module puts them
in sentences for the chronology and the reasons of actions. A `Words` serves one world (its
people, places, labels and zone), and caches what it has said.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from vigil.policy.facts import (
    ActionCompleted,
    ActionDeclined,
    AlarmActivated,
    AlarmFitted,
    Arrest,
    Breach,
    Charge,
    ContactAttempt,
    CourtHearing,
    DisclosureDecision,
    DisclosureRequest,
    Event,
    Intelligence,
    OrderEnded,
    OrderGranted,
    OrderVaried,
    PartnerConcern,
    Released,
    Report,
    RiskAssessment,
    Sighting,
    WarrantExecuted,
    WarrantIssued,
    WarrantWithdrawn,
    World,
)
from vigil.policy.outcome import DECLINED, Action
from vigil.policy.table import ActionSpec
from vigil.policy.vocabulary import ActionKind, DisclosureOutcome, DisclosureRoute, Instrument, OrderType, ReportCategory

if TYPE_CHECKING:
    from vigil.policy.config import Policy

_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


_KIND_WORDS = {kind.value: kind.words for kind in ActionKind.members}


def kind_words(kind: str) -> str:
    """What an action of `kind` asks, in words ("tell the school"); the code when unknown."""
    return _KIND_WORDS.get(kind, kind)


def duration(delta: dt.timedelta) -> str:
    """A setting's time span as `vigil policy show` says it ("24 hours", "28 days")."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "at once"
    if seconds % 86400 == 0 and seconds >= 86400 * 7:
        return f"{seconds // 86400} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def due_words(spec: ActionSpec) -> str:
    """An action a rule creates, as `vigil policy show` says it."""
    return f"{spec.kind} due {duration(spec.due)} after the event ({spec.priority})"


def either(items: Iterable[object]) -> str:
    """Codes or numbers as "a, b or c" (underscores as spaces)."""
    names = [str(item).replace("_", " ") for item in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def days(delta: dt.timedelta) -> str:
    """A whole or part number of days in words ("7 days", "1 day", "0.5 days")."""
    count = delta / dt.timedelta(days=1)
    return f"{count:g} day{'s' if count != 1 else ''}"


class _PeopleWords(dict[str | None, str]):
    """Each person ref as "Name (ref)", worked out on first use. Read through its
    `__getitem__` (`Words.who`): a said name costs one lookup, not a call of Python code."""

    def __init__(self, world: World) -> None:
        super().__init__({None: "an unknown person"})
        self.world = world

    def __missing__(self, ref: str | None) -> str:
        assert ref is not None
        person = self.world.person(ref)
        text = self[ref] = f"{person.name} ({ref})" if person else ref
        return text


class _MomentWords(dict[dt.datetime, str]):
    """Each moment on the world's wall clock, "14 Nov 2021 19:10", worked out on first use
    (read through its `__getitem__`, `Words.when`)."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__()
        self.zone = zone

    def __missing__(self, at: dt.datetime) -> str:
        local = at.astimezone(self.zone)
        text = self[at] = f"{local.day} {_MONTHS[local.month]} {local.year} {local.hour:02d}:{local.minute:02d}"
        return text


class Words:
    """Sentences about one world, for one policy."""

    def __init__(self, policy: Policy, world: World) -> None:
        self.policy = policy
        self.world = world
        self.zone = ZoneInfo(world.timezone)
        # `who(ref)`: a person as "Name (ref)" ("an unknown person" for None).
        # `when(at)`: a moment on the world's wall clock, "14 Nov 2021 19:10".
        # The engine says them some 90,000 times in 20,000 events: each is a cached lookup.
        self.who: Callable[[str | None], str] = _PeopleWords(world).__getitem__
        self.when: Callable[[dt.datetime], str] = _MomentWords(self.zone).__getitem__

    def named(self, ident: str) -> str:
        """An order's or a warrant's name in words: its label in the world, else its id."""
        return self.world.labels.get(ident, ident)

    def place_words(self, ref: str | None) -> str:
        if ref is None:
            return ""
        place = self.world.places.get(ref)
        return f"{place.label} ({ref})" if place else ref

    def describe_created(self, action: Action, due_at: dt.datetime, priority: str) -> str:
        subject = "" if action.subject is None else " / " + self.who(action.subject)
        return (
            f"{action.id} {kind_words(action.kind)} for {self.who(action.victim)}{subject}"
            f" ({action.rule}, {priority}, due {self.when(due_at)}): {action.reason}"
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

    def describe(self, e: Event) -> str:
        """What the event was, in a sentence."""
        w = self.who
        if isinstance(e, Report):
            text = f"Report of {ReportCategory.words_of(e.category)}: {w(e.victim)}"
            text += f", suspect {w(e.suspect)}" if e.suspect else ", no suspect named"
            if e.reported_by:
                text += f", reported by {w(e.reported_by)}"
            if e.children_present:
                text += f"; children present: {', '.join(w(c) for c in e.children_present)}"
            return text
        if isinstance(e, RiskAssessment):
            grading = f", officer's grading {e.officer_level}" if e.officer_level else ""
            return f"{Instrument.words_of(e.instrument)} completed for {w(e.victim)} / {w(e.suspect)}{grading}"
        if isinstance(e, OrderGranted):
            until = f" until {self.when(e.expires)}" if e.expires else ""
            return (
                f"{OrderType.words_of(e.order_type)} {self.named(e.order)} granted against {w(e.subject)}, protecting"
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
            where = f" at {self.place_words(e.place)}" if e.place else ""
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
            return f"police alarm given to {w(e.person)}" + (f" at {self.place_words(e.place)}" if e.place else "")
        if isinstance(e, AlarmActivated):
            return f"police alarm pressed by {w(e.person)}" + (f" at {self.place_words(e.place)}" if e.place else "")
        if isinstance(e, Intelligence):
            facts = [word for flag, word in ((e.weapons, "weapons"), (e.threat_to_kill, "a threat to kill")) if flag]
            return f"intelligence about {w(e.subject)}" + (f": {' and '.join(facts)}" if facts else "")
        if isinstance(e, DisclosureRequest):
            by = f", applied for by {w(e.applicant)}" if e.applicant else ""
            return (
                f"Clare's Law {DisclosureRoute.words_of(e.route)} request {self.named(e.request)} about {w(e.subject)}"
                f" for {w(e.person_at_risk)}{by}"
            )
        if isinstance(e, DisclosureDecision):
            words = DisclosureOutcome.words_of(e.decision)
            return f"decision on Clare's Law request {self.named(e.request)}: {words}" + (
                f": {e.rationale}" if e.rationale.strip() else " (no rationale recorded)"
            )
        if isinstance(e, PartnerConcern):
            about = f"{w(e.victim)} / {w(e.subject)}" if e.subject else w(e.victim)
            return f"a partner agency's concern about {about}" + (f", raised by {e.agency}" if e.agency else "")
        if isinstance(e, ActionCompleted):
            return f"an officer did '{kind_words(e.action)}' for {w(e.victim)} / {w(e.subject)}"
        if isinstance(e, ActionDeclined):
            return (
                f"an officer declined '{kind_words(e.action)}' for {w(e.victim)} / {w(e.subject)}:"
                f" {e.rationale or '(no rationale recorded)'}"
            )
        return e.type
