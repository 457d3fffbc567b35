"""R2 children (Operation Encompass): a report with children present, or with children of
school age living in the victim's or the suspect's household, tells each child's school
before the next school day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy import calendar
from vigil.policy.facts import Report
from vigil.policy.rules.base import Rule
from vigil.policy.table import PRIORITIES, Table, rule_header
from vigil.policy.vocabulary import WEEKDAYS, ActionKind, ReportCategory

if TYPE_CHECKING:
    from vigil.policy.config import Policy
    from vigil.policy.loop import Engine
    from vigil.policy.outcome import Pair

_NOTIFY_SCHOOL = ActionKind.NOTIFY_SCHOOL.value
_CATEGORY_WORDS = ReportCategory.words_map()

# The pair's adults, and who lives with them: (canonical child, record, since, until).
Households = tuple[set[str], list[tuple[str, str, dt.date | None, dt.date | None]]]


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    min_age: int
    max_age: int
    notify_time: dt.time
    school_days: tuple[int, ...]  # Monday is 0
    priority: str


class Children(Rule[Settings]):
    code = "R2"
    events = ("report",)
    creates = (ActionKind.NOTIFY_SCHOOL.value,)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        enabled, title = rule_header(t)
        notify_raw = t.string("notify_time")
        try:
            notify_time = dt.time.fromisoformat(notify_raw)
        except ValueError as exc:
            raise t.error("notify_time", f"must be a time of day like 09:00, got {notify_raw!r}") from exc
        settings = Settings(
            enabled,
            title,
            min_age=t.count("min_age", minimum=0),
            max_age=t.count("max_age"),
            notify_time=notify_time,
            school_days=tuple(sorted(WEEKDAYS.index(day) for day in t.choices("school_days", WEEKDAYS))),
            priority=t.choice("notify_school_priority", PRIORITIES),
        )
        if settings.min_age > settings.max_age:
            raise t.error("min_age", f"must be at most max_age ({settings.max_age}), got {settings.min_age}")
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        days = ", ".join(WEEKDAYS[d].capitalize() for d in s.school_days)
        return (
            f"a report with children present, or with children of {s.min_age} to {s.max_age} living in the victim's or"
            " suspect's household, creates one notify_school per child of that age, due at"
            f" {s.notify_time:%H:%M} local time on the first school day ({days}) after the report ({s.priority})."
        )

    def __init__(self, engine: Engine, settings: Settings) -> None:
        super().__init__(engine, settings)
        self._households: dict[Pair, Households] = {}
        self._born: dict[str, str | None] = {}
        self._school: dict[dt.date, tuple[dt.datetime, ...]] = {}

    def on_report(self, e: Report) -> None:
        s = self.settings
        if not s.enabled:
            return
        engine = self.engine
        pair = engine.event_pair
        victim, subject = pair
        day = calendar.local_date(e.at, engine.zone)
        adults, household = self._households_of(pair)
        canonical = engine.world.canonical
        candidates: dict[str, tuple[str, bool]] = {}  # canonical child -> (record, present)
        for ref in e.children_present:
            candidates.setdefault(canonical(ref), (ref, True))
        for child, ref, since, until in household:
            if (since is None or since <= day) and (until is None or day < until):
                candidates.setdefault(child, (ref, False))
        # 09:00 on the local wall clock, kept as a UTC instant like every time in the engine.
        due = self._school_due(e.at, day)
        what = ""
        for child, (ref, present) in candidates.items():
            if child in adults or child == victim or child == subject:
                continue
            person = engine.world.person(ref)
            born = self._born_of(ref)
            if born is None:
                if not present:
                    continue
                age_words = "age not recorded"
            else:
                ages = calendar.age_range_on(born, day)
                if ages is None or ages[1] < s.min_age or ages[0] > s.max_age:
                    continue
                age_words = f"aged {ages[0]}" if ages[0] == ages[1] else f"aged {ages[0]} or {ages[1]}"
            where = "present" if present else "living in the household"
            name = person.name if person else ref
            what = what or f"report of {_CATEGORY_WORDS.get(e.category, e.category)} on {engine.when(e.at)}"
            engine.create(
                rule=self.code,
                kind=_NOTIFY_SCHOOL,
                pair=(child, subject),
                at=e.at,
                due_at=due,
                priority=s.priority,
                reason=f"{what}: {name} ({ref}), {age_words}, {where}: tell the school's safeguarding lead before"
                " the next school day (Operation Encompass)",
                child=child,
            )

    def _households_of(self, pair: Pair) -> Households:
        """The pair's adults (every record of the victim and the subject) and who lives with
        them: (canonical child, record, since, until), in the order R2 looks at them."""
        cached = self._households.get(pair)
        if cached is not None:
            return cached
        victim, subject = pair
        engine = self.engine
        w = engine.world
        adults = set(w.members(victim)) | (set(w.members(subject)) if subject else set())
        household: list[tuple[str, str, dt.date | None, dt.date | None]] = []
        for adult in sorted(adults):
            for ref, since, until in engine.household.get(w.canonical(adult), []):
                household.append((w.canonical(ref), ref, since, until))
            person = w.person(adult)
            if person and person.home:
                for ref in engine.home_members.get(person.home, []):
                    household.append((w.canonical(ref), ref, None, None))
        self._households[pair] = (adults, household)
        return adults, household

    def _born_of(self, ref: str) -> str | None:
        """The first birth date recorded on any record of `ref`'s identity group."""
        if ref in self._born:
            return self._born[ref]
        w = self.engine.world
        born = next((p.born for p in (w.person(m) for m in w.members(ref)) if p and p.born), None)
        self._born[ref] = born
        return born

    def _school_due(self, at: dt.datetime, day: dt.date) -> dt.datetime:
        """`calendar.next_school_day_at(at)` in UTC, for `at` on the local date `day`: the
        first two candidate moments from `day` on are worked out once per date."""
        s = self.settings
        zone = self.engine.zone
        cached = self._school.get(day)
        if cached is None:
            cached = tuple(c.astimezone(dt.UTC) for c in calendar.school_days_from(day, zone, s.notify_time, s.school_days, 2))
            self._school[day] = cached
        for candidate in cached:
            if candidate > at:
                return candidate
        return calendar.next_school_day_at(at, zone, s.notify_time, s.school_days).astimezone(dt.UTC)
