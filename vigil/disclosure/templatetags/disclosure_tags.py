from __future__ import annotations

from typing import Any

from django import template

from vigil.core import times
from vigil.disclosure.selectors import decision_action, open_requests

register = template.Library()


@register.simple_tag
def case_disclosures(case: Any) -> dict[str, Any]:
    """A case's Clare's Law requests with their decision clocks (the case is already loaded
    through the access helper by the case page)."""
    return {"rows": [(r, decision_action(r)) for r in open_requests(case)], "now": times.now()}


@register.simple_tag
def action_request(action: Any) -> Any:
    """The Clare's Law request a `dvds_decision` action is about (the action's key ends with
    the request's reference in the policy's document, `D<pk>`)."""
    from vigil.disclosure.models import DisclosureRequest

    tail = action.key.rsplit(":", 1)[-1].split("#", 1)[0]
    if not tail.startswith("D") or not tail[1:].isdigit():
        return None
    return DisclosureRequest.objects.filter(pk=int(tail[1:]), case_id=action.case_id).first()
