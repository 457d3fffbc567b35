"""`vigil replay FILE [--json] [--until ISO] [--extensions]`: replay a safeguarding timeline through the
policy engine. Bad input is reported on stderr (file, event index, key) with exit status 2,
and nothing is written to stdout."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigil.policy.config import PolicyError
from vigil.timeline.reader import EXTENSIONS_HELP, TimelineError, read_timeline
from vigil.timeline.render import render
from vigil.timeline.replay import _until, answer, run_replay


class Command(BaseCommand):
    help = "Replay a timeline (vigil-timeline/1) through the policy and print what it demanded, and when."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the timeline JSON file")
        parser.add_argument("--json", action="store_true", help="print the JSON answer (FORMAT.md) instead of the chronology")
        parser.add_argument("--until", help="stop at this moment (ISO 8601; local to the timeline's zone without an offset)")
        parser.add_argument("--extensions", action="store_true", help=EXTENSIONS_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            timeline = read_timeline(options["file"], extensions=options["extensions"])
            result = run_replay(timeline, until=_until(timeline, options.get("until")))
            text = json.dumps(answer(result), indent=2, ensure_ascii=False) + "\n" if options["json"] else render(result)
        except (TimelineError, PolicyError) as error:
            self.stderr.write(f"vigil replay: {error}")
            raise SystemExit(2) from None
        # Written only once the whole answer exists, so a failure leaves stdout empty.
        self.stdout.write(text, ending="")
