"""`vigil bench gazetteer`: load a national-size postcode file, then load it again.

The file is synthetic, in the ONS Postcode Directory's layout (its 52 columns, about 1.1 GB
for 2.7 million rows), written once under var/ and reused. The first load inserts every row;
the second is the rerun a force makes with the next quarter's file (every row an update).
Timed into whatever database the settings name (SQLite by default; PostgreSQL with
DATABASE_URL), which must not hold a gazetteer the bench would overwrite.
"""

from __future__ import annotations

import os
import random
import string
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from vigil.gazetteer.loader import gazetteer_load
from vigil.gazetteer.models import Postcode

ONSPD_COLUMNS = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,oshlthau,nhser,"
    "ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,"
    "msoa11,wz11,sicbl,bua24,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21"
).split(",")
# Real area letters, so the file looks like the national one (the points are random).
AREAS = (
    "AB AL B BA BB BD BH BL BN BR BS CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL "
    "GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE "
    "PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR "
    "WS WV YO ZE"
).split()


def synthetic_onspd(path: Path, rows: int, *, seed: int = 1) -> None:
    rng = random.Random(seed)
    letters = string.ascii_uppercase
    filler = ["E00000001"] * len(ONSPD_COLUMNS)
    lat_at, long_at = ONSPD_COLUMNS.index("lat"), ONSPD_COLUMNS.index("long")
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(ONSPD_COLUMNS) + "\n")
        for area in AREAS:
            for district in range(1, 30):
                for sector in range(10):
                    for unit in range(26 * 26):
                        if written >= rows:
                            return
                        code = f"{area}{district} {sector}{letters[unit % 26]}{letters[unit // 26]}"
                        row = list(filler)
                        row[0], row[1], row[2] = code.replace(" ", ""), code, code
                        row[lat_at] = f"{50 + rng.random() * 8:.6f}"
                        row[long_at] = f"{-6 + rng.random() * 7:.6f}"
                        out.write(",".join(row) + "\n")
                        written += 1


@dataclass
class GazetteerTiming:
    rows: int
    megabytes: float
    first_s: float
    again_s: float
    vendor: str
    load_average: float


def run_gazetteer_bench(rows: int) -> GazetteerTiming:
    if Postcode.objects.exists():
        raise CommandError("The database already holds a gazetteer; run the bench on an empty one (a fresh VIGIL_VAR_DIR).")
    path = Path(settings.VAR_DIR) / f"bench-onspd-{rows}.csv"
    if not path.exists():
        synthetic_onspd(path, rows)
    started = time.perf_counter()
    gazetteer_load([path])
    first = time.perf_counter() - started
    started = time.perf_counter()
    gazetteer_load([path])
    again = time.perf_counter() - started
    return GazetteerTiming(rows, path.stat().st_size / 1e6, first, again, connection.vendor, os.getloadavg()[0])


def render(timing: GazetteerTiming, *, machine: str) -> str:
    rate = timing.rows / timing.first_s
    database = "PostgreSQL" if timing.vendor == "postgresql" else "SQLite"
    return "\n".join(
        [
            f"## Loading the gazetteer into {database} (`vigil bench gazetteer`)",
            "",
            f"{timing.rows:,} rows of a synthetic ONS Postcode Directory ({timing.megabytes:,.0f} MB, its 52 columns), "
            f"loaded by `vigil gazetteer load` into {database} on {machine}, {timezone.localdate():%d %B %Y}:",
            "",
            "| load | seconds | rows per second |",
            "|---|---|---|",
            f"| first (every row inserted) | {timing.first_s:,.1f} | {rate:,.0f} |",
            f"| again (every row updated, as with the next quarter's file) | {timing.again_s:,.1f} | "
            f"{timing.rows / timing.again_s:,.0f} |",
            "",
            f"The machine's load average was {timing.load_average:.1f} at the end of the run (other work shares its "
            "cores, so the figures are an upper bound). Rows go in batches of 20,000, one transaction each, as "
            "multi-row upserts of 500 rows a statement; reading and checking the CSV is about a third of the time, "
            "and on SQLite most of the rest is the synchronous commit of each batch (`PRAGMA synchronous=FULL`).",
        ]
    )


def gazetteer_arguments(parser: CommandParser) -> None:
    parser.add_argument("--rows", type=int, default=2_700_000, help="Rows in the synthetic file (default 2,700,000).")


def gazetteer_run(command: BaseCommand, options: dict[str, Any]) -> None:
    from vigil.core.benchmarks import machine_summary, write_named_section

    if options["rows"] < 1:
        raise CommandError("--rows must be at least 1")
    timing = run_gazetteer_bench(options["rows"])
    command.stdout.write(
        f"{timing.rows:,} rows ({timing.megabytes:,.0f} MB) into {timing.vendor}: first load {timing.first_s:,.1f} s, "
        f"again {timing.again_s:,.1f} s"
    )
    if not options["no_write"]:
        # One section for each database, so both figures stand side by side.
        write_named_section(Path(options["output"]), f"gazetteer-{timing.vendor}", render(timing, machine=machine_summary()))
        command.stdout.write(f"Wrote the gazetteer section of {options['output']}.")
