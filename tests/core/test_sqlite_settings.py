"""The embedded SQLite database is opened with the page cache and journal the settings ask
for; a PostgreSQL connection is given none of SQLite's options."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_database_options_suit_the_engine_in_use() -> None:
    options = connection.settings_dict.get("OPTIONS", {})
    if connection.vendor != "sqlite":
        assert "init_command" not in options and "transaction_mode" not in options
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -64 * 1024
        cursor.execute("PRAGMA journal_mode")
        # An in-memory test database cannot use WAL and reports 'memory'; a file database reports 'wal'.
        assert cursor.fetchone()[0] in {"wal", "memory"}
