"""`vigil db_worker`: django-tasks-db's worker, with Vigil's housekeeping in a thread beside it
(vigil/worker/housekeeping.py): stuck tasks are queued again, stored portal reports recorded."""

from __future__ import annotations

import logging
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django_tasks_db.management.commands import db_worker

from vigil.worker.housekeeping import housekeeping

log = logging.getLogger(__name__)


class Housekeeper(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="vigil-housekeeping", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                done = housekeeping()
                if done.requeued or done.failed or done.swept or done.revived:
                    log.info("housekeeping: %s", done)
            except Exception:  # never let the thread die: log and try again next time
                log.exception("housekeeping failed; trying again in %s s", self.interval)
            finally:
                connections.close_all()
            self.stopped.wait(self.interval)


class Command(db_worker.Command):
    help = (
        "Run the background worker (django-tasks-db), and every --housekeeping-interval seconds queue again "
        "the tasks a stopped worker left running and record stored portal reports that were never recorded."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--housekeeping-interval",
            type=float,
            default=float(settings.VIGIL_HOUSEKEEPING_SECONDS),
            help="Seconds between housekeeping runs; 0 turns it off (default VIGIL_HOUSEKEEPING_SECONDS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options.pop("housekeeping_interval")
        keeper = Housekeeper(interval) if interval > 0 else None
        if keeper is not None:
            keeper.start()
        try:
            super().handle(*args, **options)
        finally:
            if keeper is not None:
                keeper.stopped.set()
