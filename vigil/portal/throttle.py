"""A small rate limiter kept in the database, so every web process sees the same counts.

Addresses are never stored: a bucket is a keyed hash of the address."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
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


def rate_exceeded(*buckets: str) -> bool:
    since = timezone.now() - _window()
    limit = _limit()
    return any(PortalRateHit.objects.filter(bucket=b, at__gte=since).count() >= limit for b in buckets)


def rate_hit_record(*buckets: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        PortalRateHit.objects.bulk_create([PortalRateHit(bucket=b, at=now) for b in buckets])
        # Old hits count for nothing; keep the table small.
        PortalRateHit.objects.filter(at__lt=now - 4 * _window()).delete()
