"""`vigil gazetteer load FILE [FILE ...]`: load postcode centres (ONS Postcode Directory,
Code-Point Open, or postcode/latitude/longitude); `vigil gazetteer lookup POSTCODE`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.gazetteer.demo import DEMO_FILE
from vigil.gazetteer.loader import LAYOUT_WORDS, GazetteerError, gazetteer_load, total_bytes
from vigil.gazetteer.services import gazetteer_size, normalise_postcode, postcode_lookup


class Command(BaseCommand):
    help = "The gazetteer: postcode centres for places typed by postcode."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{load,lookup}")
        load = sub.add_parser(
            "load",
            help=(
                "Load postcode centres from ONS Postcode Directory or Code-Point Open CSV files (or "
                "postcode,latitude,longitude). Safe to run again: existing postcodes are updated."
            ),
        )
        load.add_argument("files", nargs="*", type=Path, metavar="FILE")
        load.add_argument("--demo", action="store_true", help=f"Load the demo's synthetic city ({DEMO_FILE.name}).")
        lookup = sub.add_parser("lookup", help="Print the centre of a postcode.")
        lookup.add_argument("postcode")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "lookup":
            self._lookup(options["postcode"])
            return
        files: list[Path] = list(options["files"])
        if options["demo"]:
            files.append(DEMO_FILE)
        if not files:
            raise CommandError("Name at least one FILE to load (or --demo).", returncode=2)
        started = time.monotonic()
        try:
            result = self._load(files)
        except GazetteerError as error:
            self.stderr.write(f"{error}")
            raise CommandError(
                "The load stopped at that line. Rows before it are loaded; mend the line and run the command again "
                "(postcodes already loaded are updated, not duplicated).",
                returncode=2,
            ) from None
        seconds = time.monotonic() - started
        layouts = ", ".join(sorted(LAYOUT_WORDS[k] for k in result.layouts))
        skipped = f"; {result.without_coordinates:,} without coordinates skipped" if result.without_coordinates else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Read {result.rows:,} rows ({layouts}) in {seconds:,.1f} s: {result.loaded:,} postcodes written{skipped}. "
                f"The gazetteer holds {gazetteer_size():,} postcodes."
            )
        )

    def _load(self, files: list[Path]) -> Any:
        if not sys.stderr.isatty():
            return gazetteer_load(files)
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            transient=False,
        ) as bar:
            task = bar.add_task("Loading postcodes", total=total_bytes(files))
            return gazetteer_load(
                files,
                on_bytes=lambda n: bar.advance(task, n),
                on_file=lambda p: bar.update(task, description=f"Loading {p.name}"),
            )

    def _lookup(self, text: str) -> None:
        if normalise_postcode(text) is None:
            raise CommandError(f"{text!r} is not a postcode.", returncode=2)
        found = postcode_lookup(text)
        if found is None:
            raise CommandError(f"{normalise_postcode(text)} is not in the gazetteer.", returncode=1)
        self.stdout.write(f"{found.postcode}\t{found.lat:.6f}\t{found.lon:.6f}")
