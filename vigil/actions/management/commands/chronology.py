from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from vigil.audit.chronology import KINDS, ChronologyFilter, may_export
from vigil.audit.export import EXPORT_FORMATS, chronology_export
from vigil.cases.access import get_case_for_user
from vigil.cases.models import Case


class Command(BaseCommand):
    help = (
        "Export a case's chronology for a review (IOPC, Domestic Homicide Review), built from the audit trail. "
        "The export is recorded in the audit trail under --user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", help="The case reference (e.g. VG-1A2B3C) or its number.")
        parser.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="csv", help="csv (default) or pdf.")
        parser.add_argument("--from", dest="start", help="First day, YYYY-MM-DD (local time, inclusive).")
        parser.add_argument("--to", dest="end", help="Last day, YYYY-MM-DD (local time, inclusive).")
        parser.add_argument("--kind", action="append", choices=list(KINDS), help="Only these kinds of entry (repeatable).")
        parser.add_argument("--output", help="Write to this file instead of standard output.")
        parser.add_argument("--user", required=True, help="Who makes the export: their access decides what they may export.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None or not may_export(user):
            raise CommandError(f"{options['user']!r} may not export chronologies (police roles only)")
        ref = options["case"].strip()
        pk = Case.objects.filter(reference__iexact=ref).values_list("pk", flat=True).first()
        if pk is None and ref.isdigit():
            pk = int(ref)
        try:
            case = get_case_for_user(user, pk if pk is not None else -1, audit=False)
        except Http404:
            raise CommandError(f"No case {ref!r} that {user.username} can see") from None
        params: dict[str, Any] = {"from": options["start"], "to": options["end"], "kind": options["kind"] or []}
        chrono_filter = ChronologyFilter.from_params(params)
        if chrono_filter.errors:
            raise CommandError("; ".join(chrono_filter.errors))
        export = chronology_export(user=user, case=case, fmt=options["format"], chrono_filter=chrono_filter)
        if options["output"]:
            Path(options["output"]).write_bytes(export.content)
            self.stderr.write(f"Wrote {export.rows} entries to {options['output']}.")
        elif options["format"] == "csv":
            self.stdout.write(export.content.decode("utf-8-sig"), ending="")
        else:
            sys.stdout.buffer.write(export.content)
            sys.stdout.flush()
