"""`vigil bench SUBCOMMAND`: benchmarks whose figures go to docs/performance.md.

Each subcommand is one entry in SUBCOMMANDS (name -> (help, add_arguments, run)); adding
a benchmark is one line there plus its two functions (imported lazily).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

PERFORMANCE_MD = Path(settings.BASE_DIR) / "docs" / "performance.md"


def board_arguments(parser: CommandParser) -> None:
    parser.add_argument("--iterations", type=int, default=200, help="Requests per user after the warm-up (default 200).")
    parser.add_argument("--officer", help="Username of the officer (default: 'officer', else the first officer).")
    parser.add_argument("--supervisor", help="Username of the supervisor (default: 'supervisor', else the first).")
    parser.add_argument("--superintendent", help="Username of the superintendent (default: 'superintendent', else the first).")
    parser.add_argument(
        "--synthetic",
        type=int,
        metavar="CASES",
        help="First bulk-load a board-shaped synthetic force of this many cases (empty database only; no audit rows).",
    )


def board_run(command: BaseCommand, options: dict[str, Any]) -> None:
    from vigil.bench.board import build_synthetic, run_board_bench

    if options["iterations"] < 10:
        raise CommandError("--iterations must be at least 10")
    if options.get("synthetic"):
        try:
            build_synthetic(cases=options["synthetic"])
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        command.stdout.write(f"Loaded {options['synthetic']:,} synthetic cases.")
    names = {
        "officer": options.get("officer"),
        "supervisor": options.get("supervisor"),
        "superintendent": options.get("superintendent"),
    }
    output = None if options["no_write"] else Path(options["output"])
    try:
        timings = run_board_bench(iterations=options["iterations"], names=names, output=output)
    except LookupError as error:
        raise CommandError(str(error)) from None
    for t in timings:
        command.stdout.write(
            f"{t.role:<24} {t.username:<22} rows {t.rows:>6}  p50 {t.p50_ms:7.1f} ms  p95 {t.p95_ms:7.1f} ms  "
            f"queries {t.queries}  indexes {', '.join(t.indexes) or '-'}"
        )
    if output is not None:
        command.stdout.write(f"Wrote the board section of {output}.")


def replay_arguments(parser: CommandParser) -> None:
    parser.add_argument("--events", type=int, default=100_000, help="Events in the synthetic timeline (default 100,000).")
    parser.add_argument("--runs", type=int, default=5, help="Timed runs; the figure is their median (default 5).")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the synthetic timeline (default 0).")


def replay_run(command: BaseCommand, options: dict[str, Any]) -> None:
    from vigil.bench.replay import REPLAY_TARGET, render_replay_section, run_replay_bench

    if options["events"] < 1 or options["runs"] < 1:
        raise CommandError("--events and --runs must be at least 1")
    result = run_replay_bench(options["events"], runs=options["runs"], seed=options["seed"])
    rate = result["events_per_second"] or 0
    command.stdout.write(
        f"{result['events']:,} events, median of {result['runs']} runs {result['seconds_median']:.3f} s: "
        f"{rate:,} events/s ({rate / REPLAY_TARGET:.2f} x the {REPLAY_TARGET:,}/s target); "
        f"{result['actions']:,} actions, {result['flags']:,} flags, {result['risk_changes']:,} risk changes"
    )
    if not options["no_write"]:
        from vigil.core.benchmarks import machine_summary, write_named_section

        section = render_replay_section(result, machine=machine_summary())
        write_named_section(Path(options["output"]), "replay", section)
        command.stdout.write(f"Wrote the replay section of {options['output']}.")


def reevaluate_arguments(parser: CommandParser) -> None:
    parser.add_argument("--cases", type=int, help="Re-evaluate the clusters of the first N cases (default: every case).")
    parser.add_argument("--batch-size", type=int, default=500, help="Cases per batch and transaction (default 500).")
    parser.add_argument("--runs", type=int, default=1, help="Runs; after the first, the median of the repeats is given too.")
    parser.add_argument(
        "--synthetic",
        type=int,
        metavar="CASES",
        help="First bulk-load a synthetic force of this many open cases with their facts (empty database only).",
    )
    parser.add_argument("--no-verify", action="store_true", help="Skip `audit verify` after the runs.")
    parser.add_argument("--processes", type=int, default=1, help="Worker processes sharing the batches (default 1).")
    parser.add_argument("--no-policy-change", action="store_true", help="Skip the last run, which evaluates every cluster again.")


def reevaluate_run(command: BaseCommand, options: dict[str, Any]) -> None:
    import platform
    import time

    from vigil.bench.reevaluate import build_synthetic, run_reevaluate_bench, write_figures
    from vigil.core.benchmarks import machine_summary

    if options["batch_size"] < 1 or options["runs"] < 1 or options["processes"] < 1:
        raise CommandError("--batch-size, --runs and --processes must be at least 1")
    if options.get("synthetic"):
        started = time.perf_counter()
        try:
            build_synthetic(cases=options["synthetic"])
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        command.stdout.write(f"Loaded {options['synthetic']:,} synthetic cases in {time.perf_counter() - started:.1f} s.")
    timings = run_reevaluate_bench(
        cases=options.get("cases"),
        batch_size=options["batch_size"],
        runs=options["runs"],
        verify=not options["no_verify"],
        policy_change=not options["no_policy_change"],
        processes=options["processes"],
    )
    for t in timings:
        audit = "verified" if t.audit_ok else "not checked" if t.audit_ok is None else "BROKEN"
        command.stdout.write(
            f"{t.database} {t.run}: {t.cases:,} cases in {t.seconds:.1f} s = {t.cases_per_second:,.0f} cases/s "
            f"(100,000 in {t.projected_100k_seconds:,.0f} s); {t.queries:,} queries ({t.queries_per_case:.3f}/case); "
            f"{t.actions_created:,} actions created, {t.actions_updated:,} updated, {t.escalations:,} escalations, "
            f"{t.audit_rows:,} audit rows; {t.evaluated:,} of {t.clusters:,} clusters evaluated in {t.processes} "
            f"process(es); audit chain {audit}\n"
            f"    where the time went: {t.phase_words()}\n"
            f"    where the CPU time went: {t.cpu_words()}"
        )
    if not options["no_write"]:
        python = f"Python {platform.python_version()}"
        write_figures(Path(options["output"]), timings, machine=machine_summary(), python=python)
        command.stdout.write(f"Wrote the reevaluate section of {options['output']}.")


def _lazy(module: str, name: str) -> Callable[..., None]:
    """`module.name`, imported when `vigil bench` first calls it (building its parser, or
    running), not when the `vigil` command line starts."""

    def call(*args: Any) -> None:
        getattr(importlib.import_module(module), name)(*args)

    return call


Subcommand = tuple[str, Callable[[CommandParser], None], Callable[[BaseCommand, dict[str, Any]], None]]

SUBCOMMANDS: dict[str, Subcommand] = {
    "board": (
        "the action board's server time, p50/p95, for an officer, a supervisor and a superintendent",
        board_arguments,
        board_run,
    ),
    "replay": (
        "events per second through the pure policy engine on one core (target 20,000)",
        replay_arguments,
        replay_run,
    ),
    "reevaluate": (
        "re-evaluating every open case in batches: cases per second and queries per case (target 100,000 in 60 s)",
        reevaluate_arguments,
        reevaluate_run,
    ),
    "linkage": (
        "one new person record searched and scored against the whole person index, p50/p95 (target p95 < 50 ms)",
        _lazy("vigil.bench.linkage", "linkage_arguments"),
        _lazy("vigil.bench.linkage", "linkage_run"),
    ),
    "gazetteer": (
        "loading a national-size postcode file (2.7 million rows) and loading it again",
        _lazy("vigil.bench.gazetteer", "gazetteer_arguments"),
        _lazy("vigil.bench.gazetteer", "gazetteer_run"),
    ),
    "febrl": (
        "FEBRL4 linked by Vigil and by Splink in the same run: precision, recall, F1 and median seconds",
        _lazy("vigil.people.linkage.bench", "febrl_arguments"),
        _lazy("vigil.people.linkage.bench", "febrl_run"),
    ),
    "fixes": (
        "tag location fixes per second per core through the vectorised zone check, 10,000 zones (target 1,000,000)",
        _lazy("vigil.bench.fixes", "fixes_arguments"),
        _lazy("vigil.bench.fixes", "fixes_run"),
    ),
    "import": (
        "rows of a synthetic RMS export through vigil import csv, policy applied: rows/s, CPU time (target 100,000 in 10 min)",
        _lazy("vigil.bench.interop", "import_arguments"),
        _lazy("vigil.bench.interop", "import_run"),
    ),
    "api": (
        "one batch of 1,000 events through POST /api/v1/events, policy applied: events/s and CPU time",
        _lazy("vigil.bench.interop", "api_arguments"),
        _lazy("vigil.bench.interop", "api_run"),
    ),
    "load": (
        "gunicorn and the task worker on PostgreSQL under locust: 50 officers, 20 portal users, 5 minutes (p50/p95/p99, errors)",
        _lazy("vigil.bench.load", "load_arguments"),
        _lazy("vigil.bench.load", "load_run"),
    ),
}


class Command(BaseCommand):
    help = "Benchmarks; results go to docs/performance.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default=str(PERFORMANCE_MD), help="Where to write the figures (default docs/performance.md)."
        )
        parser.add_argument("--no-write", action="store_true", help="Print the figures only.")
        subparsers = parser.add_subparsers(dest="subcommand", required=True, parser_class=type(parser))
        for name, (help_text, arguments, _run) in SUBCOMMANDS.items():
            sub = subparsers.add_parser(
                name, help=help_text, called_from_command_line=getattr(parser, "called_from_command_line", None)
            )
            arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["subcommand"]
        if name not in SUBCOMMANDS:
            raise CommandError(f"unknown benchmark {name!r}; choose from {', '.join(SUBCOMMANDS)}")
        SUBCOMMANDS[name][2](self, options)
