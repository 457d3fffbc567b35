"""`vigil bench fixes`: location fixes per second through the vectorised zone check, on one
core, against 10,000 exclusion zones (target: 1,000,000 fixes a second).

A synthetic force: 5,000 monitored subjects with two zones each (the victim's home and
work, 100 to 1,000 m), spread over 50 km by 50 km of London. Each subject's fixes fall
anywhere in the force area nine times in ten, and within 1.5 km of one of their own zones
the tenth time (where the check has distances to measure). The fixes are checked in batches
(`--batch`, default 100,000) against an index built once; the figure is fixes per second of
this process's CPU time (numpy runs this on one core), the median of `--runs` runs.
"""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.monitoring.zones import METRES_PER_DEGREE, ZoneIndex

TARGET = 1_000_000
CENTRE = (51.5074, -0.1278)
HALF_SIDE_M = 25_000


@dataclass(frozen=True)
class FixesBench:
    zones: int
    subjects: int
    fixes: int
    batch: int
    runs: int
    build_seconds: float
    cpu_seconds: list[float]
    wall_seconds: list[float]
    near: int
    inside: int

    @property
    def per_second(self) -> float:
        return self.fixes / statistics.median(self.cpu_seconds)

    @property
    def per_second_wall(self) -> float:
        return self.fixes / statistics.median(self.wall_seconds)


def _spread(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    dy = rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, n) / METRES_PER_DEGREE
    dx = rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, n) / (METRES_PER_DEGREE * np.cos(np.radians(CENTRE[0])))
    return CENTRE[0] + dy, CENTRE[1] + dx


def synthetic(zones: int, fixes: int, seed: int) -> tuple[ZoneIndex, np.ndarray, np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    subjects = max(1, zones // 2)
    zone_subject = np.repeat(np.arange(subjects), 2)[:zones]
    zone_lat, zone_lon = _spread(rng, zones)
    radius = rng.uniform(100, 1000, zones)
    started = time.perf_counter()
    index = ZoneIndex(zone_subject, zone_lat, zone_lon, radius, margin_m=100)
    build = time.perf_counter() - started
    fix_subject = rng.integers(0, subjects, fixes)
    lat, lon = _spread(rng, fixes)
    close = rng.random(fixes) < 0.1
    own = fix_subject[close] * 2 + rng.integers(0, 2, int(close.sum()))
    own = np.minimum(own, zones - 1)
    offset = rng.uniform(-1500, 1500, (2, int(close.sum())))
    lat[close] = zone_lat[own] + offset[0] / METRES_PER_DEGREE
    lon[close] = zone_lon[own] + offset[1] / (METRES_PER_DEGREE * np.cos(np.radians(zone_lat[own])))
    return index, fix_subject, lat, lon, build


def run_fixes_bench(
    *, zones: int = 10_000, fixes: int = 5_000_000, batch: int = 100_000, runs: int = 5, seed: int = 18
) -> FixesBench:
    index, subject, lat, lon, build = synthetic(zones, fixes, seed)
    index.check(subject[:batch], lat[:batch], lon[:batch])  # warm up (first numpy calls allocate)
    cpu, wall = [], []
    near = inside = 0
    for _ in range(runs):
        near = inside = 0
        started, started_cpu = time.perf_counter(), time.process_time()
        for start in range(0, fixes, batch):
            hits = index.check(subject[start : start + batch], lat[start : start + batch], lon[start : start + batch])
            near += len(hits.fix)
            inside += int(hits.inside.sum())
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return FixesBench(zones, max(1, zones // 2), fixes, batch, runs, build, cpu, wall, near, inside)


def render_section(result: FixesBench, *, machine: str) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rate = result.per_second
    verdict = "meets" if rate >= TARGET else "misses"
    return (
        "## Electronic-monitoring fixes (`vigil bench fixes`)\n\n"
        f"Measured {when} on {machine}, Python {platform.python_version()}, numpy {np.__version__}; "
        "the machine is shared, so CPU time is the figure and wall time is beside it.\n\n"
        f"{result.fixes:,} fixes from {result.subjects:,} subjects checked against **{result.zones:,} exclusion zones** "
        f"(two a subject, 100 to 1,000 m, over 50 km x 50 km) in batches of {result.batch:,}: one fix in ten within 1.5 km "
        "of one of its subject's own zones, the rest anywhere in the area. "
        f"The index (subject and 0.01 degree grid cell) was built in {result.build_seconds * 1000:.0f} ms.\n\n"
        "| measure | median of runs | runs |\n|---|---:|---:|\n"
        f"| fixes per second per core (CPU time) | **{rate:,.0f}** | {result.runs} |\n"
        f"| fixes per second (wall time) | {result.per_second_wall:,.0f} | {result.runs} |\n"
        f"| seconds per run (CPU) | {statistics.median(result.cpu_seconds):.2f} | {result.runs} |\n"
        f"| (fix, zone) pairs measured | {result.near:,} | |\n"
        f"| of which inside a zone | {result.inside:,} | |\n\n"
        f"Target: 1,000,000 fixes a second on one core; this run {verdict} it ({rate / TARGET:.1f} x). "
        "The check is vigil/monitoring/zones.py; what follows a hit (the hysteresis rule, a sighting, the policy) "
        "runs only for the few fixes near a zone and is not in this figure."
    )


def fixes_arguments(parser: CommandParser) -> None:
    parser.add_argument("--zones", type=int, default=10_000, help="Exclusion zones (default 10,000).")
    parser.add_argument("--fixes", type=int, default=5_000_000, help="Fixes a run (default 5,000,000).")
    parser.add_argument("--batch", type=int, default=100_000, help="Fixes a batch (default 100,000).")
    parser.add_argument("--runs", type=int, default=5, help="Runs; the figure is their median (default 5).")
    parser.add_argument("--seed", type=int, default=18)


def fixes_run(command: BaseCommand, options: dict[str, Any]) -> None:
    from vigil.core.benchmarks import machine_summary, write_named_section

    if options["zones"] < 1 or options["fixes"] < 1 or options["batch"] < 1 or options["runs"] < 1:
        raise CommandError("--zones, --fixes, --batch and --runs must be at least 1")
    result = run_fixes_bench(
        zones=options["zones"], fixes=options["fixes"], batch=options["batch"], runs=options["runs"], seed=options["seed"]
    )
    command.stdout.write(
        f"{result.fixes:,} fixes against {result.zones:,} zones: {result.per_second:,.0f} fixes/s per core (CPU), "
        f"{result.per_second_wall:,.0f}/s wall; {result.near:,} pairs near a zone, {result.inside:,} inside"
    )
    if not options["no_write"]:
        write_named_section(Path(options["output"]), "fixes", render_section(result, machine=machine_summary()))
        command.stdout.write(f"Wrote the fixes section of {options['output']}.")
