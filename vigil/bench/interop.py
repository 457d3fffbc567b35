"""`vigil bench import` and `vigil bench api`: rows of a records-management export through
`vigil import csv`'s path, and one 1,000-event batch through `POST /api/v1/events`, each with
the policy applied as it is live (the same services, linking, policy and audit).

Both generate the synthetic Niche-like export (vigil/bench/rms.py) and read it with
docs/rms-niche-like.toml, as the API client `bench-import` or `bench-api` (made here, for a
team made here), on an empty database: a person index already holding the same invented
people would make the linker's work, and so the figure, depend on what ran before. They
report rows (events) a second of wall-clock time, CPU time of this process, and the load
average before and after: on a shared machine the wall-clock figure is judged only when the
load average stayed below the number of cores.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.core.benchmarks import machine_summary, write_named_section

MAPPING = Path(settings.BASE_DIR) / "docs" / "rms-niche-like.toml"
IMPORT_TARGET_SECONDS = 600  # issue 18: 100,000 rows in under 10 minutes, policy applied
IMPORT_TARGET_ROWS = 100_000


@dataclass
class Figures:
    name: str
    rows: int
    recorded: int
    actions: int
    wall: float
    cpu: float
    load_before: float
    load_after: float
    database: str
    batch_size: int
    command: str

    @property
    def rate(self) -> float:
        return self.rows / self.wall if self.wall else 0.0

    @property
    def cpu_rate(self) -> float:
        return self.rows / self.cpu if self.cpu else 0.0

    @property
    def judged(self) -> bool:
        return max(self.load_before, self.load_after) < (os.cpu_count() or 1)


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _empty_database() -> None:
    from vigil.people.models import Person

    if Person.objects.exists():
        raise CommandError(
            "run it on an empty database (e.g. DATABASE_URL=sqlite:///var/bench-import.sqlite3 vigil migrate, then the "
            "bench with the same DATABASE_URL): a person index already holding people changes the linker's work"
        )


def _client(name: str, source: str) -> tuple[Any, str]:
    from vigil.api.services import api_client_create
    from vigil.core.models import Area, Team
    from vigil.timeline.schema import EVENT_TYPES

    area, _ = Area.objects.get_or_create(name="Benchmark")
    team, _ = Team.objects.get_or_create(area=area, name="Benchmark response")
    return api_client_create(actor="bench", name=name, sources=[source], teams=[team], event_types=EVENT_TYPES, rate_limit=10**6)


def _export(rows: int, seed: int, client: str, source: str) -> tuple[Any, Any]:
    from vigil.api.csv_import import read_export
    from vigil.api.csv_mapping import read_mapping
    from vigil.bench.rms import write_export

    mapping = dataclasses.replace(read_mapping(MAPPING), client=client, source=source)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        # Every event in the past, whatever today's date: the story ends 40 days before now.
        until = dt.datetime.now() - dt.timedelta(days=1)  # noqa: DTZ005 - the export's local wall clock
        write_export(path, "niche", rows, seed=seed, until=until)
        return mapping, read_export(path, mapping)


def _database() -> str:
    from django.db import connection

    version = getattr(connection, "Database", None)
    return f"{connection.vendor} {getattr(version, 'sqlite_version', '') if connection.vendor == 'sqlite' else ''}".strip()


# --- vigil bench import -------------------------------------------------------------------------------


def import_arguments(parser: CommandParser) -> None:
    parser.add_argument("--rows", type=int, default=IMPORT_TARGET_ROWS, help="Rows of the synthetic export (default 100,000).")
    parser.add_argument("--batch-size", type=int, default=500, help="Rows a transaction (default 500).")
    parser.add_argument("--seed", type=int, default=2022, help="Seed of the synthetic export (default 2022).")


def import_run(command: BaseCommand, options: dict[str, Any]) -> None:
    from vigil.api.csv_import import check_export, write_export

    if options["rows"] < 1 or not 1 <= options["batch_size"] <= 1000:
        raise CommandError("--rows must be at least 1 and --batch-size from 1 to 1,000")
    _empty_database()
    client, _ = _client("bench-import", "bench")
    mapping, export = _export(options["rows"], options["seed"], client.name, "bench")
    load_before, cpu_before, began = os.getloadavg()[0], _cpu(), time.perf_counter()
    bad = check_export(client, mapping, export, size=options["batch_size"])
    if bad:
        raise CommandError(f"the synthetic export has bad rows (a bug): {bad[0]}")
    checked = time.perf_counter() - began
    written = write_export(client, mapping, export, size=options["batch_size"])
    figures = Figures(
        "import",
        len(export.rows),
        written.recorded,
        written.actions,
        time.perf_counter() - began,
        _cpu() - cpu_before,
        load_before,
        os.getloadavg()[0],
        _database(),
        options["batch_size"],
        f"vigil bench import --rows {options['rows']} --batch-size {options['batch_size']} --seed {options['seed']}",
    )
    command.stdout.write(_words(figures) + f" (the check of the whole file first: {checked:.1f} s)")
    if not options["no_write"]:
        section = _section(figures, checked=checked, file_rows=(export.total, export.skipped))
        write_named_section(Path(options["output"]), "import", section)
        command.stdout.write(f"Wrote the import section of {options['output']}.")


# --- vigil bench api ----------------------------------------------------------------------------------


def api_arguments(parser: CommandParser) -> None:
    parser.add_argument("--events", type=int, default=1000, help="Events in the one batch (at most 1,000, the default).")
    parser.add_argument("--seed", type=int, default=2023, help="Seed of the synthetic events (default 2023).")


def api_run(command: BaseCommand, options: dict[str, Any]) -> None:
    from django.test import Client

    from vigil.api.csv_import import batch_body

    if not 1 <= options["events"] <= 1000:
        raise CommandError("--events must be from 1 to 1,000 (a batch's limit)")
    _empty_database()
    client, token = _client("bench-api", "bench-api")
    # Enough rows that, less the record types the mapping skips, the batch holds exactly --events
    # (the first by time: a breach's order, an execution's warrant come before it).
    mapping, export = _export(options["events"] * 6 // 5 + 10, options["seed"], client.name, "bench-api")
    export.rows = export.rows[: options["events"]]
    body = json.dumps(batch_body(mapping, export.rows, export))
    http = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    load_before, cpu_before, began = os.getloadavg()[0], _cpu(), time.perf_counter()
    response = http.post("/api/v1/events", body, content_type="application/json")
    wall = time.perf_counter() - began
    if response.status_code != 200:
        raise CommandError(f"POST /api/v1/events answered {response.status_code}: {response.content[:500]!r}")
    answer = json.loads(response.content)
    figures = Figures(
        "api",
        len(export.rows),
        answer["recorded"],
        sum(len(e["policy"]["created"]) for e in answer["events"]),
        wall,
        _cpu() - cpu_before,
        load_before,
        os.getloadavg()[0],
        _database(),
        len(export.rows),
        f"vigil bench api --events {options['events']} --seed {options['seed']}",
    )
    command.stdout.write(_words(figures) + f"; the request body {len(body) / 1024:,.0f} KiB")
    if not options["no_write"]:
        write_named_section(Path(options["output"]), "api", _section(figures, body_kib=len(body) / 1024))
        command.stdout.write(f"Wrote the api section of {options['output']}.")


# --- words ----------------------------------------------------------------------------------------------


def _words(f: Figures) -> str:
    judged = "" if f.judged else " (wall clock not judged: the load average reached the cores)"
    return (
        f"{f.rows:,} rows through {'vigil import csv' if f.name == 'import' else 'POST /api/v1/events'}: {f.recorded:,} "
        f"recorded, {f.actions:,} actions created; {f.wall:.1f} s wall = {f.rate:,.1f} rows/s{judged}; CPU {f.cpu:.1f} s = "
        f"{f.cpu_rate:,.1f} rows per CPU second; load average {f.load_before:.1f} before, {f.load_after:.1f} after"
    )


def _section(
    f: Figures, *, checked: float | None = None, body_kib: float | None = None, file_rows: tuple[int, int] | None = None
) -> str:
    cores = os.cpu_count() or 1
    wall = f"{f.wall:,.1f} s ({f.rate:,.1f} rows/s)" + (
        "" if f.judged else " — **not judged**: the load average reached the cores"
    )
    title = (
        "`vigil bench import`: an RMS export through `vigil import csv`"
        if f.name == "import"
        else "`vigil bench api`: one batch through `POST /api/v1/events`"
    )
    lines = [
        f"### {title}",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine_summary()}, Python {platform.python_version()}, "
        f"{f.database}; `{f.command}`.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| rows (events) | {f.rows:,} ({f.recorded:,} recorded, policy applied: {f.actions:,} actions created) |",
        f"| batch | {f.batch_size:,} rows a transaction |",
        f"| CPU time of the process | {f.cpu:,.1f} s = **{f.cpu_rate:,.1f} rows per CPU second** |",
        f"| wall clock | {wall} |",
        f"| load average (1 min) | {f.load_before:.1f} before, {f.load_after:.1f} after, on {cores} cores |",
    ]
    if file_rows is not None:
        lines.insert(6, f"| rows in the file | {file_rows[0]:,} ({file_rows[1]:,} of record types the mapping skips) |")
    if checked is not None:
        lines.append(f"| of which the whole file's check first | {checked:,.1f} s |")
    if body_kib is not None:
        lines.append(f"| request body | {body_kib:,.0f} KiB |")
    lines += [
        "",
        "Where the time goes: each event is recorded through its service and the policy is then run for the people "
        "around it (the engine over their world, and the stored actions reconciled), as after an officer's entry; "
        "the file's check and the batching are a small part. Re-run on a quiet machine, on an empty database: "
        f"`DATABASE_URL=sqlite:///var/bench-{f.name}.sqlite3 vigil migrate && DATABASE_URL=sqlite:///var/bench-{f.name}.sqlite3 "
        f"{f.command}`.",
    ]
    if f.name == "import":
        projected = IMPORT_TARGET_ROWS / f.cpu_rate if f.cpu_rate else float("inf")
        met = projected < IMPORT_TARGET_SECONDS
        lines += [
            "",
            f"At {f.cpu_rate:,.1f} rows per CPU second, 100,000 rows take about {projected / 60:,.0f} minutes of one core: "
            f"the target (100,000 in under 10 minutes) is **{'met' if met else 'not met'}**"
            + ("" if met else ": each row is recorded and the policy run for the people around it, as an officer's entry is")
            + ".",
        ]
    return "\n".join(lines)
