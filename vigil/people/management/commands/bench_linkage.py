"""`manage.py bench_linkage`: the linkage benchmark on its own, the same as `vigil bench linkage`
(see vigil/people/bench_linkage.py); writes the `bench:linkage` section of docs/performance.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from vigil.people.bench_linkage import linkage_arguments, linkage_run


class Command(BaseCommand):
    help = "One new person record against the person index: p50/p95 of the candidate search and scoring."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "docs" / "performance.md"),
            help="Where to write the figures (default docs/performance.md).",
        )
        parser.add_argument("--no-write", action="store_true", help="Print the figures only.")
        linkage_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        linkage_run(self, options)
