"""The batched re-evaluation stores exactly what the live path stores, case by case."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import PersonFactory, PersonLinkFactory, PlaceFactory
from vigil.actions.bulk import reevaluate_open_cases
from vigil.actions.models import Action, Escalation
from vigil.actions.reconcile import reevaluate_world
from vigil.actions.services import action_complete, action_decline
from vigil.alarms.services import alarm_activate
from vigil.audit.models import AuditEvent
from vigil.audit.verify import verify_chain
from vigil.cases.models import Case, Flag, RiskChange
from vigil.cases.services import (
    assessment_record,
    case_open,
    contact_attempt_record,
    intelligence_record,
    report_record,
    sighting_record,
)
from vigil.orders.services import order_grant
from vigil.people.models import PersonLink
from vigil.people.services import relationship_create
from vigil.warrants.services import warrant_issue

pytestmark = pytest.mark.django_db
UTC = dt.UTC
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def facts_only(live_bridge: Any) -> None:
    """Record facts without the live bridge, so that both paths start from the same rows."""
    live_bridge.on = False


def build_force(officer: Any) -> list[Case]:
    """Nine cases covering the rules: intake, children, high risk with an order, a breach in
    the zone, a warrant, repeat reports, a serial subject, linked identities, an alarm."""
    cases = []
    home = PlaceFactory(lat=51.527, lon=-0.187)
    victim = PersonFactory(full_name="Rhian Castell", home=home)
    subject = PersonFactory(full_name="Owen Tarrant", home=PlaceFactory(lat=51.529, lon=-0.189))
    relationship_create(actor=officer, a=victim, b=subject, kind="ex_partner")
    child = PersonFactory(full_name="Ffion Castell", born_on=dt.date(2016, 4, 3), born_year=2016, home=home)
    relationship_create(actor=officer, a=victim, b=child, kind="household")
    case = case_open(actor=officer, victim=victim, subject=subject, team=officer.team, allocate=[officer])
    cases.append(case)
    report_record(actor=officer, case=case, category="stalking", reported_at=T0, place=home, children_present=[child])
    answers = {n: ("yes" if n <= 14 else "no") for n in range(1, 25)}
    assessment_record(actor=officer, case=case, instrument="dash", answers=answers, completed_at=T0 + dt.timedelta(hours=16))
    order_grant(
        actor=officer,
        reference="O1",
        order_type="interim_spo",
        subject=subject,
        protected=[victim],
        starts_at=T0 + dt.timedelta(days=2),
        reported_at=T0 + dt.timedelta(days=2),
        expires_at=T0 + dt.timedelta(days=200),
        conditions=[{"kind": "exclusion_zone", "place": home, "radius_m": 200.0}, {"kind": "no_contact"}],
    )
    sighting_record(actor=officer, subject=subject, reported_at=T0 + dt.timedelta(days=5), lat=51.5272, lon=-0.1872)
    contact_attempt_record(
        actor=officer, subject=subject, victim=victim, channel="message", reported_at=T0 + dt.timedelta(days=6)
    )
    warrant_issue(
        actor=officer,
        reference="W1",
        subject=subject,
        reason="breach of order",
        issued_at=T0 + dt.timedelta(days=7),
        reported_at=T0 + dt.timedelta(days=7),
    )
    alarm_activate(actor=officer, person=victim, place=home, reported_at=T0 + dt.timedelta(days=8))

    # Repeat: three reports about one pair within a year; intelligence of weapons.
    repeat = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team)
    cases.append(repeat)
    for days in (0, 40, 90):
        report_record(actor=officer, case=repeat, category="domestic_abuse", reported_at=T0 + dt.timedelta(days=days))
    intelligence_record(actor=officer, subject=repeat.subject, reported_at=T0 + dt.timedelta(days=91), weapons=True)

    # Serial: one subject, two victims.
    serial = PersonFactory(full_name="Dale Serial")
    for n in range(2):
        other = case_open(actor=officer, victim=PersonFactory(), subject=serial, team=officer.team)
        cases.append(other)
        report_record(actor=officer, case=other, category="harassment", reported_at=T0 + dt.timedelta(days=3 * n))

    # Linked identities: P3 and P3b are one man, each recorded against the same victim.
    link = PersonLinkFactory(status="auto")
    target = PersonFactory()
    for person in (link.a, link.b):
        linked = case_open(actor=officer, victim=target, subject=person, team=officer.team)
        cases.append(linked)
        report_record(actor=officer, case=linked, category="domestic_abuse", reported_at=T0 + dt.timedelta(days=10))

    # Plain intake cases, one of them low-level (a theft between strangers: nothing).
    for category in ("harassment", "assault", "theft"):
        plain = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team)
        cases.append(plain)
        report_record(actor=officer, case=plain, category=category, reported_at=T0 + dt.timedelta(days=20))
    return cases


def per_case(until: dt.datetime) -> None:
    """What the live bridge does, called once for each case."""
    for case in Case.objects.order_by("pk"):
        with transaction.atomic():
            reevaluate_world({case.victim_id, *([case.subject_id] if case.subject_id else [])}, until=until)


def stored() -> dict[str, Any]:
    keys = dict(Action.objects.values_list("pk", "key"))
    fields = [
        "case_id", "kind", "rule", "reason", "victim_id", "subject_id", "created_at", "due_at", "priority",
        "status", "closed_at", "level", "owner_id", "team_id", "rationale",
    ]  # fmt: skip
    actions = {key: tuple(row) for key, *row in Action.objects.values_list("key", *fields)}
    steps = sorted(
        (keys[a], level, at, reason)
        for a, level, at, reason in Escalation.objects.values_list("action_id", "level", "at", "reason")
    )
    flags = sorted(Flag.objects.values_list("case_id", "key", "kind", "at", "detail"))
    risk = sorted(
        (c, k, at, lvl, src, json.dumps(d))
        for c, k, at, lvl, src, d in RiskChange.objects.values_list("case_id", "key", "at", "level", "source", "drivers")
    )
    cases = sorted(Case.objects.values_list("pk", "risk_level", "risk_changed_at"))
    audit = Counter()
    for row in AuditEvent.objects.filter(actor_label="policy").values("action", "object_type", "case_id", "old", "new"):
        new = dict(row["new"] or {})
        if "action" in new:
            new["action"] = keys[new["action"]]
        audit[
            (
                row["action"],
                row["object_type"],
                row["case_id"],
                json.dumps(row["old"], sort_keys=True),
                json.dumps(new, sort_keys=True),
            )
        ] += 1
    return {"actions": actions, "steps": steps, "flags": flags, "risk": risk, "cases": cases, "audit": audit}


def both_paths(until: dt.datetime, *, batch_size: int) -> tuple[dict[str, Any], dict[str, Any]]:
    with transaction.atomic():
        per_case(until)
        expected = stored()
        transaction.set_rollback(True)
    reevaluate_open_cases(until=until, batch_size=batch_size)
    return expected, stored()


def assert_same(expected: dict[str, Any], got: dict[str, Any]) -> None:
    for part in ("actions", "steps", "flags", "risk", "cases", "audit"):
        assert got[part] == expected[part], part


def test_bulk_stores_what_the_live_path_stores_from_facts_alone(officer: Any, facts_only: None) -> None:
    build_force(officer)
    expected, got = both_paths(T0 + dt.timedelta(days=120), batch_size=3)
    assert len(expected["actions"]) > 40 and expected["steps"] and expected["flags"] and expected["risk"]
    kinds = {a[1] for a in expected["actions"].values()}
    assert {"notify_school", "arrest_suspect", "execute_warrant", "priority_response", "serial_perpetrator_review"} <= kinds
    assert_same(expected, got)
    assert verify_chain().ok


def test_bulk_updates_what_the_live_path_stored_earlier_as_the_live_path_would(officer: Any, facts_only: None) -> None:
    cases = build_force(officer)
    per_case(T0 + dt.timedelta(days=10))
    first = Action.objects.filter(case=cases[0], status="open", kind="safety_plan").first()
    assert first is not None
    action_complete(actor=officer, action=first, at=T0 + dt.timedelta(days=11))
    review = Action.objects.filter(case=cases[1], status="open", kind="supervisor_review").first()
    assert review is not None
    action_decline(actor=officer, action=review, rationale="reviewed at the morning meeting", at=T0 + dt.timedelta(days=12))
    expected, got = both_paths(T0 + dt.timedelta(days=30), batch_size=500)
    assert any(k[0] == "action.update" for k in expected["audit"])
    assert_same(expected, got)
    assert verify_chain().ok


def test_a_second_bulk_run_changes_nothing_and_queries_are_bounded_per_batch(officer: Any, facts_only: None) -> None:
    build_force(officer)
    until = T0 + dt.timedelta(days=60)
    reevaluate_open_cases(until=until, batch_size=500)
    audit_rows = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        run = reevaluate_open_cases(until=until, batch_size=500, full=True)
    assert run.batches == 1 and run.actions_created == run.actions_updated == run.escalations == run.audit_rows == 0
    assert AuditEvent.objects.count() == audit_rows
    # One batch: a fixed set of queries, whatever the number of cases in it.
    assert len(queries) < 50
    # Incremental (the default): nothing changed and nothing is due, so no cluster is
    # evaluated; it reads the clusters, their states and the change marks only.
    with CaptureQueriesContext(connection) as queries:
        run = reevaluate_open_cases(until=until, batch_size=500)
    assert run.batches == 0 and run.skipped == run.reasons["unchanged"] == 7
    assert len(queries) <= 8, [q["sql"][:80] for q in queries.captured_queries]


def test_bench_reevaluate_loads_a_synthetic_force_and_writes_its_figures(tmp_path: Any) -> None:
    from django.core.management import call_command

    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\n<!-- bench:replay -->\nreplay figures\n<!-- /bench:replay -->\n", encoding="utf-8")
    call_command("bench", "--output", str(out), "reevaluate", "--synthetic", "30", "--batch-size", "10", "--runs", "2")
    text = out.read_text(encoding="utf-8")
    section = text.split("<!-- bench:reevaluate -->", 1)[1].split("<!-- /bench:reevaluate -->", 1)[0]
    assert "replay figures" in text
    rows = [line for line in section.splitlines() if line.startswith("| SQLite") or line.startswith("| PostgreSQL")]
    assert [row.split("|")[3].strip() for row in rows] == ["first", "repeat", "policy change"]
    # The repeat evaluates no cluster; the policy change every one, as the first did.
    evaluated = [row.strip().strip("|").split("|")[-2].strip() for row in rows]
    assert evaluated[1].startswith("0 of ") and evaluated[0] == evaluated[2] and not evaluated[0].startswith("0 ")
    first = [c.strip() for c in rows[0].strip("|").split("|")]
    assert first[1] == "30" and float(first[6].replace(",", "")) > 0 and float(first[9]) > 0 and first[14] == "yes"
    assert Action.objects.exists() and verify_chain().ok
    # Rewriting the section (another database's run) keeps the rows it does not replace.
    from vigil.bench.reevaluate import write_figures

    write_figures(out, [], machine="m", python="p")
    kept = [line for line in out.read_text(encoding="utf-8").splitlines() if line in rows]
    assert kept == rows


def test_reevaluate_section_says_whether_each_row_meets_the_target() -> None:
    from vigil.bench.reevaluate import verdicts

    def row(db: str, run: str, projected: str, load: str = "0.5") -> str:
        cells = [db, "10,000", run, "500", "1.0", "1.0", "1", projected, "1", "0.1", *"0000", "yes", load, "x", "y", "z"]
        return "| " + " | ".join(cells) + " |"

    rows = [row("SQLite 3.40.1", "first", "1,104"), row("PostgreSQL 15.18", "policy change", "45"), "| bad |"]
    rows += [row("SQLite 3.40.1", "repeat", "9"), row("SQLite 3.40.1", "repeat", "12")]
    rows += [row("SQLite 3.40.1", "first", "5", "99.0")]
    assert verdicts(rows) == [
        "- SQLite 3.40.1, first run of 10,000 cases: target **not met**; 100,000 cases projected at 1,104 s, 18.4× the 60 s.",
        "- PostgreSQL 15.18, policy change run of 10,000 cases: target met; 100,000 cases projected at 45 s, 0.8× the 60 s.",
        "- SQLite 3.40.1, repeat run of 10,000 cases: target met; 100,000 cases projected at 9 s, 0.9× the 10 s.",
        "- SQLite 3.40.1, repeat run of 10,000 cases: target **not met**; 100,000 cases projected at 12 s, 1.2× the 10 s.",
        f"- SQLite 3.40.1, first run of 10,000 cases: no verdict, measured with a load average of 99.0 on {os.cpu_count()} "
        "cores; 100,000 cases projected at 5 s, 0.1× the 60 s.",
    ]


def test_after_a_split_both_paths_carry_the_same_actions_to_their_new_keys(officer: Any, facts_only: None) -> None:
    """The linked-identities case: once the link is split, the engine names each record on its
    own, so its keys change. Both paths carry the stored actions to the new keys (same rows,
    audited the same way) instead of creating them again."""
    build_force(officer)
    per_case(T0 + dt.timedelta(days=10))
    before = set(Action.objects.values_list("pk", flat=True))
    keys = set(Action.objects.values_list("key", flat=True))
    link = PersonLink.objects.get(status="auto")
    PersonLink.objects.filter(pk=link.pk).update(status="split")
    expected, got = both_paths(T0 + dt.timedelta(days=10), batch_size=500)
    assert_same(expected, got)
    assert set(Action.objects.values_list("pk", flat=True)) == before  # carried, none created
    # The second record's report was stored on the first record's case while they were one
    # man; its work now sits on the case of the record the report named.
    moved = Action.objects.filter(subject_id=link.b_id)
    assert moved.exists() and not moved.exclude(case__subject_id=link.b_id).exists()
    assert set(got["actions"]) != keys
    assert any("key" in json.loads(new) for (name, _type, _case, _old, new) in got["audit"] if name == "action.update")
    assert verify_chain().ok


def test_the_plain_rows_read_in_bulk_give_each_cluster_the_document_its_own_queries_give(officer: Any, facts_only: None) -> None:
    """The batched path reads facts as plain rows (no model instances) for many clusters at
    once; each cluster's facts document must be the one the live path builds from its own
    model queries, key for key and in the same order."""
    from vigil.actions.bulk import PreloadedFacts, open_case_clusters
    from vigil.actions.live_document import ClusterFacts, build_document
    from vigil.bench.reevaluate import build_synthetic
    from vigil.orders.models import OrderVariation, ProtectiveOrder, VariationCondition
    from vigil.people.models import PersonAlias

    build_synthetic(cases=30, seed=4, now=T0 + dt.timedelta(days=30))
    build_force(officer)
    order = ProtectiveOrder.objects.get(reference="O1")
    variation = OrderVariation.objects.create(
        order=order, varied_at=T0 + dt.timedelta(days=9), reported_at=T0 + dt.timedelta(days=9), reason="varied",
        expires_at=T0 + dt.timedelta(days=300), recorded_at=T0 + dt.timedelta(days=9),
    )  # fmt: skip
    VariationCondition.objects.create(variation=variation, kind="no_contact")
    PersonAlias.objects.create(person=order.subject, name="Owain Tarrant")
    until = T0 + dt.timedelta(days=120)
    clusters = open_case_clusters()
    source = PreloadedFacts(set().union(*(c.person_ids for c in clusters)), set().union(*(c.case_ids for c in clusters)))
    kinds: set[str] = set()
    for cluster in clusters:
        bulk = build_document(ClusterFacts(set(cluster.person_ids), set(cluster.case_ids)), until=until, source=source)
        own = build_document(ClusterFacts(set(cluster.person_ids), set(cluster.case_ids)), until=until)
        for part in own:
            assert json.dumps(bulk[part], default=str) == json.dumps(own[part], default=str), (part, bulk[part], own[part])
        kinds |= {e["type"] for e in own["events"]}
    assert {"report", "risk_assessment", "order_granted", "order_varied", "breach", "sighting", "contact_attempt"} <= kinds
    assert {"intelligence", "warrant_issued", "alarm_activated", "action_completed"} <= kinds
    assert len(clusters) > 30
