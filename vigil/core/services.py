"""Helpers every service uses: validate, save, audit, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from vigil.audit.services import audit_record, model_values

M = TypeVar("M", bound=models.Model)


def require_aware(name: str, value: dt.datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValidationError({name: f"{name} must carry a time zone (got {value.isoformat()})"})


def create_audited(obj: M, *, actor: Any, action: str, case_id: int | None = None, exclude: list[str] | None = None) -> M:
    """Validate and insert `obj`, and write its audit row. Call inside `transaction.atomic()`."""
    obj.full_clean(exclude=exclude)
    obj.save(force_insert=True)
    audit_record(actor=actor, action=action, obj=obj, case_id=case_id, new=model_values(obj))
    return obj


def update_audited(obj: M, *, actor: Any, action: str, changes: dict[str, Any], case_id: int | None = None) -> M:
    """Apply `changes` to `obj`, validate, save only those fields, and audit old and new values."""
    old = {name: getattr(obj, name) for name in changes}
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save(update_fields=list(changes))
    audit_record(actor=actor, action=action, obj=obj, case_id=case_id, old=old, new=changes)
    return obj
