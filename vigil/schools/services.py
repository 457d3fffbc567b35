"""Operation Encompass delivered: a `notify_school` action becomes a notice to the key adult of
the child's school, sent by the task worker; its delivery is recorded; the school's one-use
acknowledgement link completes the action. A child whose school is not known, or a school
without a key adult, is never silence: the notice waits as work on the action owner's board,
and the action itself stays open and climbs the ladder from 09:00.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from vigil.actions.models import Action
from vigil.audit.services import audit_record
from vigil.core.actors import user_of
from vigil.core.constants import ActionKind, ActionStatus
from vigil.core.times import now
from vigil.notifications.models import Message, Priority, Status
from vigil.notifications.services import message_queue
from vigil.people.linking import linked_ids
from vigil.people.models import Person
from vigil.schools.models import ChildSchool, KeyAdult, NoticeStatus, School, SchoolNotice

ACK_SALT = "vigil.encompass.ack"
ACK_MAX_AGE = dt.timedelta(days=14)
SYSTEM = "encompass"


def current_school(child: Person) -> School | None:
    """The school recorded for the child (or for a record linked to the child), latest first."""
    row = (
        ChildSchool.objects.filter(child_id__in=linked_ids(child), ended_at__isnull=True)
        .select_related("school")
        .order_by("-recorded_at", "-pk")
        .first()
    )
    return row.school if row else None


def key_adult_of(school: School) -> KeyAdult | None:
    return KeyAdult.objects.filter(school=school, active=True).first()


def police_contact(action: Action) -> str:
    who = action.owner.get_full_name() if action.owner else ""
    return f"{who}, {settings.VIGIL_ENCOMPASS_CONTACT}" if who else settings.VIGIL_ENCOMPASS_CONTACT


def _digest(secret: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"vigil-encompass-ack:{secret}".encode(), hashlib.sha256).hexdigest()


def _ack_token(notice: SchoolNotice) -> str:
    """A signed link for one acknowledgement: the notice and a fresh secret, signed with a
    timestamp; only the secret's keyed digest is stored, and it is cleared when used."""
    secret = secrets.token_urlsafe(24)
    notice.token_digest = _digest(secret)
    return signing.TimestampSigner(salt=ACK_SALT).sign(f"{notice.pk}.{secret}")


# --- sending ------------------------------------------------------------------------------


def _send(notice: SchoolNotice, *, actor: Any) -> SchoolNotice:
    school, adult = notice.school, notice.key_adult
    assert school is not None and adult is not None
    token = _ack_token(notice)
    message = message_queue(
        template="encompass",
        subject=f"Operation Encompass: a child at {school.name}",
        context={
            "school": school.name,
            "child_name": notice.child.full_name,
            "incident_date": notice.incident_at.strftime("%-d %B %Y"),
            "police_contact": notice.police_contact,
            "ack_url": settings.VIGIL_BASE_URL.rstrip("/") + reverse("encompass_ack", args=[token]),
        },
        to_address=adult.email,
        to_name=adult.name,
        priority=Priority.IMMEDIATE,
    )
    notice.message = message
    notice.status = NoticeStatus.SENDING
    notice.last_error = ""
    notice.save()
    audit_record(
        actor=actor,
        action="encompass.send",
        obj=notice,
        case_id=notice.action.case_id,
        new={"school": school.urn, "key_adult": adult.pk, "message": message.pk if message else None},
    )
    return notice


def _prepare(notice: SchoolNotice, *, actor: Any, new: bool = False) -> SchoolNotice:
    """Send the notice if the school and its key adult are known; otherwise say what is missing."""
    school = current_school(notice.child)
    adult = key_adult_of(school) if school else None
    notice.school, notice.key_adult = school, adult
    if school is None:
        status = NoticeStatus.NO_SCHOOL
    elif adult is None:
        status = NoticeStatus.NO_KEY_ADULT
    else:
        return _send(notice, actor=actor)
    if notice.status != status or new:
        notice.status = status
        notice.save()
        audit_record(actor=actor, action=f"encompass.{status}", obj=notice, case_id=notice.action.case_id, new={"status": status})
    return notice


def notice_open(action: Action, *, actor: Any = SYSTEM) -> SchoolNotice:
    with transaction.atomic():
        notice = SchoolNotice(
            action=action,
            child=action.victim,  # for notify_school, the action's victim is the child
            status=NoticeStatus.NO_SCHOOL,
            incident_at=action.created_at,
            police_contact=police_contact(action),
            created_at=now(),
        )
        notice.save(force_insert=True)
        return _prepare(notice, actor=actor, new=True)


def encompass_dispatch() -> int:
    """Give every open `notify_school` action its notice, and send those that were waiting for a
    school or a key adult now known. Safe to run twice. Returns how many notices it touched."""
    touched = 0
    fresh = Action.objects.filter(kind=ActionKind.NOTIFY_SCHOOL, status=ActionStatus.OPEN, school_notice__isnull=True)
    for action in fresh.select_related("owner", "victim").order_by("due_at", "pk")[:500]:
        notice_open(action)
        touched += 1
    waiting = SchoolNotice.objects.filter(
        status__in=(NoticeStatus.NO_SCHOOL, NoticeStatus.NO_KEY_ADULT), action__status=ActionStatus.OPEN
    ).select_related("action", "child")
    for notice in waiting:
        with transaction.atomic():
            before = notice.status
            if _prepare(notice, actor=SYSTEM).status != before:
                touched += 1
    return touched


def notice_delivery(sender: Any, message: Message, **kwargs: Any) -> None:
    """`message_settled` receiver: record a school notice's delivery, or its failure."""
    if message.template != "encompass":
        return
    with transaction.atomic():
        for notice in SchoolNotice.objects.select_for_update().filter(message=message, status=NoticeStatus.SENDING):
            if message.status == Status.SENT:
                notice.status, notice.sent_at = NoticeStatus.SENT, message.sent_at
            else:
                notice.status, notice.last_error = NoticeStatus.FAILED, message.last_error
            notice.save()
            audit_record(
                actor=SYSTEM,
                action=f"encompass.{notice.status}",
                obj=notice,
                case_id=notice.action.case_id,
                new={"message": message.pk, "status": notice.status, "error": notice.last_error},
            )


def notice_resend(*, actor: Any, notice: SchoolNotice) -> SchoolNotice:
    """Try again after a failed delivery (a new link; the old one no longer works)."""
    with transaction.atomic():
        locked = SchoolNotice.objects.select_for_update().select_related("action", "child").get(pk=notice.pk)
        if locked.status != NoticeStatus.FAILED or locked.action.status != ActionStatus.OPEN:
            raise ValidationError({"notice": "Only a notice whose delivery failed can be sent again"})
        return _prepare(locked, actor=actor)


def child_school_record(*, actor: Any, child: Person, school: School) -> ChildSchool:
    """Record the school a child attends, and send the notices that waited for it."""
    if not school.open:
        raise ValidationError({"school": f"{school.name} is closed: choose the school the child attends now"})
    with transaction.atomic():
        moment = now()
        for old in ChildSchool.objects.select_for_update().filter(child=child, ended_at__isnull=True):
            if old.school_id == school.pk:
                return old
            old.ended_at = moment
            old.save(update_fields=["ended_at"])
            audit_record(actor=actor, action="encompass.school_end", obj=old, new={"ended_at": moment})
        row = ChildSchool.objects.create(child=child, school=school, recorded_at=moment, recorded_by=user_of(actor))
        audit_record(actor=actor, action="encompass.school_record", obj=row, new={"child": child.pk, "school": school.urn})
        waiting = SchoolNotice.objects.filter(
            child_id__in=linked_ids(child),
            status__in=(NoticeStatus.NO_SCHOOL, NoticeStatus.NO_KEY_ADULT),
            action__status=ActionStatus.OPEN,
        ).select_related("action", "child")
        for notice in waiting:
            _prepare(notice, actor=actor)
        return row


# --- the school's acknowledgement -----------------------------------------------------------


class LinkRefused(Exception):
    """The link is not one Vigil issued, has expired, or was used already."""


def notice_for_link(token: str) -> SchoolNotice:
    """The notice a link acknowledges, without using the link (for the confirmation page)."""
    try:
        value = signing.TimestampSigner(salt=ACK_SALT).unsign(token, max_age=ACK_MAX_AGE)
        pk_text, secret = value.split(".", 1)
        pk = int(pk_text)
    except (signing.BadSignature, ValueError):
        raise LinkRefused("not a valid link") from None
    notice = SchoolNotice.objects.select_related("school", "action", "key_adult").filter(pk=pk).first()
    if notice is None or not notice.token_digest or not hmac.compare_digest(notice.token_digest, _digest(secret)):
        raise LinkRefused("the link has been used, or replaced by a newer one")
    return notice


def notice_acknowledge(*, token: str) -> SchoolNotice:
    """The key adult confirms receipt: the link is spent and the action is completed as done,
    in the audit trail, with the key adult as the actor."""
    from vigil.actions.services import action_complete

    with transaction.atomic():
        found = notice_for_link(token)
        notice = (
            SchoolNotice.objects.select_for_update(of=("self",)).select_related("action", "school", "key_adult").get(pk=found.pk)
        )
        if notice.token_digest != found.token_digest:
            raise LinkRefused("the link has been used")
        who = f"key adult {notice.key_adult.name if notice.key_adult else ''} ({notice.school.name if notice.school else ''})"
        moment = now()
        notice.status, notice.acknowledged_at, notice.acknowledged_by, notice.token_digest = (
            NoticeStatus.ACKNOWLEDGED,
            moment,
            who,
            "",
        )
        notice.save()
        audit_record(actor=who, action="encompass.acknowledge", obj=notice, case_id=notice.action.case_id, new={"at": moment})
        action = Action.objects.select_related("case").get(pk=notice.action_id)
        if action.status == ActionStatus.OPEN:
            action_complete(
                actor=who, action=action, note=f"The school acknowledged the Operation Encompass notice: {who}.", at=moment
            )
        return notice
