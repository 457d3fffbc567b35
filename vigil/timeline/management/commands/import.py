"""`vigil import timeline FILE [--json] [--as USER] [--extensions]`: load a timeline file into the live
database through the officers' services (docs/live-and-replay.md). Bad input is refused as
`vigil replay` refuses it: the file, the event index and the key on stderr, exit status 2,
nothing written. A file already imported is refused by its `id`.

`vigil import csv FILE --mapping MAPPING.toml [--dry-run] [--client NAME] [--batch-size N]`: a
records-management export through the event API's own path (vigil.api.csv_import,
docs/csv-import.md). Bad rows are printed with their line, column and reason, exit status 2,
nothing written; a bad mapping is refused naming its key."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.policy.config import PolicyError
from vigil.timeline.importer import import_timeline, live_answer
from vigil.timeline.reader import EXTENSIONS_HELP, TimelineError

IMPORT_USER = "timeline-import"


class Command(BaseCommand):
    help = "Load data into the live database: `vigil import timeline FILE` loads a vigil-timeline/1 file."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="what", required=True, metavar="timeline|csv")
        timeline = kinds.add_parser("timeline", help="load a timeline file through the officers' services")
        timeline.add_argument("file", help="the timeline JSON file")
        timeline.add_argument("--json", action="store_true", help="print the live answer in `vigil replay --json`'s format")
        timeline.add_argument("--extensions", action="store_true", help=EXTENSIONS_HELP)
        timeline.add_argument(
            "--as",
            dest="as_user",
            default="",
            help=f"the username the facts and decisions are recorded by (default: a '{IMPORT_USER}' account)",
        )

        export = kinds.add_parser("csv", help="load a records-management CSV export through the event API's path")
        export.add_argument("file", help="the CSV export")
        export.add_argument("--mapping", required=True, help="the TOML file naming its columns and codes (docs/csv-import.md)")
        export.add_argument("--dry-run", action="store_true", help="read and check every row; print the bad ones; write nothing")
        export.add_argument("--client", help="the API client to write as (default: the mapping's `client`)")
        export.add_argument("--batch-size", type=int, help="rows a transaction (default: the mapping's, else 500)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "csv":
            from vigil.api.csv_command import import_csv

            raise SystemExit(import_csv(self, options))
        actor = _actor(options["as_user"])
        try:
            loaded = import_timeline(options["file"], actor=actor, extensions=options["extensions"])
            answer = live_answer(loaded.record)
        except (TimelineError, PolicyError) as error:
            self.stderr.write(f"vigil import: {error}")
            raise SystemExit(2) from None
        if options["json"]:
            self.stdout.write(json.dumps(answer, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            f"Imported {loaded.record.timeline_id} ({loaded.record.title}) as {actor.username}: "
            f"{len(answer['actions'])} actions, {len(answer['flags'])} flags, {len(answer['risk'])} risk changes, "
            f"{len(answer['links'])} identity links."
        )
        for note in loaded.notes:
            self.stdout.write(f"  note: {note}")


def _actor(username: str) -> Any:
    users = get_user_model()
    if username:
        try:
            return users.objects.get(username=username)
        except users.DoesNotExist:
            raise CommandError(f"--as: no user {username!r}") from None
    user, created = users.objects.get_or_create(username=IMPORT_USER, defaults={"first_name": "Timeline import"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
