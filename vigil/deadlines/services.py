"""Make, revoke and read an officer's calendar feed. Each change is audited, and so is each read."""

from __future__ import annotations

import secrets
from typing import Any

from django.core import signing
from django.db import transaction

from vigil.audit.services import audit_record
from vigil.core import times
from vigil.deadlines.models import CalendarFeed

SALT = "vigil.deadlines.calendar-feed"


def feed_token(feed: CalendarFeed) -> str:
    return signing.Signer(salt=SALT).sign(f"{feed.pk}.{feed.key}")


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed a token names, if its signature holds, its key matches and it is not revoked."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _, key = value.partition(".")
    if not pk.isdigit():
        return None
    feed = CalendarFeed.objects.select_related("user").filter(pk=int(pk), revoked_at__isnull=True).first()
    if feed is None or not secrets.compare_digest(feed.key, key) or not feed.user.is_active:
        return None
    return feed


def active_feed(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_feed_create(*, actor: Any) -> CalendarFeed:
    """A new feed for the signed-in person; any feed they had stops working."""
    with transaction.atomic():
        calendar_feed_revoke(actor=actor)
        feed = CalendarFeed.objects.create(user=actor, key=secrets.token_urlsafe(24), created_at=times.now())
        audit_record(actor=actor, action="calendar_feed.create", obj=feed)
        return feed


def calendar_feed_revoke(*, actor: Any) -> int:
    """Stop the person's feed (every address of it). Returns how many were stopped."""
    with transaction.atomic():
        feeds = list(CalendarFeed.objects.select_for_update().filter(user=actor, revoked_at__isnull=True))
        for feed in feeds:
            feed.revoked_at = times.now()
            feed.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="calendar_feed.revoke", obj=feed)
        return len(feeds)
