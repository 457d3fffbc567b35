"""Queueing, sending, retrying and digesting messages.

A message is queued inside the caller's transaction and sent by the task worker once that
transaction commits (`send_message_task`). A failed hand-over is tried again later by the
worker's partner job, after 1, 5, 15 and 60 minutes; after the fifth failure, or a refusal
that cannot succeed (an unknown address), it is marked failed. Nothing is dropped: every
message, and its last error, stays in the table.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.template.loader import render_to_string

from vigil.core.times import now
from vigil.notifications.backends import DeliveryError, backend
from vigil.notifications.models import Message, Mode, Preference, Priority, Status

log = logging.getLogger(__name__)

RETRY_DELAYS = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# Sent when a message is delivered or has failed for good: `sender` is the Message class,
# `message` the message. A school notice listens, to record its delivery.
message_settled = Signal()


def mode_of(user: Any) -> str:
    pref = Preference.objects.filter(user_id=user.pk).first()
    return pref.mode if pref else Mode.IMMEDIATE


def preference_set(*, actor: Any, mode: str) -> Preference:
    from vigil.audit.services import audit_record

    if mode not in Mode.values:
        from django.core.exceptions import ValidationError

        raise ValidationError({"mode": "Select how you want to be told"})
    with transaction.atomic():
        pref, _ = Preference.objects.update_or_create(user=actor, defaults={"mode": mode})
        audit_record(actor=actor, action="notification.preference", obj=pref, new={"mode": mode})
        return pref


def render_body(template: str, context: dict[str, Any]) -> str:
    base = {"base_url": settings.VIGIL_BASE_URL.rstrip("/"), "force_name": settings.VIGIL_FORCE_NAME}
    return render_to_string(f"notifications/email/{template}.txt", base | context).strip() + "\n"


def message_queue(
    *,
    template: str,
    subject: str,
    context: dict[str, Any],
    user: Any = None,
    to_address: str = "",
    to_name: str = "",
    priority: str = Priority.NORMAL,
    key: str | None = None,
) -> Message | None:
    """Record a message and, once the caller's transaction commits, have the worker send it.

    To a user, their own address and choice apply: a normal-priority message waits for their
    daily digest if they asked for one; an immediate one always goes at once. A recipient with
    no address gets a failed message that says so. Returns None if `key` was queued before."""
    if key and Message.objects.filter(key=key).exists():
        return None
    if user is not None:
        to_address = to_address or (user.email or "")
        to_name = to_name or (user.get_full_name() or user.username)
    status = Status.PENDING
    error = ""
    if not to_address:
        status, error = Status.FAILED, f"no email address is recorded for {to_name or 'the recipient'}"
    elif user is not None and priority != Priority.IMMEDIATE and mode_of(user) == Mode.DIGEST:
        status = Status.DIGEST
    message = Message(
        user=user,
        to_address=to_address,
        to_name=to_name,
        template=template,
        subject=subject[:200],
        body=render_body(template, context),
        priority=priority,
        status=status,
        last_error=error,
        key=key,
        created_at=now(),
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return None  # the same event, queued by another worker at the same moment
    if status == Status.PENDING:
        transaction.on_commit(lambda: _enqueue(message.pk))
    elif status == Status.FAILED:
        transaction.on_commit(lambda: message_settled.send(sender=Message, message=message))
    return message


def _enqueue(message_id: int) -> None:
    from vigil.notifications.tasks import send_message_task

    send_message_task.enqueue(message_id)


def message_send(message_id: int) -> Message | None:
    """Hand one message to the backend (the task worker calls this). Safe to call twice: only a
    message waiting to be sent is sent."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status not in (Status.PENDING, Status.RETRYING):
            return message
        out = backend()
        message.attempts += 1
        message.backend = out.name
        try:
            message.provider_ref = out.send(message)
        except DeliveryError as error:
            message.last_error = str(error)[:2000]
            if error.permanent or message.attempts >= MAX_ATTEMPTS:
                message.status, message.next_attempt_at = Status.FAILED, None
            else:
                message.status = Status.RETRYING
                message.next_attempt_at = now() + RETRY_DELAYS[message.attempts - 1]
            log.warning("message %s (%s) not delivered, attempt %s: %s", message.pk, message.template, message.attempts, error)
        else:
            message.status, message.sent_at, message.next_attempt_at, message.last_error = Status.SENT, now(), None, ""
        message.save()
        if message.status in (Status.SENT, Status.FAILED):
            message_settled.send(sender=Message, message=message)
        return message


def send_due(*, at: dt.datetime | None = None) -> int:
    """Queue the messages whose next try has come, and any waiting message the worker never
    picked up (a queue lost in a restart). Returns how many were queued."""
    at = at or now()
    due = Message.objects.filter(status=Status.RETRYING, next_attempt_at__lte=at) | Message.objects.filter(
        status=Status.PENDING, created_at__lte=at - dt.timedelta(minutes=2)
    )
    ids = list(due.values_list("pk", flat=True)[:500])
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def digest_time(day: dt.date) -> dt.datetime:
    from vigil.core.times import local_zone

    return dt.datetime.combine(day, dt.time(settings.VIGIL_DIGEST_HOUR, 0), tzinfo=local_zone())


def send_digests(*, at: dt.datetime | None = None) -> int:
    """Once the day's digest time has passed, send each person who chose a digest one email
    with everything that waited for it. Returns how many digests were queued."""
    from vigil.core.times import local_zone

    at = at or now()
    cutoff = digest_time(at.astimezone(local_zone()).date())
    if at < cutoff:
        return 0
    sent = 0
    waiting = Message.objects.filter(status=Status.DIGEST, created_at__lt=cutoff).select_related("user").order_by("created_at")
    by_user: dict[int, list[Message]] = {}
    for item in waiting:
        if item.user_id is not None:
            by_user.setdefault(item.user_id, []).append(item)
    for user_id, items in by_user.items():
        user = items[0].user
        with transaction.atomic():
            digest = message_queue(
                template="digest",
                subject=f"Vigil: {len(items)} update{'s' if len(items) != 1 else ''} for you",
                context={"items": items, "user": user},
                user=user,
                priority=Priority.IMMEDIATE,  # the digest itself is not held for another digest
                key=f"digest:{user_id}:{cutoff.date().isoformat()}",
            )
            if digest is not None:
                Message.objects.filter(pk__in=[m.pk for m in items]).update(status=Status.IN_DIGEST, digest=digest)
                sent += 1
    return sent
