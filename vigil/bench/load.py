"""`vigil bench load`: Vigil as production runs it, under a locust load, on PostgreSQL.

gunicorn (config/gunicorn.conf.py, production settings, HTTPS with a certificate made for the
run) and the task worker are started on the loopback address against DATABASE_URL's
database, which must be empty: the run migrates it (as DATABASE_OWNER_URL's owner when set),
builds a demo force (`vigil demo-data`) under field keys of its own, and adds the load's
officers and portal accesses (`vigil loadtest-seed`). Then locust runs headless for the given
time: officers reading boards and cases and recording reports and decisions, portal users
sending reports. With `--faults`, a web worker and the task worker are killed with -9 half-way
(the fault test in `make test` does the same, shorter). Afterwards `vigil loadtest-check` looks
for every write the load saw accepted (none lost, none doubled, none half-saved, every portal
report recorded) and walks the audit chain. Figures go to the `load` section of
docs/performance.md with the machine, the date and the load average during the run.

    scripts/with-postgres.sh .venv/bin/vigil bench load
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import secrets
import signal
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from vigil.loadtest import servers

BOARD_P95_TARGET_MS = 300
LOCAL = "config.settings.local"


def load_arguments(parser: CommandParser) -> None:
    parser.add_argument("--officers", type=int, default=50, help="Simulated officers (default 50).")
    parser.add_argument("--portal-users", type=int, default=20, help="Simulated portal users (default 20).")
    parser.add_argument("--seconds", type=int, default=300, help="Length of the load (default 300).")
    parser.add_argument("--web-workers", type=int, help="gunicorn's workers (default: config/gunicorn.conf.py's 2 x cores + 1).")
    parser.add_argument("--cases", type=int, default=150, help="Cases of the demo force built first (default 150).")
    parser.add_argument("--faults", action="store_true", help="kill -9 a web worker and the task worker half-way.")


class LoadSampler(threading.Thread):
    """The 1-minute load average every few seconds while the load runs."""

    def __init__(self) -> None:
        super().__init__(name="load-average", daemon=True)
        self.samples: list[float] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(5):
            self.samples.append(os.getloadavg()[0])


def _empty_database() -> None:
    from django.db.utils import DatabaseError

    from vigil.cases.models import Case

    try:
        holds_cases = Case.objects.exists()
    except DatabaseError:
        return
    if holds_cases:
        raise CommandError(
            "vigil bench load needs an empty database: it builds its own force under field keys of its own. "
            "Run it in a throwaway cluster: scripts/with-postgres.sh .venv/bin/vigil bench load"
        )


def load_run(command: BaseCommand, options: dict[str, Any]) -> None:
    from vigil.core.benchmarks import machine_summary, write_named_section
    from vigil.core.crypto import generate_key

    if connection.vendor != "postgresql":
        raise CommandError("vigil bench load runs on PostgreSQL: scripts/with-postgres.sh .venv/bin/vigil bench load")
    if options["officers"] < 1 or options["portal_users"] < 0 or options["seconds"] < 10:
        raise CommandError("--officers must be at least 1, --portal-users at least 0 and --seconds at least 10")
    _empty_database()
    started = dt.datetime.now(dt.UTC)
    before = os.getloadavg()[0]  # the machine's own work before this run adds its servers and locust
    folder = Path(settings.VAR_DIR) / "loadtest" / started.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    env = servers.environment(
        database_url=settings.DATABASE_URL,
        field_keys=generate_key("load"),
        audit_key=secrets.token_urlsafe(48),
        var_dir=folder,
        extra={"VIGIL_AUDIT_CHECKPOINT": str(folder / "audit-checkpoint.json")},
    )
    owner = getattr(settings, "DATABASE_OWNER_URL", "")
    say = command.stdout.write
    say(f"Run folder {folder}.")
    servers.run(["migrate", "--no-input", "-v0"], {**env, **({"DATABASE_OWNER_URL": owner} if owner else {})}, settings=LOCAL)
    _empty_database()
    clock = time.perf_counter()
    servers.run(["demo-data", "--cases", str(options["cases"]), "--seed", "2022"], env, settings=LOCAL, timeout=7200)
    say(f"Demo force of {options['cases']} cases built in {time.perf_counter() - clock:.0f} s.")
    credentials, log, prefix = folder / "credentials.json", folder / "accepted.jsonl", folder / "locust"
    accesses = max(20, options["portal_users"] * (options["seconds"] // 15 + 2))
    servers.run(
        ["loadtest-seed", "--officers", str(options["officers"]), "--accesses", str(accesses), "--out", str(credentials)],
        env,
        settings=LOCAL,
    )
    run = servers.Servers(env=env, folder=folder, workers=options["web_workers"])
    sampler = LoadSampler()
    faults: list[str] = []
    try:
        run.start_web()
        run.start_worker()
        servers.run(["enqueue-escalation"], env)
        say(f"Serving on {run.url} with {len(run.web_workers())} gunicorn workers; load for {options['seconds']} s.")
        sampler.start()
        cpu_at_start = run.cpu_seconds()  # gunicorn's start-up (every worker imports Django) is not the load's
        locust = servers.run_locust(
            url=run.url,
            credentials=credentials,
            log=log,
            officers=options["officers"],
            portal_users=options["portal_users"],
            seconds=options["seconds"],
            csv_prefix=prefix,
            env={},
        )
        if options["faults"]:
            time.sleep(options["seconds"] / 2)
            victim = run.web_workers()[0]
            os.kill(victim, signal.SIGKILL)
            run.kill_worker()
            faults.append(f"web worker {victim} and the task worker killed with -9 at {options['seconds'] // 2} s")
            time.sleep(3)
            run.start_worker()
        locust.wait(timeout=options["seconds"] + 300)
        cpu = run.cpu_seconds() - cpu_at_start
        sampler.stopped.set()
        outcome = _check_until_settled(env, log, settle=90 if options["faults"] else 30)
    finally:
        sampler.stopped.set()
        run.stop()
    stats = servers.read_stats(prefix)
    if not stats:
        raise CommandError(f"locust wrote no figures: see {prefix.with_suffix('.log')}")
    loads = sampler.samples or [os.getloadavg()[0]]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    figures = {
        "when": started,
        "machine": machine_summary(),
        "python": platform.python_version(),
        "postgresql": version,
        "options": options,
        "web_workers": options["web_workers"] or (os.cpu_count() or 1) * 2 + 1,
        "stats": stats,
        "failures": servers.read_failures(prefix),
        "outcome": outcome,
        "load_before": before,
        "load_mean": statistics.mean(loads),
        "load_max": max(loads),
        "faults": faults,
        "cpu_seconds": cpu,
    }
    for row in stats:
        say(
            f"{row['method']:<5} {row['name']:<22} {row['requests']:>6} requests {row['failures']:>4} errors  "
            f"p50 {row['p50']} ms  p95 {row['p95']} ms  p99 {row['p99']} ms"
        )
    say(f"Board: {board_line(figures)}.")
    say(f"Errors: {errors_line(figures)}.")
    say(f"Server CPU: {cpu_line(figures)}.")
    say(outcome["summary"])
    if not options["no_write"]:
        write_named_section(Path(options["output"]), "load", render_load_section(figures))
        say(f"Wrote the load section of {options['output']}.")
    if not outcome["ok"]:
        raise CommandError(f"accepted writes were lost, doubled or half-saved, or the audit chain broke: see {folder}")


def _check_until_settled(env: dict[str, str], log: Path, *, settle: float) -> dict[str, Any]:
    """`vigil loadtest-check`, again every few seconds for up to `settle` seconds while the
    worker's housekeeping records what a kill left behind."""
    deadline = time.monotonic() + settle
    while True:
        outcome: dict[str, Any] = json.loads(servers.run(["loadtest-check", "--json", str(log)], env, check=False))
        if outcome["ok"] or time.monotonic() > deadline:
            return outcome
        time.sleep(3)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _board(stats: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((row for row in stats if row["name"] == "board" and row["method"] == "GET"), None)


def _total(stats: list[dict[str, Any]]) -> dict[str, Any]:
    return next((row for row in stats if row["name"] == "Aggregated"), stats[-1])


def quiet_enough(f: dict[str, Any]) -> bool:
    """Whether the run's times can be judged against the target: before the run started, the
    machine's 1-minute load average was below its number of cores, so no other work competed
    with the run for a processor (during the run, the servers, PostgreSQL and locust load the
    machine themselves, and that is what is measured)."""
    return bool(f["load_before"] < (os.cpu_count() or 1))


def board_line(f: dict[str, Any]) -> str:
    """The board's p95 against its target, judged only from a quiet run."""
    board = _board(f["stats"])
    if board is None or board["p95"] is None:
        return f"no board request was timed (target p95 < {BOARD_P95_TARGET_MS} ms: not judged)"
    p95 = board["p95"]
    text = (
        f"p95 {_cell(p95)} ms (p50 {_cell(board['p50'])} ms, {board['requests']:,} requests) "
        f"against the target of {BOARD_P95_TARGET_MS} ms"
    )
    if not quiet_enough(f):
        return (
            f"{text}: not judged, the load average was {f['load_before']:.1f} on {os.cpu_count() or 1} cores before "
            "the run (other work competed for the processors); re-run on a quiet machine"
        )
    return f"{text}: {'met' if p95 < BOARD_P95_TARGET_MS else 'not met'}"


def errors_line(f: dict[str, Any]) -> str:
    total = _total(f["stats"])
    text = f"{total['failures']:,} in {total['requests']:,} requests (target 0: {'met' if total['failures'] == 0 else 'not met'})"
    if f["failures"]:
        text += "; " + "; ".join(f["failures"][:10])
    return text


def cpu_line(f: dict[str, Any]) -> str:
    """gunicorn's processor time per request: unlike the times above, not lengthened by waiting."""
    requests = _total(f["stats"])["requests"]
    per = f"{1000 * f['cpu_seconds'] / requests:,.1f} ms a request" if requests else "no requests"
    return f"{f['cpu_seconds']:,.1f} s for gunicorn's processes under the load ({per}, PostgreSQL's own not counted)"


def command_line(options: dict[str, Any]) -> str:
    """The command that repeats this run (the options that differ from the defaults)."""
    words = ["scripts/with-postgres.sh .venv/bin/vigil bench load"]
    for name, default in (("officers", 50), ("portal_users", 20), ("seconds", 300), ("cases", 150), ("web_workers", None)):
        if options.get(name) not in (default, None):
            words.append(f"--{name.replace('_', '-')} {options[name]}")
    if options.get("faults"):
        words.append("--faults")
    return " ".join(words)


def render_load_section(f: dict[str, Any]) -> str:
    options, outcome = f["options"], f["outcome"]
    stats = f["stats"]
    verdict = f"board {board_line(f)}; errors: {errors_line(f)}"
    lines = [
        "## A production server under load (`vigil bench load`)",
        "",
        f"Measured {f['when']:%Y-%m-%d %H:%M} UTC on **PostgreSQL {f['postgresql']}**, Python {f['python']}; "
        f"{f['machine']}; load average (1 min) {f['load_before']:.1f} before the run and during it "
        f"mean {f['load_mean']:.1f}, max {f['load_max']:.1f} "
        "(the machine is shared: other work ran beside it, and locust, gunicorn, the task worker and PostgreSQL "
        "all ran on it).",
        "",
        f"gunicorn with {f['web_workers']} sync workers (config/gunicorn.conf.py, production settings, HTTPS on "
        f"the loopback address) and one task worker; a demo force of {options['cases']} cases. locust, headless: "
        f"{options['officers']} officers (board, case list, case pages, now and then a report or a decision; "
        f"1 to 4 s between steps) and {options['portal_users']} portal users (sign in with a reference and PIN, "
        f"send a report, finish; 5 to 15 s between reports), {options['seconds']} s. "
        + ("Faults: " + "; ".join(f["faults"]) + ". " if f["faults"] else "")
        + "Times are locust's (client side, through TLS), in ms.",
        "",
        f"**{verdict}.**",
        "",
        "| request | count | errors | p50 | p95 | p99 | per s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in stats:
        name = "**all**" if row["name"] == "Aggregated" else f"{row['method']} {row['name']}"
        lines.append(
            f"| {name} | {row['requests']:,} | {row['failures']} | {_cell(row['p50'])} | {_cell(row['p95'])} | "
            f"{_cell(row['p99'])} | {row['rps']:.1f} |"
        )
    lines += [
        "",
        f"Server CPU: {cpu_line(f)}.",
        "",
        f"Afterwards (`vigil loadtest-check`): {outcome['summary']}",
        "",
        "```sh",
        command_line(options),
        "```",
    ]
    return "\n".join(lines)
