"""`vigil loadtest-check LOG`: after a load run, was every accepted write stored exactly once?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.loadtest.check import check_accepted, read_log


class Command(BaseCommand):
    help = "Check the writes a load test logged as accepted against the database, and the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("log", help="The accepted-writes log (VIGIL_LOAD_LOG of the run).")
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = check_accepted(read_log(Path(options["log"])))
        if options["json"]:
            payload = {"ok": outcome.ok, "accepted": dict(outcome.accepted), "lost": outcome.lost, "doubled": outcome.doubled}
            self.stdout.write(json.dumps({**payload, "unrecorded": outcome.unrecorded, "summary": outcome.summary()}))
        else:
            self.stdout.write(outcome.summary())
        if not outcome.ok:
            raise CommandError("accepted writes were lost or doubled, or the audit chain does not verify", returncode=1)
