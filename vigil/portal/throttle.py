"""A small rate limiter kept in the database, so every web process sees the same counts.

Addresses are never stored: a bucket is a keyed hash of the address."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from vigil.portal.models import PortalRateHit


def _limit() -> int:
    return int(settings.VIGIL_PORTAL_RATE_LIMIT)


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.VIGIL_PORTAL_RATE_WINDOW_SECONDS))


def bucket_for(kind: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"vigil-portal-rate:{kind}:{value}".encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()[:40]}"


def address_bucket(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a client can forge X-Forwarded-For. Behind a proxy, the proxy must
    # set REMOTE_ADDR (see docs/portal.md).
    return bucket_for("ip", str(request.META.get("REMOTE_ADDR", "")))


def refused_try(*buckets: str) -> bool:
    """Count one refused try against each bucket and say whether it is over the limit: True when
    a bucket already held the limit's number of refused tries in the window before this one.

    Counting and recording happen in one transaction with each bucket locked (an advisory lock
    on PostgreSQL; SQLite serialises writers), so parallel tries are counted one by one: of N
    refused tries at once from a fresh address, exactly the limit's number are answered as
    refusals and the rest as "too many"."""
    now = timezone.now()
    since = now - _window()
    limit = _limit()
    with transaction.atomic():
        _lock(buckets)
        over = any(PortalRateHit.objects.filter(bucket=b, at__gte=since).count() >= limit for b in buckets)
        PortalRateHit.objects.bulk_create([PortalRateHit(bucket=b, at=now) for b in buckets])
        # Old hits count for nothing; keep the table small.
        PortalRateHit.objects.filter(at__lt=now - 4 * _window()).delete()
    return over


_LOCK_NAMESPACE = 7_411_002  # advisory locks of rate-limit buckets (the audit chain's is 7_411_001)


def _lock(buckets: tuple[str, ...]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for bucket in sorted(set(buckets)):  # always in the same order, so two tries cannot deadlock
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_NAMESPACE, bucket])
