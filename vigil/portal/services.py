"""Writes for the portal: issuing and withdrawing reporting access, signing in with it, and
receiving and recording what people send.

A submission is stored in its own transaction before anything else is attempted. Recording
it through the case services (which run the policy) happens afterwards; if that fails, the
submission stays, marked failed with the error, for officers to see and for the retry task."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.audit.services import audit_record, create_audited, update_audited
from vigil.cases.models import Case
from vigil.core import times
from vigil.core.actors import user_of
from vigil.core.constants import PlaceKind, Source
from vigil.core.services import require_aware
from vigil.core.times import Happened
from vigil.people.models import Person
from vigil.portal.constants import AccessMethod, AccessState, SeenBy, SubmissionKind, SubmissionStatus
from vigil.portal.models import PortalSubmission, ReportingAccess

log = logging.getLogger(__name__)

PORTAL_ACTOR = "portal"
# No 0/O, 1/I/L, 5/S or 2/Z: references are read aloud and copied from paper.
_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
MAX_ACCESS_DAYS = 90
# The wrong-PIN count stops here (the column is a small integer); the lock is long on by then.
FAILED_ATTEMPTS_CEILING = 32_000


def pin_max_failures() -> int:
    return int(settings.VIGIL_PORTAL_PIN_MAX_FAILURES)


def _code(prefix: str) -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{prefix}{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str:
    """What people type, as stored: upper case, spaces and dashes in the right place."""
    plain = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(plain) == 9:
        return f"{plain[0]}{plain[1:5]}-{plain[5:]}"
    return plain


def link_digest(token: str) -> str:
    return hashlib.sha256(f"vigil-portal-link:{token}".encode()).hexdigest()


def access_state(access: ReportingAccess, now: dt.datetime | None = None) -> str:
    now = now or times.now()
    if access.withdrawn_at is not None:
        return AccessState.WITHDRAWN
    if access.used_at is not None:
        return AccessState.USED
    if access.locked_at is not None:
        return AccessState.LOCKED
    if access.expires_at <= now:
        return AccessState.EXPIRED
    return AccessState.ACTIVE


# --- issuing and withdrawing ------------------------------------------------------------


@dataclass(frozen=True)
class IssuedAccess:
    """What the officer gives the reporter. The PIN and link token exist only here: the
    database keeps hashes."""

    access: ReportingAccess
    reference: str
    pin: str = ""
    link_token: str = ""


def reporting_access_issue(
    *,
    actor: Any,
    case: Case,
    reporter_person: Person,
    expires_at: dt.datetime,
    method: str = AccessMethod.PIN,
    victim_consent: bool = False,
) -> IssuedAccess:
    """Give the victim, or a family member the victim names, a way to send one report."""
    require_aware("expires_at", expires_at)
    now = times.now()
    if case.subject_id is None:
        raise ValidationError({"case": "This case has no subject recorded, so there is no one to report about."})
    if method not in AccessMethod.values:
        raise ValidationError({"method": f"Choose a PIN or a link (got {method!r})"})
    if expires_at <= now:
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    if expires_at > now + dt.timedelta(days=MAX_ACCESS_DAYS):
        raise ValidationError({"expires_at": f"Access can last at most {MAX_ACCESS_DAYS} days."})
    is_victim = reporter_person.pk == case.victim_id
    if reporter_person.pk == case.subject_id:
        raise ValidationError({"reporter_person": "The subject of the case cannot be given reporting access."})
    if not is_victim and not victim_consent:
        raise ValidationError({"victim_consent": "Confirm that the victim asked for this person to be able to report."})
    pin = f"{secrets.randbelow(1_000_000):06d}" if method == AccessMethod.PIN else ""
    token = secrets.token_urlsafe(32) if method == AccessMethod.LINK else ""
    with transaction.atomic():
        reference = _code("R")
        while ReportingAccess.objects.filter(reference=reference).exists():
            reference = _code("R")
        access = ReportingAccess(
            case=case,
            reporter=reporter_person,
            reporter_is_victim=is_victim,
            victim_consent=victim_consent or is_victim,
            method=method,
            reference=reference,
            secret_hash=make_password(pin or token),
            link_digest=link_digest(token) if token else "",
            issued_at=now,
            issued_by=user_of(actor),
            expires_at=expires_at,
        )
        create_audited(access, actor=actor, action="portal.access_issue", case_id=case.pk)
    return IssuedAccess(access=access, reference=reference, pin=pin, link_token=token)


def reporting_access_withdraw(*, actor: Any, access: ReportingAccess, reason: str) -> ReportingAccess:
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for withdrawing the access."})
    if access.withdrawn_at is not None:
        raise ValidationError({"access": f"Access {access.reference} is already withdrawn."})
    with transaction.atomic():
        return update_audited(
            access,
            actor=actor,
            action="portal.access_withdraw",
            case_id=access.case_id,
            changes={
                "withdrawn_at": times.now(),
                "withdrawn_by": user_of(actor),
                "withdrawn_reason": reason.strip(),
            },
        )


# --- signing in ----------------------------------------------------------------------------


class AccessRefused(Exception):
    """Why a reference and PIN, or a link, did not let someone in. `reason` is one of
    'mismatch', or an AccessState other than active."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refuse_unless_active(access: ReportingAccess) -> None:
    state = access_state(access)
    if state != AccessState.ACTIVE:
        raise AccessRefused(state)


def reporting_access_sign_in(*, reference: str, pin: str) -> ReportingAccess:
    """Check a reference and PIN. Each wrong PIN is counted, and the access locks at the limit;
    the count and the lock are committed even though the caller is refused.

    The access's row is taken under lock before the PIN is checked, so parallel tries are
    counted one by one and none can slip past the lock (on SQLite, writers are serialised
    anyway). A locked access answers a wrong PIN exactly as an unknown reference does, so the
    answer never tells a guesser that the reference exists; only the right PIN learns that
    the access is locked."""
    with transaction.atomic():
        access = (
            ReportingAccess.objects.select_for_update()
            .filter(reference=normalise_reference(reference), method=AccessMethod.PIN)
            .first()
        )
        if access is None:
            make_password(pin)  # the same work as a real check, so timing does not tell references apart
            raise AccessRefused("mismatch")
        if not check_password(pin.strip(), access.secret_hash):
            failures = access.failed_attempts + 1
            changes: dict[str, Any] = {"failed_attempts": min(failures, FAILED_ATTEMPTS_CEILING)}
            if access.locked_at is None and failures >= pin_max_failures():
                changes["locked_at"] = times.now()
            update_audited(access, actor=PORTAL_ACTOR, action="portal.pin_wrong", case_id=access.case_id, changes=changes)
            refusal = AccessRefused("mismatch")
        else:
            refusal = None
    if refusal is not None:
        raise refusal
    _refuse_unless_active(access)
    with transaction.atomic():
        audit_record(actor=PORTAL_ACTOR, action="portal.sign_in", obj=access, case_id=access.case_id)
    return access


def reporting_access_for_link(*, token: str) -> ReportingAccess:
    access = ReportingAccess.objects.filter(link_digest=link_digest(token), method=AccessMethod.LINK).first()
    if access is None or not check_password(token, access.secret_hash):
        raise AccessRefused("mismatch")
    _refuse_unless_active(access)
    return access


def reporting_access_open_link(*, token: str) -> ReportingAccess:
    access = reporting_access_for_link(token=token)
    with transaction.atomic():
        audit_record(actor=PORTAL_ACTOR, action="portal.sign_in", obj=access, case_id=access.case_id)
    return access


# --- receiving and recording ----------------------------------------------------------------


def portal_submission_receive(
    *,
    access: ReportingAccess,
    kind: str,
    happened_at: dt.datetime,
    date_only: bool = False,
    where: str = "",
    known_place: Any = None,
    postcode: str = "",
    lat: float | None = None,
    lon: float | None = None,
    channel: str = "",
    seen_by: str = SeenBy.REPORTER,
    seen_by_name: str = "",
    details: str = "",
) -> PortalSubmission:
    """Store what was sent, in its own transaction, and use up the access. Nothing else runs
    here, so the only way to lose a report is for this insert to fail. A place chosen by name
    must be one the reporter was offered; a postcode without a map point gives the point at
    its centre (the gazetteer), and is kept in the words of where it was."""
    require_aware("happened_at", happened_at)
    if known_place is not None and known_place.pk not in {p.pk for p, _ in _offered_places(access)}:
        raise ValidationError({"place": "Choose a place from the list"})
    if postcode:
        from vigil.gazetteer.services import postcode_lookup

        where = f"{where.strip()} ({postcode})" if where.strip() else postcode
        if lat is None or lon is None:
            found = postcode_lookup(postcode)
            if found is not None:
                lat, lon = found.lat, found.lon
    with transaction.atomic():
        access = ReportingAccess.objects.select_for_update().get(pk=access.pk)
        _refuse_unless_active(access)
        reference = _code("P")
        while PortalSubmission.objects.filter(reference=reference).exists():
            reference = _code("P")
        now = times.now()
        submission = PortalSubmission(
            reference=reference,
            access=access,
            case_id=access.case_id,
            kind=kind,
            happened_at=happened_at,
            happened_date_only=date_only,
            where=where.strip(),
            known_place=known_place,
            lat=lat,
            lon=lon,
            channel=channel if kind == SubmissionKind.CONTACT else "",
            seen_by=seen_by,
            seen_by_name=seen_by_name.strip() if seen_by == SeenBy.SOMEONE_ELSE else "",
            details=details.strip(),
            received_at=now,
        )
        create_audited(submission, actor=PORTAL_ACTOR, action="portal.submission_receive", case_id=access.case_id)
        update_audited(access, actor=PORTAL_ACTOR, action="portal.access_use", case_id=access.case_id, changes={"used_at": now})
    return submission


def _offered_places(access: ReportingAccess) -> list[tuple[Any, str]]:
    from vigil.portal.selectors import reporter_places

    return reporter_places(access)


class NeedsOfficer(Exception):
    """The report cannot be recorded automatically (retrying will not help)."""


def _summary(submission: PortalSubmission) -> str:
    parts = [f"Sent through the victims' and families' portal (receipt {submission.reference})."]
    if submission.kind == SubmissionKind.BREACH:
        parts.append("The sender chose: they broke the order in another way.")
    if submission.known_place is not None:
        chosen = {p.pk: words for p, words in _offered_places(submission.access)}.get(submission.known_place_id)
        parts.append(f"Place chosen: {chosen or 'a place on the case'}.")
    if submission.happened_date_only:
        parts.append("The sender gave the day, not the time.")
    if submission.seen_by == SeenBy.SOMEONE_ELSE:
        parts.append(f"Seen by someone else: {submission.seen_by_name or 'name not given'}.")
    else:
        parts.append("Seen by the person reporting.")
    if submission.where:
        parts.append(f"Where: {submission.where}.")
    if submission.lat is not None:
        parts.append(f"Place picked on the map: {submission.lat:.5f}, {submission.lon:.5f}.")
    if submission.details:
        parts.append(f"Details: {submission.details}")
    return " ".join(parts)


def _happened(submission: PortalSubmission) -> Happened:
    if submission.happened_date_only:
        return Happened.on(timezone.localtime(submission.happened_at).date())
    return Happened.at(submission.happened_at)


def _place(submission: PortalSubmission) -> Any:
    """Where it was, as the policy can read it: the place chosen by name, or a new place at the
    map point (or the postcode's centre), named by the sender's words; None when not known."""
    from vigil.people.services import place_create

    if submission.known_place is not None:
        return submission.known_place
    if submission.lat is None or submission.lon is None:
        return None
    words = submission.where or "A place picked on the portal map"
    return place_create(
        actor=PORTAL_ACTOR, address=words, label=words[:150], kind=PlaceKind.OTHER, lat=submission.lat, lon=submission.lon
    )


def _record(submission: PortalSubmission) -> Any:
    """Record the submission through the same services as an officer's entry (they run the policy).

    A report through the portal is a sighting or a contact attempt like any other (POLICY.md,
    R12), reported by the sender: "they broke the order in another way" is recorded as a
    sighting of him near the victim, and the policy decides whether an order was broken. So
    every report reaches the policy, with or without an order in force, and the victim is
    called back."""
    from vigil.cases import services as case_services

    case = submission.case
    if case.subject is None:
        raise NeedsOfficer("The case has no subject recorded.")
    reporter = submission.access.reporter
    summary = _summary(submission)
    # When the portal received it is when the police were told; when it happened is what the
    # sender says. Deadlines count from the first (docs/live-and-replay.md).
    reported_at, happened = submission.received_at, _happened(submission)
    if submission.kind == SubmissionKind.CONTACT:
        return case_services.contact_attempt_record(
            actor=PORTAL_ACTOR,
            subject=case.subject,
            victim=case.victim,
            channel=submission.channel,
            reported_by=reporter,
            summary=summary,
            source=Source.PORTAL,
            reported_at=reported_at,
            happened=happened,
        )
    place = _place(submission)
    return case_services.sighting_record(
        actor=PORTAL_ACTOR,
        subject=case.subject,
        near=case.victim,
        place=place,
        lat=place.lat if place is not None else submission.lat,
        lon=place.lon if place is not None else submission.lon,
        reported_by=reporter,
        summary=summary,
        source=Source.PORTAL,
        reported_at=reported_at,
        happened=happened,
    )


def portal_submission_process(*, submission: PortalSubmission) -> PortalSubmission:
    """Record a stored submission. Never raises for a recording failure: the submission is
    marked failed (or needing an officer) with the error, and kept.

    The submission's row is locked before its status is read, so the web request, the retry
    task, the worker's sweep and an officer's "try again" cannot record it twice: whoever
    comes second waits, then finds it recorded."""
    pk = submission.pk
    now = times.now()
    try:
        with transaction.atomic():
            submission = (
                PortalSubmission.objects.select_for_update(of=("self",))
                .select_related("case__victim", "case__subject", "access__reporter")
                .get(pk=pk)
            )
            if submission.status == SubmissionStatus.RECORDED:
                return submission
            record = _record(submission)
            update_audited(
                submission,
                actor=PORTAL_ACTOR,
                action="portal.submission_record",
                case_id=submission.case_id,
                changes={
                    "status": SubmissionStatus.RECORDED,
                    "attempts": submission.attempts + 1,
                    "last_attempt_at": now,
                    "recorded_as": f"{record._meta.label_lower}:{record.pk}",
                    "recorded_at": now,
                    "last_error": "",
                },
            )
        return submission
    except Exception as error:
        status = SubmissionStatus.NEEDS_OFFICER if isinstance(error, NeedsOfficer) else SubmissionStatus.FAILED
        if status == SubmissionStatus.FAILED:
            log.exception("portal submission %s could not be recorded", submission.reference)
        message = str(error) if isinstance(error, NeedsOfficer) else f"{type(error).__name__}: {error}"
        with transaction.atomic():
            submission = PortalSubmission.objects.select_for_update().get(pk=pk)
            if submission.status == SubmissionStatus.RECORDED:
                return submission  # recorded by someone else meanwhile
            update_audited(
                submission,
                actor=PORTAL_ACTOR,
                action="portal.submission_fail",
                case_id=submission.case_id,
                changes={
                    "status": status,
                    "attempts": submission.attempts + 1,
                    "last_attempt_at": now,
                    "last_error": message[:2000],
                },
            )
        return submission


def portal_submissions_retry(*, include_needs_officer: bool = False) -> list[PortalSubmission]:
    """Try again every submission that has not been recorded. Returns them, as they are now."""
    statuses = [SubmissionStatus.RECEIVED, SubmissionStatus.FAILED]
    if include_needs_officer:
        statuses.append(SubmissionStatus.NEEDS_OFFICER)
    pending = PortalSubmission.objects.filter(status__in=statuses).order_by("received_at", "pk")
    return [portal_submission_process(submission=s) for s in pending]


# --- the helpline directory (edited in the admin) -------------------------------------------


def helpline_save_audited(*, actor: Any, helpline: Any, created: bool) -> None:
    """Save a helpline edited in the admin, with its audit row, in one transaction."""
    from vigil.audit.services import model_values

    helpline.full_clean()
    with transaction.atomic():
        helpline.save()
        audit_record(
            actor=actor, action="helpline.add" if created else "helpline.change", obj=helpline, new=model_values(helpline)
        )


def family_member_add(*, actor: Any, case: Case, full_name: str) -> Person:
    """Record a family member the victim named, linked to the victim as family."""
    from vigil.core.constants import RelationshipKind
    from vigil.people.services import person_create, relationship_create

    if not full_name.strip():
        raise ValidationError({"new_name": "Enter the family member's full name"})
    with transaction.atomic():
        person = person_create(actor=actor, full_name=full_name)
        relationship_create(actor=actor, a=case.victim, b=person, kind=RelationshipKind.FAMILY)
        return person
