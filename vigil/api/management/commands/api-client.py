"""`vigil api-client create|rotate|revoke|list|show`: the event API's clients (service accounts).

    vigil api-client create niche-west --source niche --team 3 --area "West" \\
        --events report,risk_assessment,order_granted --read --rate-limit 300

prints the new client's token once; only its digest is stored. docs/api.md explains scopes.
"""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.api.models import ApiClient
from vigil.api.scope import client_teams
from vigil.api.services import api_client_create, api_client_revoke, api_client_rotate
from vigil.core.models import Area, Team
from vigil.timeline.schema import EVENT_TYPES


def _actor() -> str:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user name in this environment
        who = "unknown"
    return f"vigil api-client ({who})"


def _team(value: str) -> Team:
    """A team by id, or by name (with its area when two areas share the name: 'AREA/TEAM')."""
    if value.isdigit():
        team = Team.objects.filter(pk=int(value)).first()
    else:
        area, _, name = value.rpartition("/")
        found = Team.objects.filter(name=name.strip(), **({"area__name": area.strip()} if area else {}))
        if found.count() > 1:
            raise CommandError(f"--team {value!r}: more than one team has that name; write AREA/TEAM or the id")
        team = found.first()
    if team is None:
        raise CommandError(f"--team {value!r}: no such team")
    return team


def _area(value: str) -> Area:
    area = Area.objects.filter(pk=int(value)).first() if value.isdigit() else Area.objects.filter(name=value).first()
    if area is None:
        raise CommandError(f"--area {value!r}: no such area")
    return area


def _client(name: str) -> ApiClient:
    client = ApiClient.objects.filter(name=name).first()
    if client is None:
        raise CommandError(f"no client called {name!r} (vigil api-client list)")
    return client


def _events(values: list[str]) -> list[str]:
    types: list[str] = []
    for value in values:
        types += [v.strip() for v in value.split(",") if v.strip()]
    if "all" in types:
        return list(EVENT_TYPES)
    return types


class Command(BaseCommand):
    help = "The event API's clients: create (prints the token once), rotate, revoke, list, show."

    def add_arguments(self, parser: CommandParser) -> None:
        subs = parser.add_subparsers(dest="what", required=True, parser_class=type(parser))
        extra: dict[str, Any] = {"called_from_command_line": getattr(parser, "called_from_command_line", None)}
        create = subs.add_parser("create", help="create a client and print its token", **extra)
        create.add_argument("name", help="3 to 60 lower case letters, digits and hyphens")
        create.add_argument("--source", action="append", default=[], help="a system it speaks for (repeat; default: its name)")
        create.add_argument(
            "--team", action="append", default=[], help="a team it may write to and read: id or AREA/TEAM (repeat)"
        )
        create.add_argument("--area", action="append", default=[], help="an area: every team in it (repeat)")
        create.add_argument(
            "--events",
            action="append",
            default=[],
            help=f"event types it may send, comma-separated, or 'all' ({', '.join(EVENT_TYPES)})",
        )
        create.add_argument("--read", action="store_true", help="it may read cases' open actions and its teams' boards")
        create.add_argument("--rate-limit", type=int, default=120, help="requests per minute (default 120)")
        create.add_argument("--description", default="", help="what the client is, in words")
        rotate = subs.add_parser("rotate", help="print a new token; the old ones stop working", **extra)
        rotate.add_argument("name")
        rotate.add_argument("--grace-minutes", type=int, default=0, help="keep the old token working this long (default 0)")
        revoke = subs.add_parser("revoke", help="stop a client at once", **extra)
        revoke.add_argument("name")
        revoke.add_argument("--reason", required=True, help="why, in words (kept in the audit trail)")
        subs.add_parser("list", help="every client, one a line", **extra)
        show = subs.add_parser("show", help="one client's scope", **extra)
        show.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['what']}")(options)
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None

    def _create(self, options: dict[str, Any]) -> None:
        client, token = api_client_create(
            actor=_actor(),
            name=options["name"],
            sources=options["source"],
            teams=[_team(t) for t in options["team"]],
            areas=[_area(a) for a in options["area"]],
            event_types=_events(options["events"]),
            can_read=options["read"],
            rate_limit=options["rate_limit"],
            description=options["description"],
        )
        self.stdout.write(f"Created {client.name}. Its token (shown once; keep it secret):\n{token}")
        self._show({"name": client.name})

    def _rotate(self, options: dict[str, Any]) -> None:
        token = api_client_rotate(
            actor=_actor(), client=_client(options["name"]), grace=dt.timedelta(minutes=options["grace_minutes"])
        )
        self.stdout.write(f"New token for {options['name']} (shown once):\n{token}")

    def _revoke(self, options: dict[str, Any]) -> None:
        client = api_client_revoke(actor=_actor(), client=_client(options["name"]), reason=options["reason"])
        self.stdout.write(f"Revoked {client.name}: its tokens no longer work.")

    def _list(self, options: dict[str, Any]) -> None:
        for client in ApiClient.objects.all():
            state = "revoked" if client.revoked_at else "active"
            self.stdout.write(f"{client.name:<30} {state:<8} sources {', '.join(client.sources)}; {client.rate_limit}/min")

    def _show(self, options: dict[str, Any]) -> None:
        client = _client(options["name"])
        teams = ", ".join(f"{t.area.name}/{t.name} ({t.pk})" for t in client_teams(client)) or "none"
        self.stdout.write(
            f"{client.name}: {'revoked ' + client.revoked_reason if client.revoked_at else 'active'}\n"
            f"  sources: {', '.join(client.sources)}\n  teams: {teams}\n"
            f"  may send: {', '.join(client.event_types) or 'nothing'}\n  may read: {'yes' if client.can_read else 'no'}\n"
            f"  rate limit: {client.rate_limit} requests a minute"
        )
