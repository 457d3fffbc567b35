from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def case_idva(case: Any) -> dict[str, Any]:
    """A case's IDVA referrals and the concerns raised on them (the case page loaded the case
    through the access helper)."""
    referrals = list(case.idva_referrals.select_related("idva", "agency").prefetch_related("concerns").order_by("-recorded_at"))
    return {"referrals": referrals, "active": any(r.status == "active" for r in referrals)}
