"""Rules R1-R13 of POLICY.md at their boundaries, through `evaluate`."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from tests.policy.builders import (
    DAY,
    HOUR,
    UTC,
    VICTIM_HOME,
    at,
    dash,
    flags,
    kinds,
    only,
    order,
    point_at,
    report,
    run,
    same_instant,
    utc,
    world,
)
from vigil.policy import geo
from vigil.policy.config import DEFAULT_POLICY_PATH, parse_policy
from vigil.policy.facts import (
    ActionCompleted,
    ActionDeclined,
    AlarmActivated,
    Arrest,
    Breach,
    ContactAttempt,
    DisclosureDecision,
    DisclosureRequest,
    OrderEnded,
    Person,
    Place,
    Relationship,
    Sighting,
    WarrantExecuted,
    WarrantIssued,
)

T0 = at("2024-05-01 10:00")
MINUTE = dt.timedelta(minutes=1)

# --- R1 intake --------------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["domestic_abuse", "stalking", "harassment"])
def test_r1_categories(category: str) -> None:
    outcome = run([report(T0, category)])
    got = sorted((a.kind, a.priority, a.due_at - a.created_at) for a in outcome.actions if a.rule == "R1")
    assert got == [
        ("complete_risk_assessment", "high", DAY),
        ("database_checks", "high", DAY),
        ("supervisor_review", "medium", DAY),
    ]
    assert all(a.created_at == T0 and a.victim == "V" and a.subject == "P" for a in outcome.actions)


@pytest.mark.parametrize("kind", ["partner", "ex_partner", "family", "household"])
def test_r1_any_category_between_partners_family_or_household(kind: str) -> None:
    w = world(relationships=[Relationship("V", "P", kind)])
    outcome = run([report(T0, "theft")], w=w)
    assert len(kinds(outcome, "complete_risk_assessment", rule="R1")) == 1


@pytest.mark.parametrize("kind", ["colleague", "acquaintance", "stranger", None])
def test_r1_not_for_other_categories_between_others(kind: str | None) -> None:
    w = world(relationships=[Relationship("V", "P", kind)] if kind else [])
    outcome = run([report(T0, "assault")], w=w)
    assert outcome.actions == []


def test_r1_every_report_creates_its_own_three() -> None:
    outcome = run([report(T0), report(T0 + HOUR)])
    assert len([a for a in outcome.actions if a.rule == "R1"]) == 6
    assert [a.status for a in kinds(outcome, "database_checks")] == ["open", "open"]


def test_r1_risk_assessment_closes_every_open_complete_risk_assessment() -> None:
    outcome = run([report(T0), report(T0 + HOUR), dash(T0 + 2 * HOUR, 2)])
    closed = kinds(outcome, "complete_risk_assessment")
    assert [(a.status, a.closed_at) for a in closed] == [("done", T0 + 2 * HOUR)] * 2


def test_r1_an_assessment_naming_the_suspect_answers_the_report_that_named_none() -> None:
    t = T0 + 2 * HOUR
    outcome = run([report(T0, suspect=None), report(T0 + HOUR, victim="W"), dash(t, 2)])
    unnamed = only(outcome, "complete_risk_assessment", subject=None)
    assert (unnamed.status, unnamed.closed_at) == ("done", t)
    assert "for" in unnamed.closed_reason and "(P)" in unnamed.closed_reason
    # Another victim's assessment stays open: it is the victim's risk that was assessed.
    assert only(outcome, "complete_risk_assessment", victim="W").status == "open"


# --- R2 children ------------------------------------------------------------------------------


def _family(born: str | None, *, present: bool = False, household: bool = True) -> tuple[list[Person], list[Relationship]]:
    child = Person("K", "Kim Child", born=born, sex="female", home=None)
    rels = [Relationship("V", "K", "household")] if household else []
    return [child], rels


def _school_notices(moment: dt.datetime, born: str | None, *, present: bool = False, household: bool = True) -> list:
    people, rels = _family(born, household=household)
    w = world(people=people, relationships=rels)
    outcome = run([report(moment, children=("K",) if present else ())], w=w)
    return kinds(outcome, "notify_school")


@pytest.mark.parametrize(
    ("born", "report_at", "notify"),
    [
        ("2007-06-15", "2025-06-14 12:00", True),  # 17, eighteenth birthday tomorrow
        ("2007-06-15", "2025-06-15 12:00", False),  # 18 on the day of the report
        ("2021-06-15", "2025-06-15 12:00", True),  # 4 on the day
        ("2021-06-15", "2025-06-14 12:00", False),  # 3, fourth birthday tomorrow
        # Counted on the local date: 23:30 BST on the 14th is still the 14th in London ...
        ("2007-06-15", "2025-06-14T22:30:00+00:00", True),
        # ... and 00:30 BST on the 15th is the 15th, though it is still the 14th in UTC.
        ("2007-06-15", "2025-06-14T23:30:00+00:00", False),
    ],
)
def test_r2_age_on_the_day_of_the_report(born: str, report_at: str, notify: bool) -> None:
    notices = _school_notices(at(report_at), born)
    assert len(notices) == (1 if notify else 0)


def test_r2_child_present_of_school_age() -> None:
    notice = only_notice = _school_notices(at("2025-06-11 12:00"), "2015-01-01", present=True, household=False)
    assert len(notice) == 1
    assert only_notice[0].victim == "K" and only_notice[0].subject == "P"
    assert only_notice[0].priority == "high" and only_notice[0].rule == "R2"


def test_r2_child_present_without_a_birth_date_is_treated_as_of_school_age() -> None:
    assert len(_school_notices(at("2025-06-11 12:00"), None, present=True, household=False)) == 1


def test_r2_household_child_without_a_birth_date_is_not_notified() -> None:
    assert _school_notices(at("2025-06-11 12:00"), None) == []


@pytest.mark.parametrize(("born", "notify"), [("2007", True), ("2006", False), ("2021", True), ("2022", False)])
def test_r2_year_only_birth(born: str, notify: bool) -> None:
    # On 11 June 2025 someone born in 2007 is 17 or 18; in 2006, 18 or 19; in 2021, 3 or 4.
    assert len(_school_notices(at("2025-06-11 12:00"), born)) == (1 if notify else 0)


def test_r2_child_living_in_the_suspects_household_or_home() -> None:
    child = Person("K", "Kim Child", born="2015-01-01", home="HS")
    outcome = run([report(T0)], w=world(people=[child]))
    assert [a.victim for a in kinds(outcome, "notify_school")] == ["K"]


def test_r2_household_relationship_that_ended_before_the_report() -> None:
    child = Person("K", "Kim Child", born="2015-01-01")
    rel = Relationship("V", "K", "household", until=dt.date(2024, 1, 1))
    assert kinds(run([report(T0)], w=world(people=[child], relationships=[rel])), "notify_school") == []


def test_r2_one_notice_per_child_per_report() -> None:
    kids = [Person("K1", "One Child", born="2015-01-01"), Person("K2", "Two Child", born="2017-01-01")]
    rels = [Relationship("V", "K1", "household"), Relationship("P", "K2", "household")]
    w = world(people=kids, relationships=rels)
    outcome = run([report(T0, children=("K1",)), report(T0 + 7 * DAY)], w=w)
    notices = kinds(outcome, "notify_school")
    assert sorted((a.victim, a.created_at) for a in notices) == [
        ("K1", T0),
        ("K1", T0 + 7 * DAY),
        ("K2", T0),
        ("K2", T0 + 7 * DAY),
    ]


@pytest.mark.parametrize(
    ("report_at", "due_utc"),
    [
        ("2025-06-13 22:00", "2025-06-16 08:00"),  # Friday night -> Monday 09:00 BST
        ("2025-06-15 14:00", "2025-06-16 08:00"),  # Sunday -> Monday
        ("2025-06-14 09:00", "2025-06-16 08:00"),  # Saturday -> Monday
        ("2025-06-16 08:59", "2025-06-16 08:00"),  # Monday before 09:00 -> that morning
        ("2025-06-16 09:00", "2025-06-17 08:00"),  # exactly 09:00: the first 09:00 strictly after
        ("2025-06-18 17:00", "2025-06-19 08:00"),  # a Wednesday -> Thursday
        ("2025-01-17 21:05", "2025-01-20 09:00"),  # Friday in winter: 09:00 GMT
        # Spring forward, Sunday 30 March 2025 01:00 GMT: 00:30 GMT that morning -> Monday 09:00 BST
        ("2025-03-30 00:30", "2025-03-31 08:00"),
        ("2025-03-30 03:30", "2025-03-31 08:00"),  # after the change
        ("2025-03-28 20:00", "2025-03-31 08:00"),  # Friday before it
        # Fall back, Sunday 26 October 2025 02:00 BST: 01:30 BST and 01:30 GMT -> Monday 09:00 GMT
        ("2025-10-26T01:30:00+01:00", "2025-10-27 09:00"),
        ("2025-10-26T01:30:00+00:00", "2025-10-27 09:00"),
        ("2025-10-24 19:00", "2025-10-27 09:00"),  # Friday before it, in BST
    ],
)
def test_r2_next_school_day_0900(report_at: str, due_utc: str) -> None:
    notices = _school_notices(at(report_at), "2015-01-01", present=True)
    assert len(notices) == 1
    assert notices[0].due_at.astimezone(UTC) == utc(due_utc)


# --- R3 high ----------------------------------------------------------------------------------


def test_r3_no_second_refer_marac_while_one_is_open() -> None:
    events = [report(T0), report(T0 + HOUR), report(T0 + 2 * HOUR), dash(T0 + DAY, 14)]
    outcome = run(events)
    assert [a.rule for a in kinds(outcome, "refer_marac")] == ["R8"]


def test_r3_refer_marac_again_when_the_earlier_one_is_done() -> None:
    events = [
        report(T0),
        report(T0 + HOUR),
        report(T0 + 2 * HOUR),
        ActionCompleted(at=T0 + 3 * HOUR, action="refer_marac", victim="V", subject="P"),
        dash(T0 + DAY, 14),
    ]
    assert [a.rule for a in kinds(run(events), "refer_marac")] == ["R8", "R3"]


def test_r3_no_protective_order_action_while_an_order_is_in_force() -> None:
    outcome = run([report(T0), order(T0 + HOUR), dash(T0 + DAY, 14)])
    assert kinds(outcome, "consider_protective_order") == []


def test_r3_protective_order_action_after_the_order_expired() -> None:
    outcome = run([report(T0), order(T0 + HOUR, expires=T0 + 2 * HOUR), dash(T0 + DAY, 14)])
    assert len(kinds(outcome, "consider_protective_order")) == 1


def test_r3_order_granted_closes_consider_protective_order() -> None:
    outcome = run([report(T0), dash(T0 + DAY, 14), order(T0 + 2 * DAY)])
    action = only(outcome, "consider_protective_order")
    assert action.status == "done" and action.closed_at == T0 + 2 * DAY


def test_r3_review_risk_every_7_days_while_high() -> None:
    t1, t2 = T0 + DAY, T0 + 5 * DAY
    outcome = run([report(T0), dash(t1, 14), dash(t2, 15)])
    reviews = kinds(outcome, "review_risk")
    assert [(a.status, a.created_at, a.due_at) for a in reviews] == [
        ("done", t1, t1 + 7 * DAY),
        ("open", t2, t2 + 7 * DAY),
    ]


def test_r4_review_risk_every_30_days_while_medium() -> None:
    t1, t2 = T0 + DAY, T0 + 25 * DAY
    outcome = run([report(T0), dash(t1, 11), dash(t2, 12)])
    assert [(a.status, a.due_at - a.created_at) for a in kinds(outcome, "review_risk")] == [
        ("done", 30 * DAY),
        ("open", 30 * DAY),
    ]


def test_no_new_review_when_the_level_falls() -> None:
    outcome = run([report(T0), dash(T0 + DAY, 14), dash(T0 + 5 * DAY, 2)])
    assert [a.status for a in kinds(outcome, "review_risk")] == ["done"]


def test_a_breach_review_closed_by_an_assessment_while_high_is_followed_by_the_next_review() -> None:
    t1, done, breach, t2 = T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY, T0 + 4 * DAY
    events = [
        report(T0),
        dash(t1, 14),
        ActionCompleted(at=done, action="review_risk", victim="V", subject="P"),
        order(T0 + HOUR),
        Breach(at=breach, order="O1"),
        dash(t2, 15),
    ]
    reviews = kinds(run(events), "review_risk")
    assert [(a.rule, a.status, a.created_at, a.due_at) for a in reviews] == [
        ("R3", "done", t1, t1 + 7 * DAY),
        ("R5", "done", breach, breach + DAY),
        ("R3", "open", t2, t2 + 7 * DAY),
    ]


def test_one_next_review_when_an_assessment_closes_two() -> None:
    t1, breach, t2 = T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY
    events = [report(T0), dash(t1, 14), order(T0 + HOUR), Breach(at=breach, order="O1"), dash(t2, 15)]
    reviews = kinds(run(events), "review_risk")
    assert [(a.rule, a.status) for a in reviews] == [("R3", "done"), ("R5", "done"), ("R3", "open")]


# --- R5 breach ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("metres", "inside"), [(199.0, True), (201.0, False), (199.99, True), (200.01, False)])
def test_r5_exclusion_zone_radius(metres: float, inside: bool) -> None:
    lat, lon = point_at(VICTIM_HOME, metres, azimuth=123.0)
    assert geo.distance_m(lat, lon, VICTIM_HOME.lat, VICTIM_HOME.lon) == pytest.approx(metres, abs=1e-4)
    t = T0 + 2 * DAY
    events = [report(T0), order(T0 + DAY, no_contact=False, zone=("HV", 200)), Sighting(at=t, subject="P", lat=lat, lon=lon)]
    outcome = run(events)
    assert len(flags(outcome, "breach")) == (1 if inside else 0)
    assert len(kinds(outcome, "arrest_suspect")) == (1 if inside else 0)


def test_r5_sighting_place_used_when_no_coordinates() -> None:
    lat, lon = point_at(VICTIM_HOME, 150)
    corner = Place("X", "corner", "other", lat, lon)
    t = T0 + 2 * DAY
    outcome = run(
        [report(T0), order(T0 + DAY, no_contact=False, zone=("HV", 200)), Sighting(at=t, subject="P", place="X")],
        w=world(places=[corner]),
    )
    assert len(flags(outcome, "breach")) == 1


def test_r5_breach_event_actions() -> None:
    t = T0 + 2 * DAY
    outcome = run([report(T0), order(T0 + DAY), Breach(at=t, order="O1", reported_by="V")])
    [flag] = flags(outcome, "breach")
    assert flag.at == t and flag.refs == ("V", "P")
    arrest = only(outcome, "arrest_suspect")
    assert (arrest.rule, arrest.priority, arrest.created_at, arrest.due_at) == ("R5", "high", t, t + DAY)
    review = only(outcome, "review_risk", rule="R5")
    assert (review.priority, review.due_at) == ("high", t + DAY)


def test_r5_breach_for_a_high_pair_is_immediate_within_4_hours() -> None:
    t = T0 + 2 * DAY
    outcome = run([report(T0), dash(T0 + HOUR, 14), order(T0 + DAY), Breach(at=t, order="O1")])
    arrest = only(outcome, "arrest_suspect")
    assert (arrest.priority, arrest.due_at) == ("immediate", t + 4 * HOUR)


def test_r5_sighting_near_a_person_protected_from_contact() -> None:
    far = point_at(VICTIM_HOME, 5000)
    t = T0 + 2 * DAY
    outcome = run([report(T0), order(T0 + DAY), Sighting(at=t, subject="P", near="V", lat=far[0], lon=far[1])])
    assert len(flags(outcome, "breach")) == 1


def test_r5_sighting_near_without_a_no_contact_condition_is_no_breach() -> None:
    far = point_at(VICTIM_HOME, 5000)
    events = [
        report(T0),
        order(T0 + DAY, no_contact=False, zone=("HV", 100)),
        Sighting(at=T0 + 2 * DAY, subject="P", near="V", lat=far[0], lon=far[1]),
    ]
    assert flags(run(events), "breach") == []


@pytest.mark.parametrize(
    ("attempt", "breach"),
    [
        (T0 + DAY - MINUTE, False),  # before the order
        (T0 + DAY, True),  # at its grant
        (T0 + 3 * DAY - MINUTE, True),  # just before it expires
        (T0 + 3 * DAY, False),  # at its expiry (exclusive)
    ],
)
def test_r5_contact_attempt_while_a_no_contact_order_is_in_force(attempt: dt.datetime, breach: bool) -> None:
    events = [report(T0), order(T0 + DAY, expires=T0 + 3 * DAY), ContactAttempt(at=attempt, subject="P", victim="V")]
    assert len(flags(run(events), "breach")) == (1 if breach else 0)


def test_r5_order_ended_early() -> None:
    events = [
        report(T0),
        order(T0 + DAY),
        OrderEnded(at=T0 + 2 * DAY, order="O1"),
        ContactAttempt(at=T0 + 3 * DAY, subject="P", victim="V", channel="call"),
    ]
    assert flags(run(events), "breach") == []


@pytest.mark.parametrize(
    ("breach_at", "counts"),
    [
        (T0 + 3 * DAY - MINUTE, True),  # just before the order expires
        (T0 + 3 * DAY, False),  # at its expiry (exclusive)
        (T0 + DAY - MINUTE, False),  # before it was granted
    ],
)
def test_r5_a_breach_report_counts_only_while_the_order_is_in_force(breach_at: dt.datetime, counts: bool) -> None:
    events = [report(T0 - DAY), order(T0 + DAY, expires=T0 + 3 * DAY), Breach(at=breach_at, order="O1", reported_by="V")]
    outcome = run(events)
    assert len(flags(outcome, "breach")) == (1 if counts else 0)
    assert len(kinds(outcome, "arrest_suspect")) == (1 if counts else 0)
    assert len(kinds(outcome, "review_risk", rule="R5")) == (1 if counts else 0)
    if not counts:
        [entry] = [e for e in outcome.events if e.type == "breach"]
        assert any("at this time" in str(note) for note in entry.notes)


def test_r5_a_breach_report_after_the_order_ended_early_is_no_breach() -> None:
    events = [report(T0), order(T0 + DAY), OrderEnded(at=T0 + 2 * DAY, order="O1"), Breach(at=T0 + 3 * DAY, order="O1")]
    outcome = run(events)
    assert flags(outcome, "breach") == [] and kinds(outcome, "arrest_suspect") == []


def test_r5_order_ended_cancels_the_open_arrest_for_breaking_it_and_keeps_the_risk_review() -> None:
    breach, ended = T0 + 2 * DAY, T0 + 2 * DAY + 2 * HOUR
    events = [report(T0), order(T0 + DAY), Breach(at=breach, order="O1"), OrderEnded(at=ended, order="O1")]
    outcome = run(events, until=ended + 10 * DAY)
    arrest = only(outcome, "arrest_suspect")
    assert (arrest.status, arrest.closed_at) == ("cancelled", ended)
    assert "dvpo O1" not in arrest.closed_reason and "O1 ended on" in arrest.closed_reason
    assert only(outcome, "review_risk", rule="R5").status == "open"


def test_r5_order_ended_keeps_an_arrest_another_order_in_force_still_asks_for() -> None:
    breach = T0 + 2 * DAY
    events = [
        report(T0),
        order(T0 + DAY, ref="O1"),
        order(T0 + DAY, ref="O2", order_type="restraining_order"),
        ContactAttempt(at=breach, subject="P", victim="V"),
        OrderEnded(at=breach + HOUR, order="O1"),
    ]
    outcome = run(events)
    arrest = only(outcome, "arrest_suspect")
    assert arrest.status == "open"
    assert arrest.reason.count("O1") == 1 and arrest.reason.count("O2") == 1


def test_r5_one_order_broken_two_ways_is_named_once() -> None:
    events = [report(T0), order(T0 + DAY, zone=("HV", 200)), Sighting(at=T0 + 2 * DAY, subject="P", near="V", place="HV")]
    arrest = only(run(events), "arrest_suspect")
    assert arrest.reason.count("O1") == 1


def test_r5_arrest_closes_arrest_suspect_done() -> None:
    t = T0 + 2 * DAY
    outcome = run([report(T0), order(T0 + DAY), Breach(at=t, order="O1"), Arrest(at=t + 3 * HOUR, subject="P")])
    arrest = only(outcome, "arrest_suspect")
    assert (arrest.status, arrest.closed_at, arrest.escalations) == ("done", t + 3 * HOUR, ())


def test_r5_an_order_granted_at_the_moment_of_a_sighting_is_in_force() -> None:
    # Same timestamp: the order is applied before the sighting that breaks it.
    t = T0 + DAY
    outcome = run([Sighting(at=t, subject="P", near="V"), order(t), report(T0)])
    assert len(flags(outcome, "breach")) == 1


# --- R6 warrant --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assessment", "due", "priority"),
    [(14, DAY, "high"), (11, 3 * DAY, "medium"), (2, 7 * DAY, "low"), (None, 7 * DAY, "low")],
)
def test_r6_execute_warrant_by_the_level(assessment: int | None, due: dt.timedelta, priority: str) -> None:
    t = T0 + 2 * DAY
    events = [report(T0), WarrantIssued(at=t, warrant="W1", subject="P", reason="failed to appear")]
    if assessment is not None:
        events.append(dash(T0 + HOUR, assessment))
    outcome = run(events)
    action = only(outcome, "execute_warrant")
    assert (action.rule, action.created_at, action.due_at, action.priority) == ("R6", t, t + due, priority)
    contact = only(outcome, "victim_contact")
    assert (contact.victim, contact.created_at, contact.due_at, contact.priority) == ("V", t, t + DAY, "high")


def test_r6_highest_level_over_the_subjects_victims() -> None:
    w = world(people=[Person("V2", "Second Victim", born="1991-01-01")])
    t = T0 + 2 * DAY
    events = [
        report(T0),
        report(T0, victim="V2"),
        dash(T0 + HOUR, 14, victim="V2"),
        WarrantIssued(at=t, warrant="W1", subject="P"),
    ]
    outcome = run(events, w=w)
    action = only(outcome, "execute_warrant")
    assert (action.victim, action.due_at, action.priority) == ("V2", t + DAY, "high")
    assert sorted(a.victim for a in kinds(outcome, "victim_contact")) == ["V", "V2"]


def test_r6_subject_linked_to_no_victim() -> None:
    outcome = run([WarrantIssued(at=T0, warrant="W1", subject="P")])
    assert outcome.actions == []


def test_r6_sighting_while_outstanding_makes_it_immediate() -> None:
    t, seen = T0 + 2 * DAY, T0 + 20 * DAY
    far = point_at(VICTIM_HOME, 9000)
    events = [report(T0), WarrantIssued(at=t, warrant="W1", subject="P"), Sighting(at=seen, subject="P", lat=far[0], lon=far[1])]
    outcome = run(events, seen + 2 * HOUR)
    action = only(outcome, "execute_warrant")
    assert (action.priority, action.due_at, action.status) == ("immediate", seen + 4 * HOUR, "open")
    # The ladder already reached level 4 on the old due time; nothing is lost or repeated.
    assert [lv for _, lv in action.escalations] == [2, 3, 4]


def test_r6_a_sighting_within_4_hours_of_the_due_time_keeps_it_and_makes_it_immediate() -> None:
    t = T0 + 2 * DAY  # a high pair: due within 24 hours
    seen = t + 21 * HOUR
    events = [report(T0), dash(T0 + HOUR, 14), WarrantIssued(at=t, warrant="W1", subject="P"), Sighting(at=seen, subject="P")]
    action = only(run(events, seen + HOUR), "execute_warrant")
    assert (action.priority, action.due_at) == ("immediate", t + DAY)


def test_r6_warrant_executed_closes_it_and_a_later_sighting_changes_nothing() -> None:
    t = T0 + 2 * DAY
    events = [
        report(T0),
        WarrantIssued(at=t, warrant="W1", subject="P"),
        WarrantExecuted(at=t + 3 * HOUR, warrant="W1"),
        Sighting(at=t + DAY, subject="P"),
    ]
    action = only(run(events), "execute_warrant")
    assert (action.status, action.closed_at, action.priority, action.due_at) == ("done", t + 3 * HOUR, "low", t + 7 * DAY)


def test_r6_arrest_executes_the_warrant() -> None:
    t = T0 + 2 * DAY
    outcome = run([report(T0), WarrantIssued(at=t, warrant="W1", subject="P"), Arrest(at=t + HOUR, subject="P")])
    assert only(outcome, "execute_warrant").status == "done"


# --- R7 alarm --------------------------------------------------------------------------------


def test_r7_alarm_priority_response_in_15_minutes() -> None:
    t = T0 + 3 * DAY
    outcome = run([report(T0), AlarmActivated(at=t, person="V", place="HV")])
    action = only(outcome, "priority_response")
    assert (action.rule, action.priority, action.due_at, action.victim, action.subject) == (
        "R7",
        "immediate",
        t + 15 * MINUTE,
        "V",
        "P",
    )


def test_r7_alarm_of_someone_with_no_pair() -> None:
    outcome = run([AlarmActivated(at=T0, person="V")])
    action = only(outcome, "priority_response")
    assert (action.victim, action.subject) == ("V", None)


def test_r7_a_report_naming_no_suspect_leaves_the_alarm_response_with_the_known_subject() -> None:
    t = T0 + 3 * DAY
    outcome = run([report(T0), report(T0 + DAY, "criminal_damage", suspect=None), AlarmActivated(at=t, person="V")])
    action = only(outcome, "priority_response")
    assert (action.victim, action.subject) == ("V", "P")


# --- R9 serial --------------------------------------------------------------------------------


def test_r9_second_victim_makes_a_serial_perpetrator() -> None:
    w = world(people=[Person("V2", "Second Victim", born="1991-01-01"), Person("V3", "Third Victim", born="1992-01-01")])
    events = [report(T0), report(T0 + DAY), report(T0 + 2 * DAY, victim="V2"), report(T0 + 3 * DAY, victim="V3")]
    outcome = run(events, w=w)
    assert [(f.at, f.refs) for f in flags(outcome, "serial_perpetrator")] == [
        (T0 + 2 * DAY, ("V2", "P")),
        (T0 + 3 * DAY, ("V3", "P")),
    ]
    reviews = kinds(outcome, "serial_perpetrator_review")
    assert [(a.rule, a.due_at - a.created_at, a.priority) for a in reviews] == [("R9", 3 * DAY, "high")] * 2


def test_r9_one_victim_many_reports_is_not_serial() -> None:
    outcome = run([report(T0 + i * DAY) for i in range(4)])
    assert flags(outcome, "serial_perpetrator") == []


# --- R10 proximity --------------------------------------------------------------------------


@pytest.mark.parametrize(("metres", "near"), [(499.0, True), (501.0, False)])
def test_r10_subject_home_within_500_m(metres: float, near: bool) -> None:
    lat, lon = point_at(VICTIM_HOME, metres, azimuth=300.0)
    home = Place("HS", "subject's home", "home", lat, lon)
    outcome = run([report(T0)], w=world(places=[home]))
    found = flags(outcome, "proximity")
    assert len(found) == (1 if near else 0)
    if near:
        assert found[0].refs == ("V", "P") and found[0].at == T0


def test_r10_sighting_near_the_victims_work_once_per_place() -> None:
    work = Place("W", "salon where she works", "work", 53.79, -1.56, person="V")
    lat, lon = point_at(work, 300)
    events = [
        report(T0),
        Sighting(at=T0 + DAY, subject="P", lat=lat, lon=lon),
        Sighting(at=T0 + 2 * DAY, subject="P", lat=lat, lon=lon),
    ]
    outcome = run(events, w=world(places=[work]))
    found = flags(outcome, "proximity")
    assert [f.at for f in found] == [T0 + DAY]
    # The flag names whose work it is (a flag list holds every pair's flags); the driver,
    # which belongs to the pair, says "the victim's".
    assert "was seen about 300 m from the work of " in found[0].detail and "(V)" in found[0].detail
    # The distance becomes a driver of the pair's next risk change.
    later = run([*events, dash(T0 + 3 * DAY, 14)], w=world(places=[work]))
    assert any("300 m" in d for d in later.risk[-1].drivers)


def test_r10_sighting_far_away_is_not_proximity() -> None:
    lat, lon = point_at(VICTIM_HOME, 800)
    outcome = run([report(T0), Sighting(at=T0 + DAY, subject="P", lat=lat, lon=lon)])
    assert flags(outcome, "proximity") == []


# --- R11 declines ------------------------------------------------------------------------------


def test_r11_decline_of_a_high_pair_goes_to_level_2_at_once() -> None:
    t = T0 + DAY + HOUR
    events = [
        report(T0),
        dash(T0 + DAY, 14),
        ActionDeclined(at=t, action="safety_plan", victim="V", subject="P", rationale="why"),
    ]
    action = only(run(events, t + 30 * DAY), "safety_plan")
    assert (action.status, action.closed_at, action.rationale) == ("declined", t, "why")
    assert action.escalations == ((t, 2),)


def test_r11_decline_of_a_standard_pair_is_not_escalated() -> None:
    t = T0 + HOUR
    events = [report(T0), ActionDeclined(at=t, action="database_checks", victim="V", subject="P", rationale="done elsewhere")]
    action = only(run(events), "database_checks")
    assert (action.status, action.escalations) == ("declined", ())


def test_r11_decline_without_rationale_is_refused() -> None:
    t = T0 + HOUR
    events = [report(T0), ActionDeclined(at=t, action="database_checks", victim="V", subject="P", rationale="  ")]
    assert only(run(events), "database_checks").status == "open"


# --- R12 victim's report -----------------------------------------------------------------------

FAMILY = Person("F", "Jo Family", born="1970-02-02")
STRANGER = Person("X", "Kim Passer-by", born="1980-04-04")
R12_WORLD = world(people=[FAMILY, STRANGER], relationships=[Relationship("V", "F", "family")])
MICROSECOND = dt.timedelta(microseconds=1)


def test_r12_a_sighting_reported_by_family_gets_the_victim_called_back_within_4_hours() -> None:
    seen = T0 + DAY
    far = point_at(VICTIM_HOME, 9000)
    events = [report(T0), Sighting(at=seen, subject="P", near="V", lat=far[0], lon=far[1], reported_by="F")]
    outcome = run(events, seen + HOUR, w=R12_WORLD)
    contact = only(outcome, "victim_contact")
    assert (contact.rule, contact.victim, contact.subject) == ("R12", "V", "P")
    assert (contact.created_at, contact.due_at, contact.priority, contact.status) == (seen, seen + 4 * HOUR, "high", "open")
    assert "Jo Family (F) reported" in contact.reason and "call Alex Victim (V) back" in contact.reason
    assert flags(outcome, "breach") == []  # no order: R12 alone


def test_r12_a_high_pair_is_called_back_within_the_hour_after_the_events_other_rules() -> None:
    seen = T0 + DAY
    # Not high before the sighting: the breach of the order by a subject known to stalk (E1)
    # makes the pair high, and R12 reads the level after that.
    events = [report(T0, "stalking"), order(T0 + HOUR), Sighting(at=seen, subject="P", near="V", reported_by="F")]
    outcome = run(events, seen, w=R12_WORLD)
    assert outcome.levels[("V", "P")] == "high"
    contact = only(outcome, "victim_contact")
    assert (contact.due_at, contact.priority) == (seen + HOUR, "immediate")
    assert only(outcome, "arrest_suspect").priority == "immediate"


def test_r12_a_contact_attempt_reported_by_the_victim() -> None:
    t = T0 + DAY
    outcome = run([report(T0), ContactAttempt(at=t, subject="P", victim="V", channel="message", reported_by="V")])
    contact = only(outcome, "victim_contact")
    assert (contact.rule, contact.due_at, contact.priority) == ("R12", t + 4 * HOUR, "high")
    assert contact.reason.startswith("the victim reported")


def test_r12_near_someone_else_reported_by_the_victim_calls_the_victim() -> None:
    t = T0 + DAY
    outcome = run([report(T0), Sighting(at=t, subject="P", near="F", reported_by="V")], w=R12_WORLD)
    assert only(outcome, "victim_contact").victim == "V"


@pytest.mark.parametrize(
    "sighting",
    [
        Sighting(at=T0 + DAY, subject="P", near="X", reported_by="X"),  # nobody named is his victim
        Sighting(at=T0 + DAY, subject="P", near=None, reported_by="F"),  # family, but no victim named
        Sighting(at=T0 + DAY, subject="P", near="V", reported_by="P"),  # reported by the subject himself
        Sighting(at=T0 + DAY, subject="P", near="V", reported_by=None),  # nobody reported it
    ],
    ids=["not-a-victim", "no-victim-named", "by-the-subject", "no-reporter"],
)
def test_r12_no_call_back_without_a_victim_and_someone_reporting(sighting: Sighting) -> None:
    assert kinds(run([report(T0), sighting], w=R12_WORLD), "victim_contact") == []


def test_r12_a_victim_of_another_subject_is_not_his_victim() -> None:
    w = world(people=[Person("Q", "Other Subject", born="1975-01-01"), FAMILY])
    events = [report(T0, suspect="Q"), Sighting(at=T0 + DAY, subject="P", near="V", reported_by="F")]
    assert kinds(run(events, w=w), "victim_contact") == []


def test_r12_merges_into_an_open_victim_contact_earlier_due_and_higher_priority() -> None:
    issued, seen = T0 + DAY, T0 + DAY + 2 * HOUR
    events = [
        report(T0),
        WarrantIssued(at=issued, warrant="W1", subject="P"),  # R6: victim_contact due in 24 h, high
        Sighting(at=seen, subject="P", near="V", reported_by="F"),
    ]
    outcome = run(events, seen + HOUR, w=R12_WORLD)
    contact = only(outcome, "victim_contact")  # none is added
    assert (contact.rule, contact.created_at) == ("R6", issued)
    assert (contact.due_at, contact.priority) == (seen + 4 * HOUR, "high")  # the earlier of the two times
    # A high pair's call back (1 h, immediate) makes the open one immediate as well.
    high = run([*events[:2], dash(T0 + HOUR, 14), events[2]], seen + HOUR, w=R12_WORLD)
    contact = only(high, "victim_contact")
    assert (contact.rule, contact.due_at, contact.priority) == ("R6", seen + HOUR, "immediate")
    # Completing it closes the one action for the pair.
    done = run([*events, ActionCompleted(at=seen + HOUR, action="victim_contact", victim="V", subject="P")], w=R12_WORLD)
    assert only(done, "victim_contact").status == "done"


def test_r12_an_open_victim_contact_due_sooner_and_as_urgent_is_left_as_it_is() -> None:
    first, second = T0 + DAY, T0 + DAY + 2 * HOUR
    events = [
        report(T0),
        Sighting(at=first, subject="P", near="V", reported_by="F"),
        Sighting(at=second, subject="P", near="V", reported_by="V"),
    ]
    contact = only(run(events, second, w=R12_WORLD), "victim_contact")
    assert (contact.created_at, contact.due_at, contact.priority) == (first, first + 4 * HOUR, "high")


def test_r12_merging_into_an_overdue_action_climbs_at_once_never_before_the_report() -> None:
    """The open one is overdue when the report comes: it keeps its earlier due time and
    becomes immediate. The steps its old ladder reached stay; the immediate ladder's steps
    that already lie in the past are recorded at the moment of the report, not before it."""
    issued = T0 + DAY
    due = issued + DAY
    seen = due + 6 * HOUR  # past due + 1 h and due + 4 h, the immediate ladder's steps 3 and 4
    events = [
        report(T0),
        dash(T0 + HOUR, 14),
        WarrantIssued(at=issued, warrant="W1", subject="P"),
        Sighting(at=seen, subject="P", near="V", reported_by="F"),
    ]
    contact = only(run(events, seen + DAY, w=R12_WORLD), "victim_contact")
    assert (contact.due_at, contact.priority) == (due, "immediate")
    assert contact.escalations == ((due, 2), (seen, 3), (seen + MICROSECOND, 4))


def test_r12_can_be_switched_off_and_its_times_are_the_policys() -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    off = parse_policy(tomllib.loads(text.replace('title = "victim\'s report"', 'title = "victim\'s report"\nenabled = false')))
    slow = parse_policy(tomllib.loads(text.replace("victim_contact_due_hours = 4", "victim_contact_due_hours = 6")))
    events = [report(T0), Sighting(at=T0 + DAY, subject="P", near="V", reported_by="F")]
    assert kinds(run(events, w=R12_WORLD, p=off), "victim_contact") == []
    assert only(run(events, w=R12_WORLD, p=slow), "victim_contact").due_at == T0 + DAY + 6 * HOUR


# --- R13 disclosure (Clare's Law) ----------------------------------------------------------------

NEW_PARTNER = Person("N", "Robin Newpartner", born="1992-06-06")
R13_WORLD = world(people=[NEW_PARTNER])


def request(at_: dt.datetime, *, person_at_risk: str = "N", ref: str = "D1") -> DisclosureRequest:
    return DisclosureRequest(
        at=at_, request=ref, route="right_to_ask", subject="P", person_at_risk=person_at_risk, applicant=person_at_risk
    )


def decision(at_: dt.datetime, decided: str = "disclose", rationale: str = "", ref: str = "D1") -> DisclosureDecision:
    return DisclosureDecision(at=at_, request=ref, decision=decided, rationale=rationale)


def test_r13_a_request_is_decided_within_28_days() -> None:
    t = T0 + DAY
    outcome = run([report(T0), request(t)], t + HOUR, w=R13_WORLD)
    action = only(outcome, "dvds_decision")
    assert (action.rule, action.victim, action.subject) == ("R13", "N", "P")
    assert (action.created_at, action.due_at, action.priority) == (t, t + 28 * DAY, "medium")
    assert "right to ask" in action.reason


@pytest.mark.parametrize(
    ("after", "steps"),
    [(28 * DAY - MINUTE, ()), (28 * DAY, ()), (28 * DAY + MINUTE, (2,))],
    ids=["a-minute-early", "at-28-days", "a-minute-late"],
)
def test_r13_the_28_day_boundary(after: dt.timedelta, steps: tuple[int, ...]) -> None:
    t = T0 + DAY
    outcome = run([request(t), decision(t + after)], t + 60 * DAY, w=R13_WORLD)
    action = only(outcome, "dvds_decision")
    assert (action.status, action.closed_at) == ("done", t + after)
    assert tuple(level for _, level in action.escalations) == steps


def test_r13_open_at_28_days_goes_to_the_supervisor_then() -> None:
    t = T0 + DAY
    assert only(run([request(t)], t + 28 * DAY - MICROSECOND, w=R13_WORLD), "dvds_decision").escalations == ()
    assert only(run([request(t)], t + 28 * DAY, w=R13_WORLD), "dvds_decision").escalations == ((t + 28 * DAY, 2),)


def test_r13_a_high_pair_at_the_request_is_decided_within_24_hours() -> None:
    t = T0 + DAY
    events = [report(T0, victim="N"), dash(T0 + HOUR, 14, victim="N"), request(t)]
    action = only(run(events, t, w=R13_WORLD), "dvds_decision")
    assert (action.due_at, action.priority) == (t + DAY, "high")
    # The level of another pair (the subject's earlier victim) does not count.
    other = [report(T0), dash(T0 + HOUR, 14), request(t)]
    assert only(run(other, t, w=R13_WORLD), "dvds_decision").due_at == t + 28 * DAY


def test_r13_no_disclosure_without_a_rationale_leaves_it_open() -> None:
    t = T0 + DAY
    outcome = run([request(t), decision(t + DAY, "no_disclosure", "  ")], t + 30 * DAY, w=R13_WORLD)
    action = only(outcome, "dvds_decision")
    assert (action.status, action.closed_at) == ("open", None)
    assert [level for _, level in action.escalations] == [2, 3]
    [entry] = [e for e in outcome.events if e.type == "disclosure_decision"]
    assert "without a rationale" in " ".join(entry.outcomes)


def test_r13_no_disclosure_with_a_rationale_closes_it() -> None:
    t = T0 + DAY
    why = "Nothing on record meets the threshold; safety advice given."
    action = only(run([request(t), decision(t + DAY, "no_disclosure", why)], w=R13_WORLD), "dvds_decision")
    assert (action.status, action.closed_at, action.rationale) == ("done", t + DAY, why)


def test_r13_a_decision_closes_only_its_own_request() -> None:
    t = T0 + DAY
    events = [request(t), request(t + HOUR, ref="D2"), decision(t + DAY, ref="D2")]
    outcome = run(events, w=R13_WORLD)
    assert sorted((a.key.rsplit(":", 1)[1], a.status) for a in kinds(outcome, "dvds_decision")) == [
        ("D1", "open"),
        ("D2", "done"),
    ]


def test_r13_a_decision_at_the_moment_of_its_request_answers_it() -> None:
    t = T0 + DAY
    assert only(run([decision(t), request(t)], w=R13_WORLD), "dvds_decision").status == "done"


def test_completion_closes_every_open_action_of_that_kind_for_the_pair() -> None:
    t = T0 + 2 * HOUR
    events = [report(T0), report(T0 + HOUR), ActionCompleted(at=t, action="database_checks", victim="V", subject="P")]
    assert [(a.status, a.closed_at) for a in kinds(run(events), "database_checks")] == [("done", t)] * 2


def test_completion_matching_nothing_changes_nothing() -> None:
    before = run([report(T0)])
    after = run([report(T0), ActionCompleted(at=T0 + HOUR, action="refer_marac", victim="V", subject="P")])
    assert [(a.key, a.status) for a in before.actions] == [(a.key, a.status) for a in after.actions]


def test_deadlines_are_elapsed_hours_across_the_clock_change() -> None:
    """'24 h' is 24 hours of elapsed time, also on the night the clocks go forward or back
    (the live system, reading UTC from the database, must agree with the replay)."""
    for moment in (at("2025-03-29 12:00"), at("2025-03-30 00:30"), at("2025-10-25 12:00"), at("2025-10-26T01:30+01:00")):
        outcome = run([report(moment)])
        action = only(outcome, "database_checks")
        assert action.due_at.astimezone(UTC) - moment.astimezone(UTC) == DAY, moment
        arrest_due = run([report(moment), dash(moment, 14), order(moment), Breach(at=moment + MINUTE, order="O1")])
        arrest = only(arrest_due, "arrest_suspect")
        assert arrest.due_at.astimezone(UTC) - (moment + MINUTE).astimezone(UTC) == 4 * HOUR, moment
        assert same_instant(arrest.due_at, (moment + MINUTE).astimezone(UTC) + 4 * HOUR)


def test_events_in_the_repeated_hour_are_applied_in_real_time_order() -> None:
    """On 26 October 2025 01:30 BST (00:30 UTC) comes before 01:10 GMT (01:10 UTC), although
    its wall clock is later: the breach happens first and the arrest then closes it."""
    from tests.policy.builders import LONDON

    breach_at = dt.datetime(2025, 10, 26, 1, 30, tzinfo=LONDON, fold=0)
    arrest_at = dt.datetime(2025, 10, 26, 1, 10, tzinfo=LONDON, fold=1)
    assert breach_at.astimezone(UTC) < arrest_at.astimezone(UTC)
    start = at("2025-10-20 12:00")
    outcome = run([report(start), order(start), Breach(at=breach_at, order="O1"), Arrest(at=arrest_at, subject="P")])
    arrest = only(outcome, "arrest_suspect")
    assert arrest.status == "done"
    assert same_instant(arrest.closed_at, arrest_at)
    assert same_instant(arrest.created_at, breach_at)
