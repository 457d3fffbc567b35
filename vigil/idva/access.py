"""The cases a partner-agency adviser (IDVA) sees: only those referred to them with the
victim's recorded consent, while that referral is open. Consent withdrawn or support finished
ends it. Registered with `vigil.cases.access`, which adds that they must be named on the case."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from vigil.cases.access import register_partner_cases
from vigil.core.constants import Role
from vigil.idva.models import IdvaReferral, ReferralStatus


def referred_cases(user: Any) -> Q:
    referred = Exists(IdvaReferral.objects.filter(case=OuterRef("pk"), idva_id=user.pk, status=ReferralStatus.ACTIVE))
    return Q(referred, referred_with_consent=True)


register_partner_cases(Role.IDVA, referred_cases)
