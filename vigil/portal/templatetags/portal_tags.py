from __future__ import annotations

from typing import Any

from django import template

from vigil.portal.models import Helpline, PortalSubmission
from vigil.portal.selectors import submissions_for_case

register = template.Library()


@register.simple_tag
def active_helplines() -> list[Helpline]:
    return list(Helpline.objects.filter(active=True))


@register.simple_tag
def case_portal_submissions(case: Any) -> list[PortalSubmission]:
    """For a case page already loaded through the access helpers."""
    return list(submissions_for_case(case)[:50])
