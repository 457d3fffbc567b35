"""The engine's small parts: geodesic distances, the calendar, the ladder, scoring, and the
policy as data (a changed number changes what the engine does)."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.policy.builders import DAY, HOUR, LONDON, UTC, VICTIM_HOME, at, dash, flags, kinds, only, report, run, world
from vigil.policy import calendar, geo
from vigil.policy.config import DEFAULT_POLICY_PATH, PolicyError, load_policy, parse_policy
from vigil.policy.facts import ActionCompleted, Breach, Place
from vigil.policy.ladder import ladder_steps, steps
from vigil.policy.scoring import score

# --- geo --------------------------------------------------------------------------------------


def _dms(d: int, m: int, s: float) -> float:
    return (abs(d) + m / 60 + s / 3600) * (1 if d >= 0 else -1)


def test_vincenty_reference_case() -> None:
    """Vincenty (1975) / Geoscience Australia: Flinders Peak to Buninyong, 54 972.271 m,
    initial azimuth 306 52 05.37."""
    lat1, lon1 = -_dms(37, 57, 3.72030), _dms(144, 25, 29.52440)
    lat2, lon2 = -_dms(37, 39, 10.15610), _dms(143, 55, 35.38390)
    distance, azimuth, _ = geo.inverse(lat1, lon1, lat2, lon2)
    assert distance == pytest.approx(54972.271, abs=0.001)
    assert azimuth == pytest.approx(_dms(306, 52, 5.37), abs=1e-4)
    assert geo.destination(lat1, lon1, azimuth, distance) == pytest.approx((lat2, lon2), abs=1e-9)


def test_distance_is_zero_for_one_point_and_symmetric() -> None:
    assert geo.distance_m(51.5, -0.1, 51.5, -0.1) == 0.0
    a = geo.distance_m(51.527, -0.187, 51.529, -0.189)
    assert a == pytest.approx(geo.distance_m(51.529, -0.189, 51.527, -0.187), abs=1e-9)


def test_a_degree_of_latitude_at_the_equator_and_the_pole() -> None:
    # Known WGS84 values: 110 574.4 m at the equator, 111 693.9 m at the pole.
    assert geo.distance_m(0, 0, 1, 0) == pytest.approx(110574.4, abs=0.5)
    assert geo.distance_m(89, 0, 90, 0) == pytest.approx(111693.9, abs=0.5)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(49.0, 59.0),
    st.floats(-8.0, 2.0),
    st.floats(0.0, 359.999),
    st.floats(0.5, 20_000.0),
)
def test_destination_then_inverse_round_trip(lat: float, lon: float, azimuth: float, metres: float) -> None:
    lat2, lon2 = geo.destination(lat, lon, azimuth, metres)
    assert geo.distance_m(lat, lon, lat2, lon2) == pytest.approx(metres, abs=1e-5)


# --- calendar ---------------------------------------------------------------------------------


def test_next_school_day_needs_an_aware_time() -> None:
    with pytest.raises(ValueError):
        calendar.next_school_day_at(dt.datetime(2025, 1, 1, 12, 0), LONDON)  # noqa: DTZ001


def test_next_school_day_keeps_the_wall_clock_across_the_change() -> None:
    friday = at("2025-03-28 18:00")
    monday = calendar.next_school_day_at(friday, LONDON)
    assert monday.astimezone(UTC) == dt.datetime(2025, 3, 31, 8, 0, tzinfo=UTC)
    assert monday.astimezone(LONDON).hour == 9


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        ("2008-02-29", "2025-02-28", 16),
        ("2008-02-29", "2025-03-01", 17),
        ("2008-02-29", "2024-02-29", 16),
        ("2007-06-15", "2025-06-14", 17),
        ("2007-06-15", "2025-06-15", 18),
    ],
)
def test_age_on(born: str, on: str, age: int) -> None:
    assert calendar.age_on(dt.date.fromisoformat(born), dt.date.fromisoformat(on)) == age


def test_age_range_of_a_year_only_birth() -> None:
    assert calendar.age_range_on("2007", dt.date(2025, 6, 11)) == (17, 18)
    assert calendar.age_range_on("2007-06-15", dt.date(2025, 6, 11)) == (17, 17)
    assert calendar.age_range_on("not a date", dt.date(2025, 6, 11)) is None
    # Day and month swapped into an impossible date are read swapped; neither way is no date.
    assert calendar.age_range_on("2007-15-06", dt.date(2025, 6, 14)) == (17, 17)
    assert calendar.age_range_on("2007-15-06", dt.date(2025, 6, 15)) == (18, 18)
    assert calendar.age_range_on("2007-13-13", dt.date(2025, 6, 11)) is None


@pytest.mark.parametrize(
    ("moment", "months", "start"),
    [
        ("2025-03-09 12:00", 12, "2024-03-09 12:00"),
        ("2025-03-31 08:00", 1, "2025-02-28 08:00"),
        ("2024-03-31 08:00", 1, "2024-02-29 08:00"),
        ("2025-01-15 08:00", 12, "2024-01-15 08:00"),
    ],
)
def test_months_before(moment: str, months: int, start: str) -> None:
    assert calendar.months_before(at(moment), months, LONDON).astimezone(UTC) == at(start).astimezone(UTC)


# --- ladder -----------------------------------------------------------------------------------

POLICY = load_policy()


def test_ladder_steps_normal_and_immediate() -> None:
    due = dt.datetime(2025, 3, 29, 12, 0, tzinfo=UTC)
    assert steps(POLICY, "high", due) == [(due, 2), (due + DAY, 3), (due + 3 * DAY, 4)]
    assert steps(POLICY, "immediate", due) == [(due, 2), (due + HOUR, 3), (due + 4 * HOUR, 4)]


def test_ladder_steps_count_elapsed_hours_across_the_change() -> None:
    due = at("2025-03-29 12:00")  # 12:00 GMT; 24 h later is 13:00 BST
    got = ladder_steps(priority="high", due_at=due, until=due + 10 * DAY, policy=POLICY)
    assert [t.astimezone(UTC) for t, _ in got] == [
        dt.datetime(2025, 3, 29, 12, 0, tzinfo=UTC),
        dt.datetime(2025, 3, 30, 12, 0, tzinfo=UTC),
        dt.datetime(2025, 4, 1, 12, 0, tzinfo=UTC),
    ]


def test_ladder_steps_until_is_inclusive_and_above_the_current_level() -> None:
    due = dt.datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    assert ladder_steps(priority="low", due_at=due, until=due + DAY, policy=POLICY) == [(due, 2), (due + DAY, 3)]
    assert ladder_steps(priority="low", due_at=due, until=due - HOUR, policy=POLICY) == []
    assert ladder_steps(priority="low", due_at=due, until=due + 5 * DAY, policy=POLICY, current_level=3) == [(due + 3 * DAY, 4)]


THREE_LEVELS = (
    "  { after_hours = 24, level = 3 },\n  { after_hours = 72, level = 4 },\n]",
    "  { after_hours = 12, level = 3 },\n]",
)


def test_one_ladder_replay_and_the_live_job_agree_under_a_three_level_ladder() -> None:
    """A force whose normal ladder stops at the inspector: replay's steps (the engine) are the
    live job's steps (`ladder_steps`) for every action, and none goes past level 3."""
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert text.count(THREE_LEVELS[0]) == 1
    three = parse_policy(tomllib.loads(text.replace(*THREE_LEVELS)), "three.toml")
    assert [s.level for s in three.ladder.normal] == [2, 3]
    t0 = at("2025-05-01 10:00")
    until = t0 + 20 * DAY
    outcome = run([report(t0), dash(t0 + HOUR, 11)], until, p=three)
    open_actions = [a for a in outcome.actions if a.status == "open"]
    assert open_actions and all(a.priority != "immediate" for a in open_actions)
    for action in open_actions:
        live = ladder_steps(priority=action.priority, due_at=action.due_at, until=until, policy=three)
        assert list(action.escalations) == live
        assert action.level <= 3
    overdue = [a for a in open_actions if a.due_at + 12 * HOUR <= until]
    assert overdue and all([level for _, level in a.escalations] == [2, 3] for a in overdue)
    shipped = run([report(t0), dash(t0 + HOUR, 11)], until)
    assert {a.level for a in shipped.actions if a.status == "open" and a.due_at + 3 * DAY <= until} == {4}


def test_ladder_steps_never_before_the_last_recorded_step() -> None:
    due = dt.datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    last = due + 2 * DAY
    got = ladder_steps(priority="immediate", due_at=due, until=due + 5 * DAY, policy=POLICY, current_level=2, last_at=last)
    assert [lv for _, lv in got] == [3, 4]
    assert all(t > last for t, _ in got)
    assert got[0][0] < got[1][0]


def test_action_closed_exactly_at_its_due_time_was_on_time() -> None:
    t0 = at("2024-05-01 10:00")
    outcome = run([report(t0), ActionCompleted(at=t0 + DAY, action="database_checks", victim="V", subject="P")])
    assert only(outcome, "database_checks").escalations == ()
    late = run([report(t0), ActionCompleted(at=t0 + DAY + HOUR, action="database_checks", victim="V", subject="P")])
    assert only(late, "database_checks").escalations == ((t0 + DAY, 2),)


def test_ladder_at_the_evaluation_time() -> None:
    t0 = at("2024-05-01 10:00")
    for until, levels in ((t0 + DAY - HOUR, []), (t0 + DAY, [2]), (t0 + 2 * DAY, [2, 3]), (t0 + 4 * DAY, [2, 3, 4])):
        action = only(run([report(t0)], until), "database_checks")
        assert [lv for _, lv in action.escalations] == levels, until
        assert action.level == (levels[-1] if levels else 1)


def test_immediate_ladder_in_the_engine() -> None:
    t0 = at("2024-05-01 10:00")
    from tests.policy.builders import order

    outcome = run([report(t0), dash(t0, 14), order(t0), Breach(at=t0 + HOUR, order="O1")], t0 + DAY)
    arrest = only(outcome, "arrest_suspect")
    due = t0 + 5 * HOUR
    assert arrest.escalations == ((due, 2), (due + HOUR, 3), (due + 4 * HOUR, 4))


# --- scoring ----------------------------------------------------------------------------------


def test_only_a_yes_counts_and_out_of_range_questions_are_ignored() -> None:
    result = score(POLICY, "dash", {1: True, 2: False, 30: True})
    assert result.yes == (1,) and result.level == "standard"
    assert score(POLICY, "sdash", {}).level is None and not score(POLICY, "sdash", {}).stalking_known
    assert score(POLICY, "sdash", {4: True}).stalking_known
    with pytest.raises(ValueError):
        score(POLICY, "oasys", {})


# --- the policy as data -------------------------------------------------------------------------


def _policy(old: str, new: str):  # type: ignore[no-untyped-def]
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return parse_policy(tomllib.loads(text.replace(old, new)), "variant.toml")


def test_the_shipped_policy_has_the_published_numbers() -> None:
    p = POLICY
    assert (p.risk.dash.high, p.risk.dash.medium) == (14, 10)
    assert (p.risk.lethality_screen.any_of, p.risk.lethality_screen.count) == ((1, 2, 3), 4)
    assert p.risk.lethality_screen.count_among == tuple(range(4, 12))
    assert (p.risk.escalator_days, p.risk.repeat_floor.reports, p.risk.repeat_floor.window_months) == (90, 3, 12)
    assert p.rules.R10.distance_m == 500
    assert (p.rules.R2.min_age, p.rules.R2.max_age, p.rules.R2.notify_time) == (4, 17, dt.time(9, 0))


def test_a_changed_distance_changes_proximity() -> None:
    lat, lon = geo.destination(VICTIM_HOME.lat, VICTIM_HOME.lon, 10, 300)
    w = world(places=[Place("HS", "subject's home", "home", lat, lon)])
    t0 = at("2024-05-01 10:00")
    assert len(flags(run([report(t0)], w=w), "proximity")) == 1
    narrow = _policy("distance_m = 500", "distance_m = 250")
    assert flags(run([report(t0)], w=w, p=narrow), "proximity") == []


def test_a_changed_dash_threshold_changes_the_level() -> None:
    t0 = at("2024-05-01 10:00")
    strict = _policy("high = 14 ", "high = 12 ")
    assert run([report(t0), dash(t0 + HOUR, 12)], p=strict).levels[("V", "P")] == "high"
    assert run([report(t0), dash(t0 + HOUR, 12)]).levels[("V", "P")] == "medium"


def test_a_disabled_rule_creates_nothing() -> None:
    t0 = at("2024-05-01 10:00")
    off = _policy('[rules.R1]\ntitle = "intake"', '[rules.R1]\nenabled = false\ntitle = "intake"')
    assert kinds(run([report(t0)], p=off), "database_checks") == []


def test_policy_errors_name_the_key() -> None:
    with pytest.raises(PolicyError) as error:
        _policy("review_risk_every_days = 7", "review_risk_every_days = 0")
    assert error.value.key == "rules.R3.review_risk_every_days"
    assert error.value.file == "variant.toml"
