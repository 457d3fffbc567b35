from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.core.progress import progress
from vigil.schools.gias import GiasError, GiasRow, schools_load


class Command(BaseCommand):
    help = "The schools directory for Operation Encompass: `vigil schools load FILE` reads a GIAS establishment export."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="load")
        load = sub.add_parser("load", help="Add or update schools from the DfE's Get Information about Schools CSV export.")
        load.add_argument("file", type=Path, help="The GIAS CSV (URN, EstablishmentName, Postcode, PhaseOfEducation (name), …)")

    def handle(self, *args: Any, **options: Any) -> None:
        def bar(rows: Iterable[GiasRow], total: int) -> Iterator[GiasRow]:
            return progress(rows, total=total, description="Loading schools")

        try:
            result = schools_load(options["file"], actor="vigil schools load", progress=bar)
        except GiasError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Read {result.read} schools ({result.open} open): {result.created} added, {result.updated} updated,"
                f" {result.unchanged} unchanged."
            )
        )
