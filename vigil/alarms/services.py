from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigil.actions.live import policy_reevaluate
from vigil.alarms.models import Alarm, AlarmActivation
from vigil.core.services import create_audited, require_aware
from vigil.people.models import Person, Place


def alarm_fit(*, actor: Any, person: Person, place: Place | None, fitted_at: dt.datetime) -> Alarm:
    require_aware("fitted_at", fitted_at)
    with transaction.atomic():
        alarm = Alarm(person=person, place=place, fitted_at=fitted_at, recorded_at=timezone.now())
        return create_audited(alarm, actor=actor, action="alarm.fit")


def alarm_activate(*, actor: Any, person: Person, place: Place | None, at: dt.datetime) -> AlarmActivation:
    require_aware("at", at)
    with transaction.atomic():
        alarm = Alarm.objects.filter(person=person, fitted_at__lte=at, removed_at__isnull=True).order_by("-fitted_at").first()
        activation = AlarmActivation(
            alarm=alarm, person=person, place=place or (alarm.place if alarm else None), at=at, recorded_at=timezone.now()
        )
        create_audited(activation, actor=actor, action="alarm.activate")
        policy_reevaluate(person_ids={person.pk}, actor=actor)
        return activation
