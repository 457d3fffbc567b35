"""`vigil portal-retry`: record every portal submission that has not been recorded yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigil.portal.constants import SubmissionStatus
from vigil.portal.services import portal_submissions_retry


class Command(BaseCommand):
    help = "Try again to record portal submissions that failed (safe to run at any time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--include-needs-officer",
            action="store_true",
            help="Also retry submissions marked as needing an officer (for example after an order was recorded).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = portal_submissions_retry(include_needs_officer=options["include_needs_officer"])
        recorded = sum(1 for s in results if s.status == SubmissionStatus.RECORDED)
        for submission in results:
            if submission.status != SubmissionStatus.RECORDED:
                self.stdout.write(f"{submission.reference}: {submission.get_status_display()}: {submission.last_error}")
        self.stdout.write(f"Tried {len(results)} submission(s); {recorded} recorded, {len(results) - recorded} still waiting.")
