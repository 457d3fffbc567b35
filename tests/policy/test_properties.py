"""Properties of the engine over generated timelines (Hypothesis): the answer is determined
by the facts alone (not the order or zone they are written in), nothing is ever deleted,
escalation only rises, and every action says why and by which rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.bench.replay import synthetic
from vigil.policy.config import load_policy
from vigil.policy.engine import Outcome, evaluate
from vigil.policy.facts import (
    ActionCompleted,
    ActionDeclined,
    AlarmActivated,
    Arrest,
    Breach,
    Condition,
    ContactAttempt,
    DisclosureDecision,
    DisclosureRequest,
    Event,
    Intelligence,
    OrderEnded,
    OrderGranted,
    OrderVaried,
    Person,
    Place,
    Relationship,
    Report,
    RiskAssessment,
    Sighting,
    WarrantExecuted,
    WarrantIssued,
    WarrantWithdrawn,
    World,
    with_ids,
)
from vigil.policy.rules import REGISTRY
from vigil.policy.vocabulary import QUESTIONS, ActionKind, ReportCategory, codes

POLICY = load_policy()
UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
# Starts four days before the clocks go forward (31 March 2024) and runs past the change back
# (27 October 2024, day 213) and the next one; days near the changes are drawn more often.
START = dt.datetime(2024, 3, 27, 0, 0, tzinfo=UTC)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The kinds each rule may create, as the rules declare them, and the risk model's own
# disagreement review.
RULE_KINDS = {rule.code: set(rule.creates) for rule in REGISTRY} | {"risk": {"supervisor_review"}}
ACTION_KINDS = codes(ActionKind)
REPORT_CATEGORIES = codes(ReportCategory)

# --- a small world and a strategy over its events ------------------------------------------

H1 = Place("H1", "victim's home", "home", 53.8008, -1.5491)
H2 = Place("H2", "subject's home", "home", 53.8030, -1.5470)  # about 290 m from H1
H3 = Place("H3", "second victim's home", "home", 53.8412, -1.4902)
SCHOOL = Place("S1", "primary school", "school", 53.8030, -1.5450, person="K")
WORLD = World(
    people={
        "V1": Person("V1", "Ann Victim", born="1990-01-01", sex="female", home="H1"),
        "V2": Person("V2", "Bea Victim", born="1985-05-05", sex="female", home="H3"),
        "P1": Person("P1", "Carl Subject", born="1988-02-02", sex="male", home="H2"),
        "P1b": Person("P1b", "Carl Subjekt", born="1988-02-02", sex="male"),
        "P2": Person("P2", "Dan Other", born="1970-03-03", sex="male"),
        "K": Person("K", "Kit Child", born="2010-03-27", home="H1"),
    },
    places={p.ref: p for p in (H1, H2, H3, SCHOOL)},
    relationships=(Relationship("V1", "P1", "partner"), Relationship("V1", "K", "household")),
    groups=(frozenset({"P1", "P1b"}),),
)
VICTIMS = ("V1", "V2")
SUBJECTS = ("P1", "P1b", "P2")
ORDERS = ("O1", "O2")
WARRANTS = ("W1", "W2")
REQUESTS = ("D1", "D2")

# Few distinct moments, so that events often share a timestamp.
moments = st.builds(
    lambda day, minute: START + dt.timedelta(days=day, minutes=minute),
    st.one_of(st.integers(0, 8), st.integers(208, 216), st.integers(0, 400)),
    st.sampled_from([0, 30, 60, 9 * 60, 23 * 60 + 59]),
)


def _answers(size: int) -> st.SearchStrategy[dict[int, bool]]:
    return st.dictionaries(st.integers(1, size), st.booleans(), max_size=size)


# Events only the live system records (not in timeline format 1, so a file refuses them).
EXTENSION_KINDS = ["warrant_withdrawn", "order_varied"]


@st.composite
def events(draw: st.DrawFn, extensions: bool = False) -> Event:
    """An event of timeline format 1; with `extensions`, also the live system's own kinds."""
    at = draw(moments)
    victim, subject = draw(st.sampled_from(VICTIMS)), draw(st.sampled_from(SUBJECTS))
    kind = draw(
        st.sampled_from(
            [
                "report",
                "report",
                "report",
                "risk",
                "risk",
                "order",
                "order_ended",
                "breach",
                "sighting",
                "sighting",
                "contact",
                "arrest",
                "warrant",
                "warrant_executed",
                "alarm",
                "intelligence",
                "completed",
                "declined",
                "disclosure_request",
                "disclosure_decision",
            ]
            + (EXTENSION_KINDS if extensions else [])
        )
    )
    if kind == "report":
        return Report(
            at=at,
            victim=victim,
            suspect=draw(st.sampled_from((*SUBJECTS, None))),
            category=draw(st.sampled_from(REPORT_CATEGORIES)),
            reported_by=victim,
            children_present=draw(st.sampled_from(((), ("K",)))),
        )
    if kind == "risk":
        instrument = draw(st.sampled_from(("dash", "dash", "lethality_screen", "sdash")))
        size = QUESTIONS[instrument]
        return RiskAssessment(
            at=at,
            victim=victim,
            suspect=subject,
            instrument=instrument,
            answers=draw(_answers(size)),
            officer_level=draw(st.sampled_from((None, "standard", "medium", "high"))),
        )
    if kind == "order":
        conditions = [Condition("no_contact")] if draw(st.booleans()) else []
        if draw(st.booleans()):
            conditions.append(Condition("exclusion_zone", "H1", float(draw(st.sampled_from((50, 200, 400))))))
        expires = draw(st.one_of(st.none(), st.integers(1, 90).map(lambda d: at + dt.timedelta(days=d))))
        return OrderGranted(
            at=at,
            order=draw(st.sampled_from(ORDERS)),
            order_type=draw(st.sampled_from(("dvpo", "interim_spo", "restraining_order"))),
            protected=(victim,),
            subject=subject,
            conditions=tuple(conditions),
            expires=expires,
        )
    if kind == "order_ended":
        return OrderEnded(at=at, order=draw(st.sampled_from(ORDERS)))
    if kind == "breach":
        return Breach(at=at, order=draw(st.sampled_from(ORDERS)), reported_by=victim)
    if kind == "sighting":
        lat = H1.lat + draw(st.floats(-0.006, 0.006, allow_nan=False))
        lon = H1.lon + draw(st.floats(-0.01, 0.01, allow_nan=False))
        near = draw(st.sampled_from((None, victim)))
        reporter = draw(st.sampled_from((None, victim, "K", subject)))
        if draw(st.booleans()):
            place = draw(st.sampled_from(("H1", "H2", "H3", "S1")))
            return Sighting(at=at, subject=subject, near=near, place=place, reported_by=reporter)
        return Sighting(at=at, subject=subject, near=near, lat=lat, lon=lon, reported_by=reporter)
    if kind == "contact":
        channel = draw(st.sampled_from(("call", "message")))
        reporter = draw(st.sampled_from((None, victim, "K")))
        return ContactAttempt(at=at, subject=subject, victim=victim, channel=channel, reported_by=reporter)
    if kind == "disclosure_request":
        return DisclosureRequest(
            at=at,
            request=draw(st.sampled_from(REQUESTS)),
            route=draw(st.sampled_from(("right_to_ask", "right_to_know"))),
            subject=subject,
            person_at_risk=victim,
            applicant=draw(st.sampled_from((None, victim))),
        )
    if kind == "disclosure_decision":
        return DisclosureDecision(
            at=at,
            request=draw(st.sampled_from(REQUESTS)),
            decision=draw(st.sampled_from(("disclose", "no_disclosure"))),
            rationale=draw(st.sampled_from(("", "nothing on record meets the threshold"))),
        )
    if kind == "arrest":
        return Arrest(at=at, subject=subject)
    if kind == "warrant":
        return WarrantIssued(at=at, warrant=draw(st.sampled_from(WARRANTS)), subject=subject, reason="failed to appear")
    if kind == "warrant_withdrawn":
        return WarrantWithdrawn(at=at, warrant=draw(st.sampled_from(WARRANTS)), reason="no longer needed")
    if kind == "order_varied":
        conditions = [Condition("no_contact")] if draw(st.booleans()) else []
        if draw(st.booleans()):
            conditions.append(Condition("exclusion_zone", "H1", float(draw(st.sampled_from((50, 200, 400))))))
        expires = draw(st.one_of(st.none(), st.integers(1, 90).map(lambda d: at + dt.timedelta(days=d))))
        return OrderVaried(at=at, order=draw(st.sampled_from(ORDERS)), conditions=tuple(conditions), expires=expires)
    if kind == "warrant_executed":
        return WarrantExecuted(at=at, warrant=draw(st.sampled_from(WARRANTS)))
    if kind == "alarm":
        return AlarmActivated(at=at, person=victim, place="H1")
    if kind == "intelligence":
        return Intelligence(at=at, subject=subject, weapons=draw(st.booleans()), threat_to_kill=draw(st.booleans()))
    action = draw(st.sampled_from(ACTION_KINDS))
    who = "K" if action == "notify_school" else victim
    if kind == "completed":
        return ActionCompleted(at=at, action=action, victim=who, subject=subject)
    return ActionDeclined(at=at, action=action, victim=who, subject=subject, rationale="discussed with the victim")


@st.composite
def facts(draw: st.DrawFn) -> Event:
    """An event, now and then entered into the live system later than it happened."""
    event = draw(events(extensions=True))
    if draw(st.integers(0, 4)) == 0:
        event = dataclasses.replace(event, recorded=event.at + dt.timedelta(hours=draw(st.integers(0, 72))))
    return event


timelines = st.lists(facts(), min_size=1, max_size=40)


# --- reading an outcome as plain values -------------------------------------------------------


def _u(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def snapshot(outcome: Outcome) -> dict[str, Any]:
    return {
        "actions": [
            (
                a.id,
                a.key,
                a.kind,
                a.rule,
                a.victim,
                a.subject,
                _u(a.created_at),
                _u(a.due_at),
                a.priority,
                a.status,
                _u(a.closed_at),
                a.reason,
                a.closed_reason,
                tuple((_u(t), lv) for t, lv in a.escalations),
            )
            for a in outcome.actions
        ],
        "risk": [(_u(r.at), r.victim, r.subject, r.level, r.previous, r.source, r.drivers) for r in outcome.risk],
        "flags": [(_u(f.at), f.kind, f.refs, f.detail, f.key) for f in outcome.flags],
        "levels": dict(outcome.levels),
    }


def _until(evs: Sequence[Event]) -> dt.datetime:
    return max(e.at.astimezone(UTC) for e in evs) + dt.timedelta(days=10)


def _run(evs: Sequence[Event], until: dt.datetime | None = None, world: World = WORLD) -> Outcome:
    return evaluate(POLICY, world, evs, until or _until(evs))


# --- the properties ---------------------------------------------------------------------------


@SETTINGS
@given(timelines)
def test_replay_is_deterministic(evs: list[Event]) -> None:
    assert snapshot(_run(evs)) == snapshot(_run(list(evs)))


@SETTINGS
@given(st.integers(0, 10_000), st.integers(20, 250))
def test_synthetic_replay_is_deterministic_and_order_free(seed: int, size: int) -> None:
    world, evs, until = synthetic(size, seed=seed)
    first = snapshot(evaluate(POLICY, world, evs, until))
    assert first == snapshot(evaluate(POLICY, world, list(reversed(evs)), until))
    bare = [dataclasses.replace(e, event_id="", index=-1) for e in evs]
    assert first == snapshot(evaluate(POLICY, world, bare[1::2] + bare[::2], until))


@SETTINGS
@given(timelines.flatmap(lambda evs: st.tuples(st.just(evs), st.permutations(evs))))
def test_shuffling_the_events_does_not_change_the_answer(pair: tuple[list[Event], list[Event]]) -> None:
    evs, shuffled = pair
    until = _until(evs)
    assert snapshot(_run(evs, until)) == snapshot(_run(shuffled, until))


@SETTINGS
@given(timelines, st.sampled_from([LONDON, ZoneInfo("America/New_York"), dt.timezone(dt.timedelta(hours=5, minutes=30))]))
def test_the_zone_times_are_written_in_does_not_change_the_answer(evs: list[Event], zone: dt.tzinfo) -> None:
    until = _until(evs)
    moved = [
        dataclasses.replace(
            e,
            **{
                f.name: getattr(e, f.name).astimezone(zone)
                for f in dataclasses.fields(e)
                if isinstance(getattr(e, f.name), dt.datetime)
            },
        )
        for e in evs
    ]
    assert snapshot(_run(evs, until)) == snapshot(_run(moved, until.astimezone(zone)))


@SETTINGS
@given(timelines, st.data())
def test_no_action_flag_or_risk_change_is_ever_deleted(evs: list[Event], data: st.DataObject) -> None:
    ordered = with_ids(evs)
    cut = data.draw(st.sampled_from(ordered)).at
    prefix = [e for e in ordered if e.at <= cut]
    early, full = _run(prefix, cut), _run(evs)
    later = {a.key: a for a in full.actions}
    for action in early.actions:
        kept = later.get(action.key)
        assert kept is not None, f"{action.key} disappeared"
        assert (kept.id, kept.kind, kept.rule, kept.victim, kept.subject, kept.reason) == (
            action.id,
            action.kind,
            action.rule,
            action.victim,
            action.subject,
            action.reason,
        )
        assert kept.created_at == action.created_at
        if action.status != "open":
            assert (kept.status, kept.closed_at) == (action.status, action.closed_at)
        assert kept.escalations[: len(action.escalations)] == action.escalations
    assert full.risk[: len(early.risk)] == early.risk
    assert [f.key for f in full.flags[: len(early.flags)]] == [f.key for f in early.flags]


def _check_actions(outcome: Outcome, until: dt.datetime) -> None:
    for a in outcome.actions:
        assert a.reason.strip(), a
        assert a.kind in RULE_KINDS[a.rule], (a.rule, a.kind)
        assert a.priority in ("immediate", "high", "medium", "low")
        assert a.status in ("open", "done", "declined", "cancelled")
        assert (a.closed_at is None) == (a.status == "open")
        times = [t for t, _ in a.escalations]
        steps = [lv for _, lv in a.escalations]
        assert times == sorted(set(times)), a.escalations
        assert steps == sorted(set(steps)) and all(2 <= lv <= 4 for lv in steps), a.escalations
        assert all(a.created_at <= t <= until for t in times)
        if a.closed_at is not None:
            assert a.created_at <= a.closed_at
            assert all(t <= a.closed_at for t in times)
        if a.status == "open":
            # Every step of the ladder due by `until` has been recorded.
            ladder = POLICY.ladder.steps_for(a.priority)
            expected = max([s.level for s in ladder if a.due_at + s.after <= until], default=1)
            assert a.level >= expected, (a.key, a.level, expected)
        assert a.level == (steps[-1] if steps else 1)


@SETTINGS
@given(timelines)
def test_escalations_rise_and_every_action_has_a_reason_and_a_rule(evs: list[Event]) -> None:
    until = _until(evs)
    outcome = _run(evs, until)
    _check_actions(outcome, until)
    times = [r.at for r in outcome.risk]
    assert times == sorted(times)


@SETTINGS
@given(st.integers(0, 10_000))
def test_synthetic_actions_are_well_formed(seed: int) -> None:
    world, evs, until = synthetic(150, seed=seed)
    _check_actions(evaluate(POLICY, world, evs, until), until)


@SETTINGS
@given(timelines)
def test_refer_marac_only_when_none_is_open(evs: list[Event]) -> None:
    outcome = _run(evs)
    referrals = [a for a in outcome.actions if a.kind == "refer_marac"]
    for later in referrals:
        for earlier in referrals:
            if earlier is later or earlier.pair != later.pair or earlier.created_at > later.created_at:
                continue
            if int(earlier.id[2:]) < int(later.id[2:]):
                assert earlier.closed_at is not None and earlier.closed_at <= later.created_at
