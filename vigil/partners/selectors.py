"""Who acts for which agency."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vigil.core.constants import Role
from vigil.partners.models import Agency, AgencyMember

# Partner roles that see MARAC agenda cases of the meetings their agency attends.
PARTNER_ROLES = frozenset({Role.CHILDRENS_SERVICES, Role.HEALTH, Role.HOUSING, Role.PROBATION, Role.IDVA})


def agency_of(user: Any) -> Agency | None:
    """The agency a user acts for, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership = AgencyMember.objects.select_related("agency").filter(user_id=user.pk, agency__active=True).first()
    return membership.agency if membership else None


def agency_leads(agency: Agency) -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(agency_membership__agency=agency, agency_membership__lead=True, is_active=True)


def agency_people(agency: Agency) -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(agency_membership__agency=agency, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


def is_lead(user: Any, agency_id: int) -> bool:
    return AgencyMember.objects.filter(user_id=user.pk, agency_id=agency_id, lead=True).exists()
