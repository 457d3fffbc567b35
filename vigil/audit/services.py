"""Writes to the append-only audit trail. Call only inside the service's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
import uuid
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from vigil.audit.models import AuditEvent, AuditHead
from vigil.core.current import request_id

GENESIS = "0" * 64
_LOCK_KEY = 7_411_001  # advisory lock id for appending to the chain on PostgreSQL


class AuditError(Exception):
    pass


def jsonable(value: Any) -> Any:
    """Turn a value into plain JSON so that its hash survives a round trip through the database."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    return str(value)


def row_content(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "case_id": event.case_id,
        "old": event.old,
        "new": event.new,
        "request_id": event.request_id,
    }


def compute_hash(prev_hash: str, content: dict[str, Any]) -> str:
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest()


def _mac(message: str) -> str:
    return hmac.new(settings.VIGIL_AUDIT_KEY.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def encrypted_digest(value: str) -> str:
    """What the audit trail keeps of an encrypted column: a keyed digest, never the text.

    The trail is append-only and cannot be re-encrypted when keys rotate, so it must not
    hold the narrative or address itself. The digest proves which value was written (anyone
    with the audit key can check a value against it) without revealing it."""
    if value in ("", None):
        return ""
    return "hmac-sha256:" + _mac("encrypted-value\n" + value)


def model_values(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, for the audit's old/new columns.
    Encrypted columns are recorded as a keyed digest (see `encrypted_digest`)."""
    from vigil.core.crypto import EncryptedTextField

    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(obj, field.attname)
        values[field.attname] = encrypted_digest(value) if isinstance(field, EncryptedTextField) else jsonable(value)
    return values


def head_mac(seq: int, hash_: str) -> str:
    return _mac(f"audit-head\n{seq}\n{hash_}")


def _sign_head(event: AuditEvent) -> None:
    AuditHead.objects.update_or_create(
        pk=1, defaults={"seq": event.seq, "hash": event.hash, "mac": head_mac(event.seq, event.hash), "at": event.at}
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    case_id: int | None = None,
    old: Any = None,
    new: Any = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one row to the chain. `actor` is a user, or a label such as 'policy' or 'portal'."""
    if not connection.in_atomic_block:
        raise AuditError("audit_record must run inside the service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    if not object_type or object_id is None:
        raise AuditError("audit_record needs an object or an object_type and object_id")
    user: Any = actor if isinstance(actor, models.Model) else None
    label = (getattr(user, "username", "") if user is not None else str(actor or "system")) or "system"
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-seq").only("hash", "seq").first()
        event = AuditEvent(
            seq=(last.seq + 1) if last else 1,
            at=at or timezone.now(),
            actor=user,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            case_id=case_id,
            old=jsonable(old),
            new=jsonable(new),
            request_id=request_id(),
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = compute_hash(event.prev_hash, row_content(event))
        event.save(force_insert=True)
        _sign_head(event)
    return event


def _lock_chain() -> None:
    # SQLite serialises writers already (BEGIN IMMEDIATE); PostgreSQL needs an explicit lock
    # so that two transactions cannot both extend the chain from the same last row.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
