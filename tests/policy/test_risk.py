"""Risk level of a pair (POLICY.md 'Risk level'): instruments at their thresholds, the
officer's grading, escalators E1-E4 and their 90 days, the repeat floor, and lowering."""

from __future__ import annotations

import pytest

from tests.policy.builders import (
    DAY,
    at,
    dash,
    flags,
    kinds,
    lethality,
    levels,
    only,
    order,
    report,
    run,
    sdash,
)
from vigil.policy.config import load_policy
from vigil.policy.facts import Arrest, ContactAttempt, Intelligence

T0 = at("2024-05-01 10:00")


# --- DASH: 14+ high, 10-13 medium, fewer standard -------------------------------------------


@pytest.mark.parametrize(
    ("yes", "level"),
    [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high"), (21, "high")],
)
def test_dash_thresholds(yes: int, level: str) -> None:
    outcome = run([report(T0), dash(T0 + DAY, yes)])
    assert levels(outcome) == [(T0 + DAY, level, "dash")]
    assert outcome.levels[("V", "P")] == level
    change = outcome.risk[-1]
    assert f"{yes} of 24 answers yes" in change.drivers[0]


def test_dash_14_creates_r3_actions_and_13_creates_r4() -> None:
    high = run([report(T0), dash(T0 + DAY, 14)])
    t = T0 + DAY
    for kind, hours, priority in (
        ("safety_plan", 24, "high"),
        ("refer_marac", 48, "high"),
        ("consider_protective_order", 72, "high"),
    ):
        action = only(high, kind, rule="R3")
        assert action.created_at == t
        assert action.due_at - action.created_at == hours * (DAY / 24)
        assert action.priority == priority
    review = only(high, "review_risk", rule="R3")
    assert review.due_at - t == 7 * DAY and review.priority == "high"
    assert not kinds(high, "safety_plan", rule="R4")

    medium = run([report(T0), dash(T0 + DAY, 13)])
    plan = only(medium, "safety_plan", rule="R4")
    assert plan.due_at - t == 3 * DAY and plan.priority == "medium"
    review = only(medium, "review_risk", rule="R4")
    assert review.due_at - t == 30 * DAY and review.priority == "medium"
    assert not kinds(medium, "refer_marac") and not kinds(medium, "safety_plan", rule="R3")


def test_dash_9_creates_no_level_rule_actions() -> None:
    outcome = run([report(T0), dash(T0 + DAY, 9)])
    assert {a.rule for a in outcome.actions} == {"R1"}


# --- Lethality Screen: a yes to 1-3, or 4+ yeses among 4-11 -------------------------------


def test_lethality_three_among_4_to_11_sets_no_level() -> None:
    outcome = run([report(T0), lethality(T0 + DAY, [4, 6, 7])])
    assert levels(outcome) == []
    assert ("V", "P") not in outcome.levels


def test_lethality_four_among_4_to_11_is_high() -> None:
    outcome = run([report(T0), lethality(T0 + DAY, [4, 6, 7, 9])])
    assert levels(outcome) == [(T0 + DAY, "high", "lethality_screen")]
    assert "4 yes answers among questions 4 to 11" in outcome.risk[-1].drivers[0]


@pytest.mark.parametrize("question", [1, 2, 3])
def test_lethality_any_of_first_three_is_high(question: int) -> None:
    outcome = run([report(T0), lethality(T0 + DAY, [question])])
    assert levels(outcome) == [(T0 + DAY, "high", "lethality_screen")]


def test_lethality_three_among_does_not_lower_a_dash_medium() -> None:
    outcome = run([report(T0), dash(T0 + DAY, 11), lethality(T0 + 2 * DAY, [4, 6, 7])])
    assert [lv for _, lv, _ in levels(outcome)] == ["medium"]


# --- S-DASH: no level -----------------------------------------------------------------------


def test_sdash_sets_no_level_but_adds_drivers() -> None:
    outcome = run([report(T0), sdash(T0 + DAY, [1, 2, 3]), dash(T0 + 2 * DAY, 10)])
    assert levels(outcome) == [(T0 + 2 * DAY, "medium", "dash")]
    assert len(outcome.risk[-1].drivers) >= 1 + 10 + 3


# --- the officer's grading: may raise, never lower ----------------------------------------


def test_officer_grading_below_dash_keeps_dash_level_and_asks_a_supervisor() -> None:
    t = T0 + DAY
    outcome = run([report(T0), dash(t, 14, officer="medium")])
    assert outcome.levels[("V", "P")] == "high"
    assert levels(outcome) == [(t, "high", "dash")]
    review = only(outcome, "supervisor_review", rule="risk")
    assert review.created_at == t and review.due_at - t == DAY and review.priority == "medium"
    assert "medium" in review.reason and "high" in review.reason


def test_officer_grading_standard_against_dash_medium_is_a_disagreement() -> None:
    outcome = run([report(T0), dash(T0 + DAY, 10, officer="standard")])
    assert outcome.levels[("V", "P")] == "medium"
    assert len(kinds(outcome, "supervisor_review", rule="risk")) == 1


def test_officer_grading_above_dash_raises_the_level() -> None:
    t = T0 + DAY
    outcome = run([report(T0), dash(t, 3, officer="high")])
    assert levels(outcome) == [(t, "high", "professional_judgement")]
    assert not kinds(outcome, "supervisor_review", rule="risk")


def test_officer_grading_equal_to_dash_is_no_disagreement() -> None:
    outcome = run([report(T0), dash(T0 + DAY, 14, officer="high")])
    assert not kinds(outcome, "supervisor_review", rule="risk")


def test_officer_grading_is_kept_until_a_later_grading() -> None:
    # The latest non-null grading counts: a later DASH with no grading keeps "high".
    outcome = run([report(T0), dash(T0 + DAY, 2, officer="high"), dash(T0 + 3 * DAY, 2)])
    assert outcome.levels[("V", "P")] == "high"
    # A later lower grading with a lower DASH lets the level fall at that assessment.
    outcome = run([report(T0), dash(T0 + DAY, 2, officer="high"), dash(T0 + 3 * DAY, 2, officer="standard")])
    assert [lv for _, lv, _ in levels(outcome)] == ["high", "standard"]


# --- escalators: each holds the pair at high for 90 days -----------------------------------


def test_e2_dash_threat_to_kill_raises_to_high_from_policy() -> None:
    t = T0 + DAY
    outcome = run([report(T0), dash(t, 1, extra=[14])])
    assert levels(outcome) == [(t, "high", "policy")]
    assert any("threat to kill" in d and "E2" in d for d in outcome.risk[-1].drivers)


def test_e2_lethality_question_2_and_e3_lethality_question_5() -> None:
    # A yes to Lethality 5 alone is only one of four needed among 4-11; E3 makes it high.
    outcome = run([report(T0), lethality(T0 + DAY, [5])])
    assert outcome.levels[("V", "P")] == "high"
    assert any("strangulation" in d and "E3" in d for d in outcome.risk[-1].drivers)


def test_e3_dash_strangulation() -> None:
    outcome = run([report(T0), dash(T0 + DAY, 1, extra=[15])])
    assert levels(outcome) == [(T0 + DAY, "high", "policy")]


def test_e2_intelligence_threat_to_kill_for_a_linked_subject() -> None:
    t = T0 + 2 * DAY
    outcome = run([report(T0), Intelligence(at=t, subject="P", threat_to_kill=True)])
    assert levels(outcome) == [(t, "high", "policy")]


def test_e4_weapons_intelligence_for_a_linked_subject() -> None:
    t = T0 + 2 * DAY
    outcome = run([report(T0), Intelligence(at=t, subject="P", weapons=True)])
    assert levels(outcome) == [(t, "high", "policy")]
    assert any("weapons" in d for d in outcome.risk[-1].drivers)


def test_e4_weapons_intelligence_for_an_unlinked_subject_does_nothing() -> None:
    outcome = run([report(T0, suspect=None), Intelligence(at=T0 + DAY, subject="P", weapons=True)])
    assert outcome.risk == []


def test_intelligence_with_neither_weapons_nor_threat_does_nothing() -> None:
    outcome = run([report(T0), Intelligence(at=T0 + DAY, subject="P")])
    assert outcome.risk == []


@pytest.mark.parametrize(
    ("how", "events"),
    [
        ("stalking report", [report(T0, "stalking")]),
        ("DASH question 8", [report(T0), dash(T0 + DAY, 1, extra=[8])]),
        ("Lethality question 11", [report(T0), lethality(T0 + DAY, [11])]),
        ("any S-DASH yes", [report(T0), sdash(T0 + DAY, [6])]),
    ],
)
def test_e1_order_broken_by_a_subject_for_whom_stalking_is_known(how: str, events: list) -> None:
    t = T0 + 10 * DAY
    outcome = run([*events, order(T0 + 5 * DAY), ContactAttempt(at=t, subject="P", victim="V", channel="message")])
    assert outcome.levels[("V", "P")] == "high", how
    assert levels(outcome)[-1] == (t, "high", "policy")
    assert any("E1" in d for d in outcome.risk[-1].drivers)
    # The pair is high when R5 acts, so the arrest is immediate, due within 4 h.
    arrest = only(outcome, "arrest_suspect")
    assert arrest.priority == "immediate" and arrest.due_at - t == 4 * (DAY / 24)


def test_no_e1_without_stalking() -> None:
    t = T0 + 10 * DAY
    outcome = run([report(T0, "domestic_abuse"), order(T0 + 5 * DAY), ContactAttempt(at=t, subject="P", victim="V")])
    assert ("V", "P") not in outcome.levels or outcome.levels[("V", "P")] != "high"
    assert len(flags(outcome, "breach")) == 1
    arrest = only(outcome, "arrest_suspect")
    assert arrest.priority == "high" and arrest.due_at - t == DAY


@pytest.mark.parametrize(("days", "still_high"), [(89, True), (91, False)])
def test_escalator_lasts_90_days(days: int, still_high: bool) -> None:
    """E2 at T0 holds the pair at high; a standard DASH 89 days later cannot lower it, one
    91 days later can."""
    later = T0 + days * DAY
    outcome = run([report(T0), dash(T0, 1, extra=[14]), dash(later, 2)])
    expected = ["high"] if still_high else ["high", "standard"]
    assert [lv for _, lv, _ in levels(outcome)] == expected
    if not still_high:
        assert levels(outcome)[-1] == (later, "standard", "dash")
    else:
        # The chronology says what holds the level up when the assessment alone gives less.
        [entry] = [e for e in outcome.events if e.type == "risk_assessment" and e.at == later]
        held = [str(n) for n in entry.notes if "on its own gives standard" in str(n)]
        assert len(held) == 1 and "the risk stays high, held by:" in held[0] and "(E2," in held[0]


@pytest.mark.parametrize(("days", "still_high"), [(89, True), (91, False)])
def test_weapons_escalator_lasts_90_days(days: int, still_high: bool) -> None:
    outcome = run([report(T0), Intelligence(at=T0, subject="P", weapons=True), dash(T0 + days * DAY, 11)])
    assert outcome.levels[("V", "P")] == ("high" if still_high else "medium")


def test_escalators_lapsing_do_not_lower_by_themselves() -> None:
    outcome = run([report(T0), Intelligence(at=T0, subject="P", weapons=True)], T0 + 200 * DAY)
    assert outcome.levels[("V", "P")] == "high"


# --- the repeat floor and R8 ----------------------------------------------------------------


@pytest.mark.parametrize(("third", "repeat"), [("2025-03-09 12:00", True), ("2025-03-11 12:00", False)])
def test_third_report_within_12_months(third: str, repeat: bool) -> None:
    """Reports on 10 Mar 2024 and 10 Apr 2024; a third on 9 Mar 2025 (12 months less a day)
    is a repeat, one on 11 Mar 2025 (12 months and a day) is not."""
    first, second, t3 = at("2024-03-10 12:00"), at("2024-04-10 12:00"), at(third)
    outcome = run([report(first), report(second), report(t3)])
    repeats = flags(outcome, "repeat")
    marac = kinds(outcome, "refer_marac", rule="R8")
    if repeat:
        assert [f.at for f in repeats] == [t3]
        assert "3 reports" in repeats[0].detail
        assert len(marac) == 1 and marac[0].created_at == t3 and marac[0].due_at - t3 == 2 * DAY
        assert levels(outcome) == [(t3, "medium", "policy")]
        assert only(outcome, "safety_plan", rule="R4").created_at == t3
    else:
        assert repeats == [] and marac == []
        assert levels(outcome) == []


def test_two_reports_are_not_a_repeat() -> None:
    outcome = run([report(T0), report(T0 + DAY)])
    assert flags(outcome, "repeat") == [] and outcome.risk == []


def test_r8_fires_each_report_but_one_marac_while_open() -> None:
    events = [report(T0 + i * DAY) for i in range(5)]
    outcome = run(events)
    assert [f.at for f in flags(outcome, "repeat")] == [T0 + 2 * DAY, T0 + 3 * DAY, T0 + 4 * DAY]
    assert len(kinds(outcome, "refer_marac")) == 1
    assert "5 reports" in flags(outcome, "repeat")[-1].detail


def test_reports_of_linked_records_count_for_one_pair() -> None:
    from tests.policy.builders import world
    from vigil.policy.facts import Person

    w = world(people=[Person("Pb", "Sammy Subject", born="1988-07-07", sex="male")], groups=[{"P", "Pb"}])
    outcome = run([report(T0), report(T0 + DAY, suspect="Pb"), report(T0 + 2 * DAY)], w=w)
    assert [f.at for f in flags(outcome, "repeat")] == [T0 + 2 * DAY]
    assert outcome.levels[("V", "P")] == "medium"


# --- lowering: only at an assessment, only as far as escalators and floor allow ------------


def test_later_assessment_lowers_when_nothing_holds_it_up() -> None:
    outcome = run([report(T0), dash(T0 + DAY, 14), dash(T0 + 20 * DAY, 5)])
    assert levels(outcome) == [(T0 + DAY, "high", "dash"), (T0 + 20 * DAY, "standard", "dash")]


def test_later_assessment_cannot_lower_below_an_escalator() -> None:
    outcome = run(
        [report(T0), dash(T0 + DAY, 14), Intelligence(at=T0 + 2 * DAY, subject="P", weapons=True), dash(T0 + 20 * DAY, 5)]
    )
    assert [lv for _, lv, _ in levels(outcome)] == ["high"]


def test_later_assessment_lowers_only_to_the_repeat_floor() -> None:
    events = [report(T0), report(T0 + DAY), report(T0 + 2 * DAY), dash(T0 + 3 * DAY, 14), dash(T0 + 20 * DAY, 2)]
    outcome = run(events)
    assert [lv for _, lv, _ in levels(outcome)] == ["medium", "high", "medium"]
    assert levels(outcome)[-1][0] == T0 + 20 * DAY


def test_level_does_not_fall_without_an_assessment() -> None:
    outcome = run([report(T0), dash(T0 + DAY, 14), Arrest(at=T0 + 2 * DAY, subject="P")], T0 + 400 * DAY)
    assert outcome.levels[("V", "P")] == "high"


def test_level_rising_again_fires_r3_again() -> None:
    events = [report(T0), dash(T0 + DAY, 14), dash(T0 + 20 * DAY, 5), dash(T0 + 40 * DAY, 15)]
    outcome = run(events)
    assert [a.created_at for a in kinds(outcome, "safety_plan", rule="R3")] == [T0 + DAY, T0 + 40 * DAY]


# --- one risk computation: the fast path gives the rule's highest level -----------------------


def _pair_states():  # type: ignore[no-untyped-def]
    """Any state a pair can be in: each instrument's latest yes answers, the officer's
    grading, escalators that began at various times, and reports over two years."""
    import datetime as dt

    from hypothesis import strategies as st

    from vigil.policy.risk import EscalatorHit, PairState
    from vigil.policy.scoring import score_yes
    from vigil.policy.vocabulary import QUESTIONS

    policy = load_policy()
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    moments = st.integers(0, 730 * 24).map(lambda h: start + dt.timedelta(hours=h))

    def result(instrument: str):  # type: ignore[no-untyped-def]
        yes = st.sets(st.integers(1, QUESTIONS[instrument])).map(lambda s: tuple(sorted(s)))
        return yes.map(lambda y: score_yes(policy, instrument, y))

    @st.composite
    def states(draw):  # type: ignore[no-untyped-def]
        state = PairState("V", draw(st.sampled_from(["P", None])))
        for instrument in ("dash", "lethality_screen", "sdash"):
            if draw(st.booleans()):
                state.instruments[instrument] = draw(result(instrument))
        state.officer = draw(st.sampled_from([None, "standard", "medium", "high"]))
        for at_ in draw(st.lists(moments, max_size=3)):
            state.escalators.append(EscalatorHit("E2", at_, at_ + policy.risk.escalator_window, "a driver"))
        state.reports = sorted(draw(st.lists(moments, max_size=6)))
        return state, draw(moments), draw(st.booleans())

    return states()


def test_the_fast_path_gives_the_highest_level_of_the_components() -> None:
    from hypothesis import HealthCheck, given, settings

    from tests.policy.builders import world
    from vigil.policy.loop import Engine

    engine = Engine(load_policy(), world())

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_pair_states())
    def check(case) -> None:  # type: ignore[no-untyped-def]
        state, moment, officer = case
        components = engine.components(state, moment, officer=officer)
        highest = max((c.level for c in components), key=engine.rank, default=None)
        assert engine.computed(state, moment, officer=officer) == highest

    check()
