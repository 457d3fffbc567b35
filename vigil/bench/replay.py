"""A synthetic timeline generator and the replay benchmark (events per second through the
pure engine, on one core). Used by `tests/policy/test_bench.py` and docs/performance.md."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

from vigil.policy.config import Policy, load_policy
from vigil.policy.engine import evaluate
from vigil.policy.facts import (
    ActionCompleted,
    ActionDeclined,
    AlarmActivated,
    Arrest,
    Breach,
    Condition,
    ContactAttempt,
    Event,
    Intelligence,
    OrderGranted,
    Person,
    Place,
    Relationship,
    Report,
    RiskAssessment,
    Sighting,
    WarrantIssued,
    World,
    with_ids,
)
from vigil.policy.vocabulary import QUESTIONS

START = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC)
REPLAY_TARGET = 20_000  # events per second on one core (issue #3)
CATEGORIES = ("domestic_abuse", "stalking", "harassment", "assault", "threats", "other")
KINDS = ("safety_plan", "refer_marac", "database_checks", "supervisor_review", "victim_contact", "notify_school")


def synthetic(events: int, *, seed: int = 0, households: int | None = None) -> tuple[World, list[Event], dt.datetime]:
    """A world of households (victim, subject, a child) around Leeds and `events` events
    about them, spread over two years, touching every rule."""
    rng = random.Random(seed)
    count = households or max(1, events // 25)
    people: dict[str, Person] = {}
    places: dict[str, Place] = {}
    relationships: list[Relationship] = []
    for h in range(count):
        lat, lon = 53.80 + rng.uniform(-0.05, 0.05), -1.55 + rng.uniform(-0.08, 0.08)
        places[f"H{h}"] = Place(f"H{h}", "victim's home", "home", lat, lon)
        places[f"S{h}"] = Place(f"S{h}", "subject's home", "home", lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01))
        people[f"V{h}"] = Person(f"V{h}", f"Victim {h}", born="1990-01-01", sex="female", home=f"H{h}")
        people[f"P{h}"] = Person(f"P{h}", f"Subject {h}", born="1988-05-05", sex="male", home=f"S{h}")
        people[f"K{h}"] = Person(f"K{h}", f"Child {h}", born=f"{rng.randint(2005, 2021)}-06-15", home=f"H{h}")
        relationships.append(Relationship(f"V{h}", f"P{h}", rng.choice(("partner", "ex_partner"))))
        relationships.append(Relationship(f"V{h}", f"K{h}", "household"))
    world = World(people=people, places=places, relationships=tuple(relationships), timezone="Europe/London")
    span = dt.timedelta(days=730)
    result: list[Event] = []
    orders: dict[int, str] = {}
    for i in range(events):
        h = rng.randrange(count)
        at = START + span * (i / max(events, 1)) + dt.timedelta(seconds=rng.randint(0, 3600))
        v, p = f"V{h}", f"P{h}"
        pick = rng.random()
        event: Event
        if pick < 0.22 or h not in orders and pick < 0.3:
            event = Report(at=at, victim=v, suspect=p, category=rng.choice(CATEGORIES), reported_by=v, place=f"H{h}")
        elif pick < 0.40:
            instrument = rng.choice(("dash", "dash", "lethality_screen", "sdash"))
            size = QUESTIONS[instrument]
            answers = {q: rng.random() < 0.45 for q in range(1, size + 1)}
            level = rng.choice((None, None, "standard", "medium", "high"))
            event = RiskAssessment(at=at, victim=v, suspect=p, instrument=instrument, answers=answers, officer_level=level)
        elif pick < 0.46:
            orders[h] = f"O{i}"
            event = OrderGranted(
                at=at,
                order=f"O{i}",
                order_type=rng.choice(("dvpo", "restraining_order", "interim_spo")),
                protected=(v,),
                subject=p,
                conditions=(Condition("no_contact"), Condition("exclusion_zone", f"H{h}", 200.0)),
                expires=at + dt.timedelta(days=rng.randint(2, 120)),
            )
        elif pick < 0.58:
            home = places[f"H{h}"]
            event = Sighting(
                at=at,
                subject=p,
                near=v if rng.random() < 0.3 else None,
                lat=home.lat + rng.uniform(-0.004, 0.004),
                lon=home.lon + rng.uniform(-0.006, 0.006),
            )
        elif pick < 0.63 and h in orders:
            event = Breach(at=at, order=orders[h], reported_by=v)
        elif pick < 0.68:
            event = ContactAttempt(at=at, subject=p, victim=v, channel=rng.choice(("call", "message", "in_person")))
        elif pick < 0.72:
            event = WarrantIssued(at=at, warrant=f"W{i}", subject=p, reason="failed to appear")
        elif pick < 0.77:
            event = Arrest(at=at, subject=p)
        elif pick < 0.80:
            event = AlarmActivated(at=at, person=v, place=f"H{h}")
        elif pick < 0.83:
            event = Intelligence(at=at, subject=p, weapons=rng.random() < 0.5, threat_to_kill=rng.random() < 0.5)
        elif pick < 0.93:
            kind = rng.choice(KINDS)
            victim = f"K{h}" if kind == "notify_school" else v
            event = ActionCompleted(at=at, action=kind, victim=victim, subject=p)
        else:
            event = ActionDeclined(at=at, action=rng.choice(KINDS), victim=v, subject=p, rationale="reviewed with the victim")
        result.append(event)
    return world, with_ids(result), START + span + dt.timedelta(days=1)


def run_replay_bench(events: int, *, runs: int = 5, seed: int = 0, policy: Policy | None = None) -> dict[str, Any]:
    """Events per second through the pure engine: the median of `runs` runs over the same
    synthetic timeline (generation not timed)."""
    chosen = policy or load_policy()
    world, timeline, until = synthetic(events, seed=seed)
    timings: list[float] = []
    outcome = None
    for _ in range(max(1, runs)):
        started = time.perf_counter()
        outcome = evaluate(chosen, world, timeline, until)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    assert outcome is not None
    return {
        "events": events,
        "runs": len(timings),
        "seconds_median": round(median, 4),
        "seconds_all": [round(t, 4) for t in timings],
        "events_per_second": round(events / median) if median else None,
        "actions": len(outcome.actions),
        "flags": len(outcome.flags),
        "risk_changes": len(outcome.risk),
    }


def render_replay_section(result: dict[str, Any], *, machine: str, when: dt.datetime | None = None) -> str:
    """The `bench:replay` section of docs/performance.md for one `run_replay_bench` result."""
    import platform

    moment = when or dt.datetime.now(dt.UTC)
    rate = result["events_per_second"] or 0
    ratio = rate / REPLAY_TARGET
    verdict = "met" if rate >= REPLAY_TARGET else "**not met**"
    timings = ", ".join(f"{t:.3f}" for t in result["seconds_all"])
    return "\n".join(
        [
            "## Timeline replay (`vigil bench replay`)",
            "",
            f"Measured {moment:%Y-%m-%d %H:%M} UTC on {machine}; Python {platform.python_version()}, one process, one core.",
            "",
            f"A synthetic timeline of {result['events']:,} events (`vigil.bench.replay.synthetic`: households of a "
            "victim, a subject and a child around Leeds over two years, touching every rule) run through the pure "
            f"engine `evaluate()`, median of {result['runs']} runs; generating the timeline is not timed.",
            "",
            "| events | median s | events/s | target events/s | ratio to target | actions | flags | risk changes |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {result['events']:,} | {result['seconds_median']:.3f} | {rate:,} | {REPLAY_TARGET:,} | {ratio:.2f} | "
            f"{result['actions']:,} | {result['flags']:,} | {result['risk_changes']:,} |",
            "",
            f"Target ({REPLAY_TARGET:,} events/s) {verdict}. Every run, in seconds: {timings}.",
        ]
    )
