"""Writes for the IDVA's caseload. Each service runs in one transaction and is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.actions.live import policy_reevaluate
from vigil.audit.services import create_audited, update_audited
from vigil.cases.models import Case, CaseAccess
from vigil.core import times
from vigil.core.actors import user_of
from vigil.core.constants import Role
from vigil.core.times import check_moment, now
from vigil.idva.models import CaseworkEntry, ConsentHow, EntryKind, IdvaReferral, PartnerConcern, ReferralStatus
from vigil.partners.models import Agency, AgencyKind, AgencyMember


def _user(actor: Any) -> Any:
    return user_of(actor)


def _sync_access(case: Case, *, actor: Any) -> None:
    """Keep what `cases_for_user` reads in step with the referrals: the case is referred with
    consent while one is open, and the IDVA it names is on the case's access list."""
    active = case.idva_referrals.filter(status=ReferralStatus.ACTIVE).select_related("idva").first()
    flag = active is not None
    if case.referred_with_consent != flag:
        update_audited(
            case, actor=actor, action="case.referred_with_consent", case_id=case.pk, changes={"referred_with_consent": flag}
        )
    if active is not None and not CaseAccess.objects.filter(case=case, user=active.idva).exists():
        create_audited(
            CaseAccess(case=case, user=active.idva, allocated=False, granted_at=now(), granted_by=_user(actor)),
            actor=actor,
            action="case.name",
            case_id=case.pk,
        )


def idva_refer(
    *,
    actor: Any,
    case: Case,
    idva: Any,
    consent_given: bool,
    consent_at: dt.datetime,
    consent_how: str,
    consent_note: str = "",
    reason: str = "",
) -> IdvaReferral:
    """Refer the victim to the IDVA service, to a named adviser. Only with the victim's
    recorded consent: without it, nothing is shared."""
    if not consent_given:
        raise ValidationError({"consent_given": "Refer only with the victim's consent: confirm that they agreed"})
    check_moment("consent_at", "When the victim agreed", consent_at)
    if consent_how not in ConsentHow.values:
        raise ValidationError({"consent_how": "Select how the victim agreed"})
    membership = AgencyMember.objects.select_related("agency").filter(user_id=getattr(idva, "pk", 0)).first()
    if getattr(idva, "role", "") != Role.IDVA or membership is None or membership.agency.kind != AgencyKind.IDVA:
        raise ValidationError({"idva": "Choose an adviser of an IDVA service"})
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if case.idva_referrals.filter(status=ReferralStatus.ACTIVE).exists():
            raise ValidationError({"idva": "The victim is already referred to an IDVA: see the open referral"})
        referral = IdvaReferral(
            case=case,
            agency=membership.agency,
            idva=idva,
            referred_by=_user(actor),
            consent_at=consent_at,
            consent_how=consent_how,
            consent_note=consent_note.strip(),
            reason=reason.strip(),
            recorded_at=now(),
        )
        create_audited(referral, actor=actor, action="idva.refer", case_id=case.pk)
        case.refresh_from_db()
        _sync_access(case, actor=actor)
        return referral


def idva_referral_end(*, actor: Any, referral: IdvaReferral, status: str, reason: str) -> IdvaReferral:
    """Consent withdrawn, or the support finished: the adviser no longer sees the case."""
    if status not in (ReferralStatus.WITHDRAWN, ReferralStatus.CLOSED):
        raise ValidationError({"status": "Select why the referral ends"})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the referral ends"})
    with transaction.atomic():
        locked = IdvaReferral.objects.select_for_update().select_related("case").get(pk=referral.pk)
        if locked.status != ReferralStatus.ACTIVE:
            raise ValidationError({"status": "This referral has already ended"})
        update_audited(
            locked,
            actor=actor,
            action=f"idva.{status}",
            case_id=locked.case_id,
            changes={"status": status, "ended_at": now(), "ended_reason": reason.strip()},
        )
        _sync_access(locked.case, actor=actor)
        return locked


def casework_record(
    *,
    actor: Any,
    referral: IdvaReferral,
    kind: str,
    at: dt.datetime,
    text: str,
    channel: str = "",
    review_on: dt.date | None = None,
) -> CaseworkEntry:
    if referral.status != ReferralStatus.ACTIVE:
        raise ValidationError({"text": "The referral has ended: nothing more is recorded on it"})
    if kind not in EntryKind.values:
        raise ValidationError({"kind": "Select what you are recording"})
    check_moment("at", "When it took place", at)
    if kind == EntryKind.CONTACT and not channel:
        raise ValidationError({"channel": "Select how you were in contact"})
    if not text.strip():
        raise ValidationError({"text": "Enter what happened" if kind != EntryKind.SAFETY_PLAN else "Enter the safety plan"})
    with transaction.atomic():
        entry = CaseworkEntry(
            referral=referral,
            kind=kind,
            at=at,
            channel=channel if kind == EntryKind.CONTACT else "",
            text=text.strip(),
            review_on=review_on if kind == EntryKind.SAFETY_PLAN else None,
            recorded_by=_user(actor),
            recorded_at=now(),
        )
        return create_audited(entry, actor=actor, action=f"idva.{kind}", case_id=referral.case_id)


def partner_concern_record(
    *,
    actor: Any,
    case: Case,
    agency: Agency,
    concern: str,
    reported_at: dt.datetime | None = None,
    referral: IdvaReferral | None = None,
) -> PartnerConcern:
    """A partner agency's concern about the victim and the person causing harm, told to the
    police at `reported_at` (default now). The policy (R14, a Vigil extension) asks a
    supervisor to review the case; the policy runs in the same transaction."""
    if not concern.strip():
        raise ValidationError({"concern": "Enter what worries you"})
    moment = times.reported(reported_at)
    with transaction.atomic():
        raised = PartnerConcern(
            case=case,
            agency=agency,
            referral=referral,
            concern=concern.strip(),
            raised_by=_user(actor),
            reported_at=moment,
            recorded_at=now(),
        )
        create_audited(raised, actor=actor, action="partner.concern", case_id=case.pk)
        policy_reevaluate(person_ids={pid for pid in (case.victim_id, case.subject_id) if pid})
        return raised


def concern_raise(*, actor: Any, referral: IdvaReferral, concern: str) -> PartnerConcern:
    """The adviser tells the police of a concern from their caseload, now."""
    if referral.status != ReferralStatus.ACTIVE:
        raise ValidationError({"concern": "The referral has ended: raise a concern with the police directly"})
    return partner_concern_record(actor=actor, case=referral.case, agency=referral.agency, concern=concern, referral=referral)
