"""Reads about alarms, for pages. Access is checked by the caller (the case's, vigil.cases.access)."""

from __future__ import annotations

from django.db.models import QuerySet

from vigil.alarms.models import Alarm
from vigil.cases.selectors import register_case_section


def case_alarms(victim_ids: set[int], subject_ids: set[int]) -> QuerySet[Alarm]:
    """The case page's alarms: those fitted for the victim (or a linked record of them)."""
    return Alarm.objects.filter(person_id__in=victim_ids).prefetch_related("activations").select_related("place")


register_case_section("alarms", case_alarms)
