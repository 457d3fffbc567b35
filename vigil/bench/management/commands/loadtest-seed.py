"""`vigil loadtest-seed`: officers and reporting access for a load test (vigil/loadtest/seed.py)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigil.loadtest.seed import seed_load


class Command(BaseCommand):
    help = "Create load-test officers (password and second-factor seed) and portal reporting access; write them to --out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--officers", type=int, default=50)
        parser.add_argument("--accesses", type=int, default=600, help="Single-use portal accesses (one report each).")
        parser.add_argument("--cases-per-team", type=int, default=4, help="Cases made per team if the database has none.")
        parser.add_argument(
            "--out", required=True, help="The JSON file the load test reads (it holds passwords: keep it private)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        credentials = seed_load(
            officers=options["officers"],
            accesses=options["accesses"],
            password=secrets.token_urlsafe(18),
            cases_per_team=options["cases_per_team"],
        )
        path = Path(options["out"])
        path.write_text(json.dumps(credentials), encoding="utf-8")
        path.chmod(0o600)
        self.stdout.write(
            f"{len(credentials['officers'])} officers and {len(credentials['accesses'])} portal accesses written to {path}."
        )
