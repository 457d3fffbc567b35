"""The risk level of a victim/subject pair (POLICY.md, "Risk level of a victim/subject pair").

A pair's level is the highest of its components: the latest result of each instrument, the
officer's latest grading, the escalators in force, and the repeat floor. `components` is the
one statement of that rule; `computed` gives the same highest level without building the
components (it is asked at every report and assessment, `components` only when the level
changes), and tests/policy/test_risk.py proves the two equal over generated pairs.

A level rises as soon as the facts give a higher one; it falls only at a risk assessment,
and only as far as what still holds it up. A rise calls the rules' `when_risen` (R3, R4).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vigil.policy import calendar
from vigil.policy.ledger import Ledger
from vigil.policy.outcome import Action, Pair, RiskChange
from vigil.policy.scoring import InstrumentResult, score_yes, yes_answers
from vigil.policy.vocabulary import QUESTIONS, Instrument, RiskSource

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from vigil.policy.facts import RiskAssessment

# The instruments that set a level themselves (S-DASH sets none), in the order a tie names them.
# Plain codes, read once (an enum member is slower to reach than a module's name).
_DASH, _LETHALITY_SCREEN, _SDASH = Instrument.DASH.value, Instrument.LETHALITY_SCREEN.value, Instrument.SDASH.value
_JUDGEMENT, _POLICY = RiskSource.PROFESSIONAL_JUDGEMENT.value, RiskSource.POLICY.value
_INSTRUMENT_WORDS = Instrument.words_map()
LEVEL_INSTRUMENTS = (_DASH, _LETHALITY_SCREEN)
_AVERAGE_MONTH = dt.timedelta(days=365.2425 / 12)
_WINDOW_MARGIN = dt.timedelta(days=7)


@dataclass
class Component:
    """One thing that sets a level for the pair, with the facts behind it in words."""

    level: str
    source: str
    drivers: tuple[str, ...]


@dataclass
class EscalatorHit:
    code: str
    at: dt.datetime
    until: dt.datetime
    driver: str


@dataclass
class PairState:
    victim: str
    subject: str | None
    level: str | None = None
    instruments: dict[str, InstrumentResult] = field(default_factory=dict)
    officer: str | None = None
    escalators: list[EscalatorHit] = field(default_factory=list)
    reports: list[dt.datetime] = field(default_factory=list)
    stalking: str = ""  # why stalking is known, empty when it is not
    context: list[str] = field(default_factory=list)  # proximity and S-DASH facts


@dataclass
class Assessed:
    """A risk assessment being applied: what the rules that follow it (R3 and R4's rhythm)
    read once the level has been worked out."""

    pair: Pair
    event: RiskAssessment
    result: InstrumentResult
    reviews: list[Action]  # the open review_risk actions it closed
    level_before: str | None = None
    rose: bool = False


class RiskModel(Ledger):
    """The pairs' levels, on top of the action ledger (a level rising creates work)."""

    zone: ZoneInfo
    who: Callable[[str | None], str]
    when: Callable[[dt.datetime], str]

    def init_risk(self) -> None:
        policy = self.policy
        self.pairs: dict[Pair, PairState] = {}
        self.risk: list[RiskChange] = []
        self.ranks: dict[str | None, int] = {level: policy.risk.rank(level) for level in (None, *policy.risk.levels)}
        self._levels: dict[int, str | None] = {rank: level for level, rank in self.ranks.items()}
        self._window_cache: dict[tuple[dt.datetime, int], dt.datetime] = {}
        self._scores: dict[tuple[str, tuple[int, ...]], InstrumentResult] = {}
        self._escalator_window = policy.risk.escalator_window
        self._touched: dict[Pair, Assessed | None] = {}

    def risen(self, pair: Pair, level: str, at: dt.datetime) -> None:
        """The pair's level rose into `level` (the engine calls the rules' `when_risen`)."""
        raise NotImplementedError

    # --- pairs ----------------------------------------------------------------------------

    def state(self, pair: Pair) -> PairState:
        st = self.pairs.get(pair)
        if st is None:
            st = PairState(pair[0], pair[1])
            self.pairs[pair] = st
        return st

    def level_of(self, pair: Pair) -> str | None:
        st = self.pairs.get(pair)
        return st.level if st is not None else None

    def is_high(self, pair: Pair) -> bool:
        """Whether the pair is at the policy's highest level ("a high pair")."""
        return self.level_of(pair) == self.policy.risk.high

    def rank(self, level: str | None) -> int:
        return self.ranks[level]

    # --- facts that set a level -------------------------------------------------------------

    def add_report(self, pair: Pair, at: dt.datetime) -> None:
        """A report about the pair (for the repeat floor)."""
        if pair[1] is not None:
            bisect.insort(self.state(pair).reports, at)

    def stalking_known(self, pair: Pair, why: str) -> None:
        st = self.state(pair)
        if not st.stalking:
            st.stalking = why

    def escalator(self, pair: Pair, code: str, at: dt.datetime, driver: str) -> None:
        """Escalator `code` holds the pair at the escalator level from `at` for its window."""
        st = self.state(pair)
        window = self._escalator_window
        st.escalators.append(EscalatorHit(code, at, at + window, f"{driver} ({code}, {self.when(at)})"))
        victim, subject = pair
        self.note(
            f"{code}: {driver}; the risk to {self.who(victim)} from {self.who(subject)} is held at"
            f" {self.policy.risk.escalator_level} until {self.when(at + window)}"
        )

    def assess(self, pair: Pair, e: RiskAssessment) -> InstrumentResult:
        """Keep the assessment's result for the pair: its instrument's latest result, the
        officer's grading, S-DASH facts, and whether it makes stalking known."""
        st = self.state(pair)
        # A result depends on the yes answers alone; equal answers share one (frozen) result.
        yes = yes_answers(self.policy, e.instrument, e.answers)
        result = self._scores.get((e.instrument, yes))
        if result is None:
            result = self._scores[(e.instrument, yes)] = score_yes(self.policy, e.instrument, yes)
        st.instruments[e.instrument] = result
        self.note(result.summary)
        if e.instrument == _SDASH:
            for driver in result.drivers:
                if driver not in st.context:
                    st.context.append(driver)
        if e.officer_level is not None:
            st.officer = e.officer_level
        if result.stalking_known:
            qs = ", ".join([str(q) for q in result.yes_to(self._stalking_questions(e.instrument))])
            name = _INSTRUMENT_WORDS.get(e.instrument, e.instrument)
            self.stalking_known(pair, f"{name} {'question ' + qs if qs else 'answers'} on {self.when(e.at)}")
        return result

    def _stalking_questions(self, instrument: str) -> tuple[int, ...]:
        if instrument == _DASH:
            return self.policy.risk.dash.stalking_questions
        if instrument == _LETHALITY_SCREEN:
            return self.policy.risk.lethality_screen.stalking_questions
        return tuple(range(1, QUESTIONS[instrument] + 1))

    # --- working the level out --------------------------------------------------------------

    def touch(self, pair: Pair, assessed: Assessed | None = None) -> None:
        """Work the pair's level out again once the event's rules have run (`settle_risk`)."""
        if assessed is not None or pair not in self._touched:
            self._touched[pair] = assessed

    def settle_risk(self, at: dt.datetime) -> None:
        """Work out the level of every pair the event touched, in the order touched; for an
        assessment, first record a lower grading as a disagreement."""
        touched = self._touched
        if not touched:
            return
        self._touched = {}
        for pair, assessed in touched.items():
            if assessed is None:
                self.evaluate(pair, at)
                continue
            e = assessed.event
            st = self.state(pair)
            if e.officer_level is not None:
                self._disagreement(pair, st, e)
            assessed.level_before = st.level
            before = len(self.risk)
            self.evaluate(pair, at, assessment=e.instrument)
            assessed.rose = len(self.risk) > before and self.rank(self.risk[-1].level) > self.rank(self.risk[-1].previous)

    def _disagreement(self, pair: Pair, st: PairState, e: RiskAssessment) -> None:
        """POLICY.md: a grading below the computed level is kept as a recorded disagreement
        and creates a `supervisor_review` (rule "risk")."""
        assert e.officer_level is not None
        computed = self.computed(st, e.at, officer=False) or self.policy.risk.levels[0]
        if self.rank(e.officer_level) >= self.rank(computed):
            return
        result = st.instruments[e.instrument]
        self.note(f"recorded disagreement: the officer graded {e.officer_level}, below the computed {computed}")
        self.create(
            rule="risk",
            spec=self.policy.risk.officer_grading.disagreement,
            pair=pair,
            at=e.at,
            reason=f"the officer graded the risk {e.officer_level}, below the {computed} the policy computes"
            f" ({result.summary}): a supervisor reviews the disagreement",
        )

    def repeat_count(self, st: PairState, at: dt.datetime, months: int, at_least: int = 0) -> int:
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

    def components(self, st: PairState, at: dt.datetime, *, officer: bool = True) -> list[Component]:
        """Everything that sets a level for the pair at `at`: the rule itself."""
        risk = self.policy.risk
        result: list[Component] = []
        for instrument in LEVEL_INSTRUMENTS:
            found = st.instruments.get(instrument)
            if found is not None and found.level is not None:
                result.append(Component(found.level, instrument, (found.summary, *found.drivers)))
        if officer and st.officer is not None:
            result.append(Component(st.officer, _JUDGEMENT, (f"the officer's own grading: {st.officer}",)))
        for hit in st.escalators:
            if hit.at <= at < hit.until:
                result.append(Component(risk.escalator_level, _POLICY, (hit.driver,)))
        floor = risk.repeat_floor
        if st.reports and st.subject is not None:
            count = self.repeat_count(st, at, floor.window_months, floor.reports)
            if count >= floor.reports:
                result.append(
                    Component(
                        floor.level,
                        _POLICY,
                        (f"{count} reports about this pair within {floor.window_months} months",),
                    )
                )
        return result

    def computed(self, st: PairState, at: dt.datetime, *, officer: bool = True) -> str | None:
        """The highest level of `components(st, at, officer=officer)`, without building
        them: a component that cannot raise the highest found so far is not worked out."""
        ranks = self.ranks
        best = 0
        for instrument in LEVEL_INSTRUMENTS:
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
            if rank > best and self.repeat_count(st, at, floor.window_months, floor.reports) >= floor.reports:
                best = rank
        return self._levels[best]

    def evaluate(self, pair: Pair, at: dt.datetime, *, assessment: str | None = None) -> None:
        """Raise the pair's level to what its facts now give; at a risk assessment
        (`assessment` is its instrument) the level may also fall to that."""
        st = self.state(pair)
        current = st.level
        ranks = self.ranks
        if assessment is None and current is not None and ranks[current] == len(ranks) - 1:
            return  # nothing rises above the highest level
        computed = self.computed(st, at)
        if ranks[computed] > ranks[current]:
            new = computed
        elif assessment is not None and ranks[computed] < ranks[current]:
            new = computed or self.policy.risk.levels[0]
            if new == current:
                return
        else:
            if assessment is not None and current is not None:
                self._note_held(st, at, assessment, current)
            return
        assert new is not None
        holding = [c for c in self.components(st, at) if c.level == new]
        source = self._source(holding, assessment, lowering=ranks[new] < ranks[current])
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
        self.risk.append(RiskChange(at, pair[0], pair[1], new, current, source, tuple(drivers), self.event_id))
        self.note(
            f"risk for {self.who(pair[0])} from {self.who(pair[1])} is now {new}"
            f" (was {current or 'not set'}; {source}): {'; '.join(drivers[:4])}"
        )
        if ranks[new] > ranks[current]:
            self.risen(pair, new, at)

    def _note_held(self, st: PairState, at: dt.datetime, assessment: str, current: str) -> None:
        """Say what keeps the level up when an assessment on its own gives less."""
        result = st.instruments.get(assessment)
        own = result.level if result is not None else None
        if self.rank(own) >= self.rank(current):
            return
        drivers = list(dict.fromkeys([d for c in self.components(st, at) if c.level == current for d in c.drivers]))
        self.note(
            f"the {_INSTRUMENT_WORDS.get(assessment, assessment)} on its own gives {own or 'no level'}; the risk stays {current},"
            f" held by: {'; '.join(drivers[:4])}"
        )

    def _source(self, holding: list[Component], assessment: str | None, *, lowering: bool) -> str:
        sources = [c.source for c in holding]
        if assessment is not None and (assessment in sources or (lowering and not holding)):
            return assessment
        if _JUDGEMENT in sources:
            return _JUDGEMENT
        for instrument in LEVEL_INSTRUMENTS:
            if instrument in sources:
                return instrument
        return _POLICY
