"""Two database roles on PostgreSQL: the owner, which runs migrations, and the application.

The web server, the worker and every `vigil` command connect with DATABASE_URL, as a role that
owns no table. `vigil migrate` connects as the owner named by DATABASE_OWNER_URL and, after
migrating, grants the application's role what it needs and no more (`grant_app_role`): no
TRUNCATE on any table, no UPDATE or DELETE on the audit trail, no DELETE on its signed head,
no write to the migration history. Not owning the tables, the application cannot lift the
audit triggers either. docs/security.md says how to create the two roles.

Without DATABASE_OWNER_URL (SQLite, or one PostgreSQL role for everything) nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# What the application role may never do to these tables (the grant gives the rest).
APP_REVOKES = {
    "audit_auditevent": "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER",
    "audit_audithead": "DELETE, TRUNCATE, REFERENCES, TRIGGER",
    "django_migrations": "INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER",
}


def owner_credentials() -> dict[str, str] | None:
    """The owner's user and password from DATABASE_OWNER_URL, or None when there is none."""
    url = getattr(settings, "DATABASE_OWNER_URL", "")
    if not url:
        return None
    parsed = dj_database_url.parse(url)
    return {"USER": parsed.get("USER") or "", "PASSWORD": parsed.get("PASSWORD") or ""}


def app_credentials() -> dict[str, str]:
    parsed = dj_database_url.parse(settings.DATABASE_URL)
    return {"USER": parsed.get("USER") or "", "PASSWORD": parsed.get("PASSWORD") or ""}


def two_roles(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether this database runs with an owner role apart from the application's."""
    owner = owner_credentials()
    return bool(
        owner and connections[alias].vendor == "postgresql" and owner["USER"] and owner["USER"] != app_credentials()["USER"]
    )


def _connect_as(alias: str, credentials: dict[str, str]) -> None:
    connection = connections[alias]
    if connection.settings_dict.get("USER") == credentials["USER"]:
        return
    connection.close()
    connection.settings_dict.update(credentials)


def become_owner(alias: str = DEFAULT_DB_ALIAS) -> None:
    """From now on this process's connection is the owner's (tests: to create the database)."""
    owner = owner_credentials()
    if owner and two_roles(alias):
        _connect_as(alias, owner)


def become_app(alias: str = DEFAULT_DB_ALIAS) -> None:
    if two_roles(alias):
        _connect_as(alias, app_credentials())


@contextmanager
def as_owner(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Connect as the owner for the duration (migrations, the tests' emptying of tables)."""
    if not two_roles(alias):
        yield
        return
    before = {key: connections[alias].settings_dict.get(key, "") for key in ("USER", "PASSWORD")}
    become_owner(alias)
    try:
        yield
    finally:
        _connect_as(alias, before)


def grant_app_role(connection: Any, role: str) -> None:
    """Give the application role what it needs on every table and sequence, then take back
    what it must never do (APP_REVOKES). Run as the owner, after migrating."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA {quote('public')} TO {quote(role)}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quote('public')} TO {quote(role)}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {quote('public')} TO {quote(role)}")
        existing = set(connection.introspection.table_names(cursor))
        for table, privileges in APP_REVOKES.items():
            if table in existing:
                cursor.execute(f"REVOKE {privileges} ON {quote(table)} FROM {quote(role)}")


def grant_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate: when migrating as the owner, grant the application role (DATABASE_URL's user)."""
    if not two_roles(using):
        return
    connection = connections[using]
    role = app_credentials()["USER"]
    if connection.settings_dict.get("USER") == role:
        return  # migrating as the application role: it cannot grant, and `vigil migrate` does not do this
    grant_app_role(connection, role)
