"""Writes to the append-only audit trail. Call only inside the service's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from vigil.audit.events import UnregisteredAuditEvent, lookup
from vigil.audit.models import AuditEvent, AuditHead
from vigil.core.current import request_id

M = TypeVar("M", bound=models.Model)

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
    """Append one row to the chain. `actor` is a user, or a label such as 'policy' or 'portal';
    `action` a registered event (`vigil.audit.events`), else `UnregisteredAuditEvent`."""
    if not connection.in_atomic_block:
        raise AuditError("audit_record must run inside the service's transaction")
    if lookup(action) is None:
        raise UnregisteredAuditEvent(action)
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


def lock_chain() -> None:
    """Take the chain's lock now, in the caller's transaction, until it ends: a batch that
    must see every other writer's committed facts before it plans its writes."""
    if not connection.in_atomic_block:
        raise AuditError("lock_chain must run inside a transaction")
    _lock_chain()


def _lock_chain() -> None:
    # SQLite serialises writers already (BEGIN IMMEDIATE); PostgreSQL needs an explicit lock
    # so that two transactions cannot both extend the chain from the same last row.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


@dataclass(frozen=True)
class AuditEntry:
    """One row for `audit_record_many`: who acted (a label such as 'policy'), what, on what."""

    actor_label: str
    action: str
    object_type: str
    object_id: str
    case_id: int | None
    old: Any = None
    new: Any = None
    actor_id: int | None = None  # the user who acted, when a person ran the bulk work


_AUDIT_COLUMNS = (
    "seq", "at", "actor", "actor_label", "action", "object_type", "object_id", "case_id", "old", "new", "request_id",
    "prev_hash", "hash",
)  # fmt: skip


def audit_record_many(entries: Sequence[AuditEntry]) -> int:
    """Append `entries` to the chain as `audit_record` would one by one (the same lock,
    consecutive `seq`, each hash over the one before, the signed head), but inserted with
    one statement per thousand rows. For bulk work by a label ('policy'), or by a user who ran
    it (`AuditEntry.actor_id`); returns the number of rows written."""
    if not entries:
        return 0
    if not connection.in_atomic_block:
        raise AuditError("audit_record_many must run inside the service's transaction")
    for entry in entries:
        if lookup(entry.action) is None:
            raise UnregisteredAuditEvent(entry.action)
    _lock_chain()
    last = AuditEvent.objects.order_by("-seq").only("hash", "seq").first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    rid = request_id()
    rows: list[AuditEvent] = []
    for entry in entries:
        seq += 1
        row = AuditEvent(
            seq=seq,
            at=timezone.now(),
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            case_id=entry.case_id,
            old=jsonable(entry.old),
            new=jsonable(entry.new),
            request_id=rid,
            prev_hash=prev,
        )
        row.hash = prev = compute_hash(prev, row_content(row))
        rows.append(row)
    by_name = {f.name: f for f in AuditEvent._meta.concrete_fields}
    fields = [by_name[name] for name in _AUDIT_COLUMNS]
    quote = connection.ops.quote_name
    head_sql = (
        f"INSERT INTO {quote(AuditEvent._meta.db_table or '')} ({', '.join(quote(f.column or f.name) for f in fields)}) VALUES "  # noqa: S608 - names from the model
    )
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Each value prepared as its field would (the generic `get_db_prep_save` is most of the
    # cost of an insert): times adapted by the backend, JSON through the JSON field.
    adapt_time = connection.ops.adapt_datetimefield_value
    old_field, new_field = by_name["old"], by_name["new"]
    values = [
        (
            row.seq,
            adapt_time(row.at),
            row.actor_id,
            row.actor_label,
            row.action,
            row.object_type,
            row.object_id,
            row.case_id,
            old_field.get_db_prep_save(row.old, connection),
            new_field.get_db_prep_save(row.new, connection),
            row.request_id,
            row.prev_hash,
            row.hash,
        )  # fmt: skip
        for row in rows
    ]
    # One multi-row statement per thousand rows: `executemany` is one statement per row on
    # PostgreSQL, a round trip each.
    with connection.cursor() as cursor:
        for start in range(0, len(values), 1000):
            chunk = values[start : start + 1000]
            cursor.execute(head_sql + ", ".join([one] * len(chunk)), [value for row in chunk for value in row])
    _sign_head(rows[-1])
    return len(rows)


# --- helpers every service and page uses: validate, save, audit, in the caller's transaction ---


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


def audit_read(user: Any, action: str, obj: models.Model | None = None, *, case_id: int | None = None, **fields: Any) -> None:
    """Record that a page showed personal records (for pages the access helpers' `get_*` do not
    cover: an action, a list of possible matches, an admin list)."""
    with transaction.atomic():
        audit_record(actor=user, action=action, obj=obj, case_id=case_id, **fields)
