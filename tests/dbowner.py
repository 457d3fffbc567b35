"""Tampering with the audit trail as the tables' owner, for the tests that prove it is caught.

On PostgreSQL with two roles the tests run as the application's role, which can neither
change the trail nor lift its triggers (that is tested too), so tampering needs the owner's
own connection and committed rows: tests that use `owner_sql` are transactional. On SQLite,
and on PostgreSQL with one role, it is the default connection with the triggers lifted."""

from __future__ import annotations

from typing import Any

from django.db import connection

from vigil.core.dbroles import owner_credentials, two_roles

AUDIT_TABLES = ("audit_auditevent", "audit_audithead")


def _lifted(cursor: Any, sql: str, params: list[Any] | None) -> None:
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks, or ALTER refuses
    for table in AUDIT_TABLES:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    cursor.execute(sql, params or [])
    for table in AUDIT_TABLES:
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def owner_sql(sql: str, params: list[Any] | None = None) -> None:
    """Run `sql` with the audit triggers lifted, as only the owner can."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
        return
    if not two_roles():
        with connection.cursor() as cursor:
            _lifted(cursor, sql, params)
        return
    import psycopg

    if connection.in_atomic_block:
        raise RuntimeError(
            "owner_sql tampers on its own connection, which would wait for this test's transaction: "
            "mark the test django_db(transaction=True)"
        )
    owner = owner_credentials() or {}
    options = {**connection.get_connection_params(), "user": owner["USER"], "password": owner["PASSWORD"]}
    options.pop("cursor_factory", None)
    options.pop("context", None)
    with psycopg.connect(**options) as conn, conn.transaction(), conn.cursor() as cursor:
        _lifted(cursor, sql, params)
