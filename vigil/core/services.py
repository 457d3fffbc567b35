"""Helpers every service uses. Saving with its audit row is `vigil.audit.services.create_audited`
and `update_audited` (the audit trail sits above this base)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError


def require_aware(name: str, value: dt.datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValidationError({name: f"{name} must carry a time zone (got {value.isoformat()})"})
