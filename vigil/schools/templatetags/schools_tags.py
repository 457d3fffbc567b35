from __future__ import annotations

from typing import Any

from django import template

from vigil.core.constants import ActionStatus
from vigil.schools.models import NoticeStatus, SchoolNotice

register = template.Library()


@register.simple_tag
def schools_to_find(user: Any) -> list[SchoolNotice]:
    """Notices of this person's open `notify_school` actions that cannot go without them: the
    school is not known, has no key adult, or delivery failed."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        SchoolNotice.objects.filter(
            action__owner_id=user.pk,
            action__status=ActionStatus.OPEN,
            status__in=(NoticeStatus.NO_SCHOOL, NoticeStatus.NO_KEY_ADULT, NoticeStatus.FAILED),
        )
        .select_related("action", "action__case", "child", "school")
        .order_by("action__due_at")[:50]
    )
