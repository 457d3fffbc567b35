from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vigil.cases.models import Case
from vigil.demo.data import build_demo


class Command(BaseCommand):
    help = "Build a synthetic force (Faker en_GB): people under name variants, cases, orders, warrants, alarms, actions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=2000, help="How many victim–subject cases to build (default 2000).")
        parser.add_argument("--seed", type=int, default=2022, help="Random seed; the same seed and anchor give the same data.")
        parser.add_argument(
            "--anchor", type=dt.date.fromisoformat, default=None, help="The demo's 'today', YYYY-MM-DD (default: today)."
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already holds cases.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"] < 1:
            raise CommandError("--cases must be at least 1")
        if options["if_empty"] and Case.objects.exists():
            self.stdout.write("Demo data already loaded; leaving it as it is.")
            return
        anchor = options["anchor"] or timezone.localdate()
        result = build_demo(cases=options["cases"], seed=options["seed"], anchor=anchor)
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {result.cases} cases with {result.people} person records (seed {options['seed']}, anchor {anchor})."
            )
        )
