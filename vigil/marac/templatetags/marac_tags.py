from __future__ import annotations

from typing import Any

from django import template

from vigil.marac.selectors import plan_board

register = template.Library()


@register.simple_tag
def marac_board(user: Any) -> list[Any]:
    """The open MARAC plan actions on this person's board."""
    return list(plan_board(user)[:50])


@register.simple_tag
def case_referrals(case: Any) -> list[Any]:
    """A case's MARAC referrals (the case is already loaded through the access helper)."""
    return list(case.marac_referrals.select_related("meeting").order_by("-referred_at"))
