"""Reads for the IDVA's caseload. An adviser reads only the referrals that name them while
consent stands (404 otherwise); every read of one is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Case, F, IntegerField, Max, Q, QuerySet, Value, When
from django.http import Http404

from vigil.audit.services import audit_record
from vigil.cases.access import cases_for_user
from vigil.core.constants import RISK_RANK, Role
from vigil.idva.models import EntryKind, IdvaReferral, ReferralStatus


def caseload(user: Any) -> QuerySet[IdvaReferral]:
    """The adviser's open referrals, highest risk first, then those not spoken to for longest
    (never first), with when they last spoke with the victim (a call not answered is not
    contact) and the latest review date of a safety plan."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.IDVA:
        return IdvaReferral.objects.none()
    return (
        IdvaReferral.objects.filter(idva=user, status=ReferralStatus.ACTIVE, case__in=cases_for_user(user))
        .select_related("case", "case__victim", "case__subject")
        .annotate(
            last_contact=Max("casework__at", filter=Q(casework__kind=EntryKind.CONTACT) & ~Q(casework__channel="attempted")),
            plan_review=Max("casework__review_on", filter=Q(casework__kind=EntryKind.SAFETY_PLAN)),
            risk_rank=Case(
                *(When(case__risk_level=level, then=Value(rank)) for level, rank in RISK_RANK.items()),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("-risk_rank", F("last_contact").asc(nulls_first=True), "recorded_at", "pk")
    )


def get_referral_for_user(user: Any, pk: int | str, *, audit: bool = True) -> IdvaReferral:
    try:
        found = caseload(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise Http404("No such referral")
    if audit:
        with transaction.atomic():
            audit_record(actor=user, action="idva.referral.view", obj=found, case_id=found.case_id)
    return found


def idva_advisers() -> QuerySet[Any]:
    """The advisers a case can be referred to: IDVA users of an IDVA service."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            role=Role.IDVA, is_active=True, agency_membership__agency__kind="idva", agency_membership__agency__active=True
        )
        .select_related("agency_membership__agency")
        .order_by("last_name", "first_name")
    )


def concerns_with_reviews(referral: IdvaReferral) -> list[Any]:
    """The referral's concerns, newest first, each with `review`: the supervisor review R14
    made of it (the action on the case created at the concern's time), or None when the
    policy made none (R14 switched off)."""
    from vigil.actions.models import Action

    concerns = list(referral.concerns.order_by("-reported_at", "-pk"))
    reviews = Action.objects.filter(
        case_id=referral.case_id, rule="R14", created_at__in=[c.reported_at for c in concerns]
    ).order_by("pk")
    by_time: dict[Any, Any] = {}
    for review in reviews:
        by_time.setdefault(review.created_at, review)
    for concern in concerns:
        concern.review = by_time.get(concern.reported_at)  # type: ignore[attr-defined]
    return concerns
