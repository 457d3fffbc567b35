from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.actions.escalation import escalate_due, run_partner_jobs


class Command(BaseCommand):
    help = "Record every escalation step that has fallen due for open actions. Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="Evaluate at this ISO datetime with offset instead of now (for checks and drills).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["at"]:
            try:
                now = dt.datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(f"--at: not an ISO datetime: {options['at']!r}") from None
            if now.tzinfo is None:
                raise CommandError("--at: give a time zone offset, e.g. 2025-03-13T00:30:00+00:00")
        run = escalate_due(now=now)
        self.stdout.write(f"Checked {run.checked} open overdue actions; recorded {run.recorded} escalation steps.")
        partner = run_partner_jobs(at=now)
        self.stdout.write(f"Recorded {partner['marac_steps']} MARAC action plan escalation steps.")
