from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag
def case_idva(case: Any) -> dict[str, Any]:
    """A case's IDVA referrals and the concerns raised on them (the case page loaded the case
    through the access helper)."""
    referrals = list(case.idva_referrals.select_related("idva", "agency").prefetch_related("concerns").order_by("-recorded_at"))
    return {"referrals": referrals, "active": any(r.status == "active" for r in referrals)}


@register.filter
def days_ago(moment: dt.datetime | None) -> str:
    """'today', 'yesterday' or 'N days ago' (local dates): what an adviser scanning a
    caseload needs, shorter than Django's 'timesince'."""
    if moment is None:
        return ""
    days = (timezone.localdate() - timezone.localtime(moment).date()).days
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"
