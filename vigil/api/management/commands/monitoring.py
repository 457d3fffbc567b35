"""`vigil monitoring enrol SOURCE TAG --person ID`: tell Vigil which person a tag provider's
id names, so that its location fixes (POST /api/v1/monitoring/fixes) reach that person's
orders' exclusion zones. `vigil monitoring zones ID` lists the zones a person's fixes are
checked against."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.api.models import ExternalRef
from vigil.api.services import external_ref_record
from vigil.core import times
from vigil.monitoring.services import _zones
from vigil.people.models import Person


class Command(BaseCommand):
    help = "Electronic monitoring: enrol a tag provider's id for a person; list a person's exclusion zones."

    def add_arguments(self, parser: CommandParser) -> None:
        subs = parser.add_subparsers(dest="what", required=True, parser_class=type(parser))
        extra: dict[str, Any] = {"called_from_command_line": getattr(parser, "called_from_command_line", None)}
        enrol = subs.add_parser("enrol", help="name a person by a provider's id", **extra)
        enrol.add_argument("source", help="the provider's source name, as its API client sends it")
        enrol.add_argument("tag", help="the provider's id for the person (the tag or subject number)")
        enrol.add_argument("--person", type=int, required=True, help="the person's id in Vigil")
        enrol.add_argument("--by", default="", help="who enrols it, for the audit trail (default: the command)")
        zones = subs.add_parser("zones", help="the exclusion zones a person's fixes are checked against", **extra)
        zones.add_argument("person", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "enrol":
            person = Person.objects.filter(pk=options["person"]).first()
            if person is None:
                raise CommandError(f"--person {options['person']}: no such person")
            try:
                external_ref_record(
                    actor=options["by"] or "vigil monitoring enrol",
                    source=options["source"],
                    kind=ExternalRef.Kind.PERSON,
                    external_id=options["tag"],
                    object_id=person.pk,
                )
            except ValidationError as error:
                raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
            self.stdout.write(f"{options['source']} {options['tag']} now names person {person.pk}.")
            return
        now = times.now()
        found = _zones([options["person"]])
        for zone in found:
            state = zone.order.status_now(now)
            self.stdout.write(
                f"order {zone.order.reference} ({state}): {zone.radius_m:.0f} m around place {zone.condition.place_id}"
            )
        if not found:
            self.stdout.write("No exclusion zones.")
