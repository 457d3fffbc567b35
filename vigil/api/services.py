"""Writes about API clients: create, rotate a token, revoke. Each runs in one transaction and
is audited. A token is returned once, when it is made, and stored only as its SHA-256 digest
(a token carries 256 random bits, so a fast digest is as safe as a slow one here)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.api.models import ApiClient, ApiToken, ExternalRef
from vigil.audit.services import audit_record
from vigil.core import times
from vigil.core.models import Area, Team
from vigil.timeline.schema import EVENT_TYPES

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")
SOURCE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,58}[a-z0-9]$")
TOKEN_PREFIX = "vigil_"  # noqa: S105 - the visible start of every token, not a secret


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token(client: ApiClient, *, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        client=client, prefix=prefix, digest=digest(token), created_at=times.now(), expires_at=expires_at
    )
    return row, token


def token_client(token: str) -> ApiClient | None:
    """The active client a bearer token belongs to, or None (unknown, expired, revoked)."""
    if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
        return None
    prefix = token[len(TOKEN_PREFIX) :].split("_", 1)[0]
    row = ApiToken.objects.select_related("client").filter(prefix=prefix).first()
    if row is None or not hmac.compare_digest(row.digest, digest(token)):
        return None
    now = times.now()
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if not row.client.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.client


def _check_scope(*, sources: Sequence[str], event_types: Iterable[str]) -> None:
    if not sources:
        raise ValidationError({"sources": "Name at least one source system (--source)"})
    for source in sources:
        if not SOURCE.match(source):
            raise ValidationError(
                {"sources": f"{source!r}: use 2 to 60 lower case letters, digits, dots, hyphens or underscores"}
            )
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise ValidationError({"event_types": f"unknown event types: {', '.join(unknown)} (one of {', '.join(EVENT_TYPES)})"})


def api_client_create(
    *,
    actor: Any,
    name: str,
    sources: Sequence[str] = (),
    teams: Iterable[Team] = (),
    areas: Iterable[Area] = (),
    event_types: Iterable[str] = (),
    can_read: bool = False,
    rate_limit: int = 120,
    description: str = "",
) -> tuple[ApiClient, str]:
    """A new client and its first token (shown once). `sources` defaults to the name."""
    if not NAME.match(name):
        raise ValidationError({"name": f"{name!r}: use 3 to 60 lower case letters, digits and hyphens"})
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationError({"name": f"a client called {name!r} already exists"})
    sources = list(dict.fromkeys(sources or [name]))
    types = list(dict.fromkeys(event_types))
    _check_scope(sources=sources, event_types=types)
    if rate_limit < 1:
        raise ValidationError({"rate_limit": "must be at least 1 request a minute"})
    teams, areas = list(teams), list(areas)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            description=description,
            sources=sources,
            event_types=types,
            can_read=can_read,
            rate_limit=rate_limit,
            created_at=times.now(),
            created_by=str(actor),
        )
        client.teams.set(teams)
        client.areas.set(areas)
        row, token = _new_token(client)
        audit_record(
            actor=actor,
            action="api_client.create",
            obj=client,
            new={
                "name": name,
                "sources": sources,
                "teams": [t.pk for t in teams],
                "areas": [a.pk for a in areas],
                "event_types": types,
                "can_read": can_read,
                "rate_limit": rate_limit,
                "token": row.prefix,
            },
        )
        return client, token


def api_client_rotate(*, actor: Any, client: ApiClient, grace: dt.timedelta = dt.timedelta(0)) -> str:
    """A new token for the client; its current tokens stop working after `grace` (default at once)."""
    if not client.active:
        raise ValidationError({"client": f"{client.name} is revoked: create a new client instead"})
    if grace < dt.timedelta(0) or grace > dt.timedelta(days=7):
        raise ValidationError({"grace": "the old token may be kept for up to 7 days"})
    with transaction.atomic():
        ends = times.now() + grace
        retired = list(ApiToken.objects.select_for_update().filter(client=client).exclude(expires_at__lte=times.now()))
        for old in retired:
            if old.expires_at is None or old.expires_at > ends:
                old.expires_at = ends
                old.save(update_fields=["expires_at"])
        row, token = _new_token(client)
        audit_record(
            actor=actor,
            action="api_client.rotate",
            obj=client,
            new={"token": row.prefix, "retired": [t.prefix for t in retired], "old_tokens_end": ends},
        )
        return token


def api_client_revoke(*, actor: Any, client: ApiClient, reason: str) -> ApiClient:
    """The client stops working at once, every token with it. Its records stay."""
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason the client is revoked"})
    if not client.active:
        raise ValidationError({"client": f"{client.name} is already revoked"})
    with transaction.atomic():
        now = times.now()
        client.revoked_at, client.revoked_reason = now, reason.strip()
        client.save(update_fields=["revoked_at", "revoked_reason"])
        ApiToken.objects.filter(client=client).exclude(expires_at__lte=now).update(expires_at=now)
        audit_record(actor=actor, action="api_client.revoke", obj=client, new={"reason": reason.strip()})
        return client


def external_ref_record(*, actor: Any, source: str, kind: str, external_id: str, object_id: int) -> ExternalRef:
    """A sending system's id for a record Vigil holds: from now on (source, kind, external_id)
    names that record. The same id is never given to a second record."""
    if not SOURCE.match(source):
        raise ValidationError({"source": f"{source!r}: use 2 to 60 lower case letters, digits, dots, hyphens or underscores"})
    if not external_id or len(external_id) > 200:
        raise ValidationError({"external_id": "must be 1 to 200 characters"})
    with transaction.atomic():
        existing = ExternalRef.objects.filter(source=source, kind=kind, external_id=external_id).first()
        if existing is not None:
            if existing.object_id != object_id:
                raise ValidationError({"external_id": f"{source} {kind} {external_id!r} already names another record"})
            return existing
        ref = ExternalRef.objects.create(
            source=source, kind=kind, external_id=external_id, object_id=object_id, created_at=times.now(), created_by=str(actor)
        )
        audit_record(
            actor=actor,
            action="external_ref.record",
            obj=ref,
            new={"source": source, "kind": kind, "external_id": external_id, "object_id": object_id},
        )
        return ref
