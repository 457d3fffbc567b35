"""`vigil bench board`: the action board's server time at p50 and p95 for three roles.

Server time is the board view itself (the queries and the template render) called with a
RequestFactory request, many times per user after a warm-up; middleware and the network
are not in it. The query plan of the board's page query is read with EXPLAIN so the
indexes it uses are named from the database, not from memory.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, reset_queries, transaction
from django.test import RequestFactory
from django.utils import timezone

from vigil.core.benchmarks import machine_summary, percentile
from vigil.core.benchmarks import write_section as write_marked_section
from vigil.core.constants import ActionKind, ActionStatus, Priority, RiskLevel, Role, SignOff

START, END = "<!-- bench:board -->", "<!-- /bench:board -->"
ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.SUPERINTENDENT)
_INDEX = re.compile(r"(?:USING (?:COVERING )?INDEX|Index Scan using|Index Only Scan using|Bitmap Index Scan on) (\w+)")


@dataclass(frozen=True)
class BoardTiming:
    role: str
    username: str
    rows: int
    iterations: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    queries: int
    indexes: tuple[str, ...]


def plan_indexes(sqls: list[str]) -> tuple[str, ...]:
    """The index names in the plans of these SELECTs (the queries one board request ran), from
    EXPLAIN, so they are named by the database, not from memory."""
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    found: list[str] = []
    with connection.cursor() as cursor:
        for sql in sqls:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(explain + sql)
            plan = "\n".join(" ".join(str(cell) for cell in row) for row in cursor.fetchall())
            for name in _INDEX.findall(plan):
                if name not in found:
                    found.append(name)
    return tuple(found)


def board_rows(user: Any) -> int:
    """How many actions are on this person's board (the reference query, counted in full and
    untimed: the page itself stops counting at the cap)."""
    from vigil.actions.board import board_queryset

    return board_queryset(user, filters={}, now=timezone.now()).count()


def time_board(user: Any, *, iterations: int, warmup: int = 3) -> BoardTiming:
    from django.test.utils import CaptureQueriesContext

    from vigil.actions.views import action_board

    factory = RequestFactory()

    cpu: list[float] = []

    def once() -> tuple[float, Any]:
        request = factory.get("/")
        request.user = user
        started, cpu_started = time.perf_counter(), time.process_time()
        response = action_board(request)
        cpu.append((time.process_time() - cpu_started) * 1000)
        return (time.perf_counter() - started) * 1000, response

    for _ in range(warmup):
        once()
    reset_queries()  # a full query log (DEBUG) would make the captured count read 0
    with CaptureQueriesContext(connection) as queries:
        _, response = once()
    cpu.clear()
    samples = [once()[0] for _ in range(iterations)]
    if response.status_code != 200:
        raise RuntimeError(f"the board answered {response.status_code} for {user.username}")
    return BoardTiming(
        role=str(Role(user.role).label),
        username=user.username,
        rows=board_rows(user),
        iterations=iterations,
        p50_ms=statistics.median(samples),
        p95_ms=percentile(samples, 95),
        max_ms=max(samples),
        cpu_p50_ms=statistics.median(cpu),
        cpu_p95_ms=percentile(cpu, 95),
        queries=len(queries.captured_queries),
        indexes=plan_indexes([q["sql"] for q in queries.captured_queries]),
    )


def bench_users(names: dict[str, str | None]) -> list[Any]:
    """The named users, or the first active user of each role (the demo's `officer`, …)."""
    user_model = get_user_model()
    users = []
    for role in ROLES:
        name = names.get(role) or role
        user = user_model.objects.filter(username=name, is_active=True).first()
        user = user or user_model.objects.filter(role=role, is_active=True).order_by("pk").first()
        if user is None:
            raise LookupError(f"no active {role} to benchmark: load demo data first (vigil demo-data)")
        users.append(user)
    return users


def database_summary() -> str:
    from vigil.actions.models import Action
    from vigil.cases.models import Case

    vendor = connection.vendor
    if vendor == "sqlite":
        name, version = "SQLite", connection.Database.sqlite_version  # type: ignore[attr-defined]
    elif vendor == "postgresql":
        number = connection.pg_version  # type: ignore[attr-defined]
        name, version = "PostgreSQL", f"{number // 10000}.{number % 10000}"
    else:
        name, version = vendor, ""
    return (
        f"**{name} {version}**; {Case.objects.count():,} cases, {Action.objects.count():,} actions "
        f"({Action.objects.filter(status=ActionStatus.OPEN).count():,} open)"
    )


VENDORS = ("postgresql", "sqlite")


def _block_markers(vendor: str) -> tuple[str, str]:
    return f"<!-- board:{vendor} -->", f"<!-- /board:{vendor} -->"


def render_block(timings: list[BoardTiming], *, data: str, iterations: int, when: dt.datetime, vendor: str) -> str:
    """One database's figures, between its own markers inside the board section."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    start, end = _block_markers(vendor)
    lines = [
        start,
        f"Measured {when:%Y-%m-%d %H:%M %Z} on {data}; {machine_summary()}, load average {load:.1f} at the end "
        f"(the machine is shared: other work ran beside it). {iterations} requests per user.",
        "",
        "| role | user | actions on board | p50 ms | p95 ms | max ms | CPU p50 / p95 ms | queries | indexes in the plan |",
        "|---|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for t in timings:
        indexes = ", ".join(f"`{i}`" for i in t.indexes) or "none (table scan)"
        figures = f"{t.p50_ms:.1f} | {t.p95_ms:.1f} | {t.max_ms:.1f} | {t.cpu_p50_ms:.1f} / {t.cpu_p95_ms:.1f} | {t.queries}"
        lines.append(f"| {t.role} | {t.username} | {t.rows:,} | {figures} | {indexes} |")
    lines.append(end)
    return "\n".join(lines)


def render_section(blocks: dict[str, str]) -> str:
    lines = [
        START,
        "## Action board (`vigil bench board`)",
        "",
        "Each figure is the board view's own time (queries and template render; no middleware, no network), after "
        '3 warm-up requests, first page, no filters. Target: p95 < 300 ms. "Actions on board" is counted in full and '
        "untimed (the page itself stops counting at 500). CPU is this process's time (on SQLite that includes the "
        "database's work; a PostgreSQL server's is not in it). A run replaces the figures of its own database.",
    ]
    for vendor in sorted(blocks, key=lambda v: VENDORS.index(v) if v in VENDORS else len(VENDORS)):
        lines += ["", blocks[vendor]]
    lines += ["", END]
    return "\n".join(lines)


def existing_blocks(path: Path) -> dict[str, str]:
    """The other databases' figures already in the board section of `path`."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START not in text or END not in text:
        return {}
    section = text.split(START, 1)[1].split(END, 1)[0]
    found = {}
    for vendor in re.findall(r"<!-- board:(\w+) -->", section):
        start, end = _block_markers(vendor)
        if end in section:
            found[vendor] = start + section.split(start, 1)[1].split(end, 1)[0] + end
    return found


def write_section(path: Path, section: str) -> None:
    """Replace the board section between its markers, keeping every other section."""
    write_marked_section(path, section, start=START, end=END)


def run_board_bench(*, iterations: int, names: dict[str, str | None], output: Path | None) -> list[BoardTiming]:
    timings = [time_board(user, iterations=iterations) for user in bench_users(names)]
    if output is not None:
        vendor = connection.vendor
        block = render_block(timings, data=database_summary(), iterations=iterations, when=timezone.localtime(), vendor=vendor)
        blocks = {**existing_blocks(output), vendor: block}
        write_section(output, render_section(blocks))
    return timings


# --- a board-shaped data set, for a size the demo builder cannot reach in reasonable time ----------


def build_synthetic(*, cases: int, seed: int = 2022) -> int:
    """Bulk-load a board-shaped force into an EMPTY database: teams, staff, people, cases and
    their actions (about 6 per case, most closed, some overdue and escalated). A benchmark
    fixture, not records: it writes no audit rows, so it refuses a database that holds cases."""
    from vigil.actions.models import Action
    from vigil.cases.models import Case
    from vigil.core.models import Area, Team
    from vigil.people.models import Person

    if Case.objects.exists():
        raise RuntimeError("the database already holds cases: build the synthetic set into an empty one")
    rng = random.Random(seed)
    now = timezone.now()
    user_model = get_user_model()
    with transaction.atomic():
        teams = []
        for area_name in ("North Area", "South Area", "East Area", "West Area"):
            area = Area.objects.create(name=area_name)
            teams += [
                Team.objects.create(name=f"{area_name.split()[0]} {kind}", area=area) for kind in ("Safeguarding", "Response")
            ]
        staff: dict[int, list[Any]] = {}
        for team in teams:
            staff[team.pk] = [
                user_model.objects.create(username=f"bench-officer-{team.pk}-{i}", role=Role.OFFICER, team=team) for i in range(8)
            ]
            user_model.objects.create(username=f"bench-supervisor-{team.pk}", role=Role.SUPERVISOR, team=team)
        user_model.objects.create(username="bench-superintendent", role=Role.SUPERINTENDENT)
        kinds, priorities = list(ActionKind.values), list(Priority.values)
        for start in range(0, cases, 1000):
            count = min(1000, cases - start)
            people = Person.objects.bulk_create(
                [Person(full_name=f"Synthetic person {start + i}", created_at=now) for i in range(2 * count)]
            )
            batch = []
            for i in range(count):
                team = rng.choice(teams)
                risk = rng.choices([RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.STANDARD, ""], [10, 25, 55, 10])[0]
                batch.append(
                    Case(
                        reference=f"BN-{start + i:07d}",
                        victim=people[2 * i],
                        subject=people[2 * i + 1],
                        team=team,
                        risk_level=risk,
                        created_at=now - dt.timedelta(days=rng.randint(1, 700)),
                    )
                )
            made = Case.objects.bulk_create(batch)
            actions = []
            for case in made:
                for n in range(rng.randint(3, 9)):
                    open_ = rng.random() < 0.15
                    # Open work is recent (the last ten days); closed work spreads over the case's life.
                    created = (
                        now - dt.timedelta(hours=rng.randint(1, 240))
                        if open_
                        else case.created_at + dt.timedelta(hours=rng.randint(0, 24 * 30))
                    )
                    due = created + dt.timedelta(hours=rng.choice([4, 24, 48, 72, 168]))
                    overdue_h = (now - due).total_seconds() / 3600
                    level = 1 if not open_ or overdue_h < 0 else 2 if overdue_h < 24 else 3 if overdue_h < 72 else 4
                    declined = not open_ and rng.random() < 0.05
                    actions.append(
                        Action(
                            key=f"bench:{case.pk}:{n}",
                            case=case,
                            kind=rng.choice(kinds),
                            rule="R1",
                            reason="Synthetic benchmark action",
                            victim_id=case.victim_id,
                            subject_id=case.subject_id,
                            created_at=created,
                            due_at=due,
                            priority=rng.choice(priorities),
                            status=ActionStatus.OPEN if open_ else ActionStatus.DECLINED if declined else ActionStatus.DONE,
                            closed_at=None if open_ else min(due, now),
                            rationale="Synthetic decline" if declined else "",
                            signoff=SignOff.AWAITING if declined and rng.random() < 0.3 else SignOff.NOT_NEEDED,
                            level=level,
                            owner=rng.choice(staff[case.team_id]),
                            team_id=case.team_id,
                        )
                    )
            Action.objects.bulk_create(actions, batch_size=2000)
    if connection.vendor == "postgresql":
        # A server gathers statistics on its own (autovacuum) soon after a bulk load; gather
        # them now, so the timing does not depend on whether it has yet. SQLite has none
        # unless someone runs ANALYZE, so it is measured without, as a fresh install runs.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return cases
