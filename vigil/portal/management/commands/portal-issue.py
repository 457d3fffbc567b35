"""`vigil portal-issue CASE_REFERENCE`: give reporting access from the command line and print
the reference and PIN (or link) once, for the demo or a force's own tooling."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vigil.cases.models import Case
from vigil.portal.constants import AccessMethod
from vigil.portal.services import family_member_add, reporting_access_issue


class Command(BaseCommand):
    help = "Give the victim of a case (or a family member the victim named) a reference and one-time PIN, or a link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", help="the case reference, e.g. VG-1A2B3C")
        parser.add_argument("--family", default="", help="the full name of a family member the victim named")
        parser.add_argument("--link", action="store_true", help="a single-use link instead of a PIN")
        parser.add_argument("--days", type=int, default=7, help="days until it expires (1 to 90)")

    def handle(self, *args: Any, **options: Any) -> None:
        case = Case.objects.select_related("victim", "subject").filter(reference=options["case"]).first()
        if case is None:
            raise CommandError(f"No case with reference {options['case']!r}")
        actor = "command-line"
        try:
            person = family_member_add(actor=actor, case=case, full_name=options["family"]) if options["family"] else case.victim
            issued = reporting_access_issue(
                actor=actor,
                case=case,
                reporter_person=person,
                expires_at=timezone.now() + dt.timedelta(days=options["days"]),
                method=AccessMethod.LINK if options["link"] else AccessMethod.PIN,
                victim_consent=bool(options["family"]),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Reference: {issued.reference}")
        if issued.pin:
            self.stdout.write(f"PIN:       {issued.pin}   (shown once; report at /report)")
        else:
            self.stdout.write(f"Link:      /report/link/{issued.link_token}/   (shown once)")
        self.stdout.write(f"Expires:   {timezone.localtime(issued.access.expires_at):%d %b %Y %H:%M}")
