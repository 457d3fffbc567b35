"""`vigil migrate`: Django's migrate, connected as the tables' owner when DATABASE_OWNER_URL is
set (PostgreSQL), which then grants the application's role its privileges (vigil/core/dbroles.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import migrate

from vigil.core.dbroles import as_owner


class Command(migrate.Command):
    help = migrate.Command.help + " Connects as DATABASE_OWNER_URL's role when it is set."

    def handle(self, *args: Any, **options: Any) -> None:
        with as_owner(options["database"]):
            super().handle(*args, **options)
