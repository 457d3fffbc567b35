from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from vigil.actions.live import policy_reevaluate
from vigil.alarms.models import Alarm, AlarmActivation
from vigil.audit.services import create_audited
from vigil.cases.services import fact_times
from vigil.core import times
from vigil.core.models import Team
from vigil.core.times import Happened
from vigil.people.models import Person, Place


def alarm_fit(
    *, actor: Any, person: Person, place: Place | None, fitted_at: dt.datetime, reported_at: dt.datetime | None = None
) -> Alarm:
    times.check_moment("fitted_at", "When the alarm was fitted", fitted_at)
    reported = times.reported(reported_at)
    with transaction.atomic():
        alarm = Alarm(person=person, place=place, fitted_at=fitted_at, reported_at=reported, recorded_at=times.now())
        return create_audited(alarm, actor=actor, action="alarm.fit")


def alarm_activate(
    *,
    actor: Any,
    person: Person,
    place: Place | None,
    reported_at: dt.datetime | None = None,
    happened: Happened | None = None,
) -> AlarmActivation:
    """The alarm was pressed: `reported_at` is when the police were told (the alarm's call,
    default now), `happened` when it was pressed if that is known apart."""
    reported, when = fact_times(reported_at, happened, "at")
    with transaction.atomic():
        alarm = (
            Alarm.objects.filter(person=person, fitted_at__lte=reported, removed_at__isnull=True).order_by("-fitted_at").first()
        )
        activation = AlarmActivation(
            alarm=alarm,
            person=person,
            place=place or (alarm.place if alarm else None),
            reported_at=reported,
            **when,
            recorded_at=times.now(),
        )
        create_audited(activation, actor=actor, action="alarm.activate")
        policy_reevaluate(person_ids={person.pk})
        return activation


def alarm_call_record(
    *,
    actor: Any,
    person: Person,
    place: Place | None,
    team: Team,
    reported_at: dt.datetime | None = None,
    happened: Happened | None = None,
) -> AlarmActivation:
    """An alarm's call, from whoever passes it on (an alarm-receiving centre's feed, an
    import): the call is an incident, so a person with no case yet gets one for `team` (the
    victim, no suspect named) and the response the policy asks for has a case to sit on; then
    the activation, through `alarm_activate`. One transaction."""
    from vigil.actions.live_document import world_around
    from vigil.cases.services import case_for_pair

    with transaction.atomic():
        if not world_around({person.pk}).case_ids:
            case_for_pair(actor=actor, victim=person, subject=None, team=team)
        return alarm_activate(actor=actor, person=person, place=place, reported_at=reported_at, happened=happened)
