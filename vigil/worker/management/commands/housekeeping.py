"""`vigil housekeeping`: run the worker's housekeeping once (vigil/worker/housekeeping.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigil.worker.housekeeping import housekeeping


class Command(BaseCommand):
    help = "Queue again the tasks a stopped worker left running, and record stored portal reports never recorded."

    def handle(self, *args: Any, **options: Any) -> None:
        done = housekeeping()
        self.stdout.write(
            f"Tasks queued again: {done.requeued}; marked failed: {done.failed}; portal reports recorded: {done.swept}; "
            f"escalation job started again: {'yes' if done.revived else 'no'}."
        )
