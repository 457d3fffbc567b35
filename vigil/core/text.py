"""Cleaning what people type into a search box before it reaches the database."""

from __future__ import annotations

import unicodedata

SEARCH_MAX = 200


def search_text(value: object, *, limit: int = SEARCH_MAX) -> str:
    """A search as the database can take it: control characters (a NUL byte, which PostgreSQL
    refuses in any string) become spaces, runs of spaces one, and the text is cut to `limit`
    characters (a name or a reference is never longer; SQLite refuses very long patterns)."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in str(value or ""))
    return " ".join(text.split())[:limit]
