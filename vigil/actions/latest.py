"""The latest time of any fact the policy's document of a cluster holds, read with one aggregate
query per kind of fact instead of building the document (`vigil.actions.live_document.build_document`).

Each query mirrors one loop of `build_document`: the same rows (by the cluster's people or cases),
the same event time (`max` of its columns where the document takes the later one), only the
events it keeps (those at or before `until`). tests/actions/test_latest_fact.py compares the
two on generated clusters: a new kind of fact in the document needs its query here too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Greatest

from vigil.actions.live_document import ClusterFacts
from vigil.actions.models import Decision
from vigil.alarms.models import Alarm, AlarmActivation
from vigil.cases.models import ContactAttempt, Intelligence, JusticeEvent, Report, RiskAssessment, Sighting
from vigil.core.constants import OrderStatus, WarrantStatus
from vigil.disclosure.models import DisclosureDecision, DisclosureRequest
from vigil.orders.models import Breach, OrderVariation, ProtectiveOrder
from vigil.partners.partner_events import partner_concerns
from vigil.warrants.models import Warrant


def _latest(rows: QuerySet[Any], moment: Any, until: dt.datetime) -> dt.datetime | None:
    if isinstance(moment, str):  # one column: no annotation, so no subquery around the aggregate to compile
        rows = rows.filter(**{f"{moment}__lte": until})
    else:
        rows, moment = rows.annotate(fact_at=moment).filter(fact_at__lte=until), "fact_at"
    found: dt.datetime | None = rows.aggregate(latest=Max(moment))["latest"]
    return found


def latest_fact_at(world: ClusterFacts, *, until: dt.datetime) -> dt.datetime | None:
    """The latest event time at or before `until` of `build_document(world, until=until)`,
    or None when it holds no event."""
    ids, cases = world.person_ids, world.case_ids
    orders = ProtectiveOrder.objects.filter(Q(subject_id__in=ids) | Q(protected__in=ids)).values("pk")
    warrants = Warrant.objects.filter(subject_id__in=ids)
    requests = DisclosureRequest.objects.filter(case_id__in=cases, case__subject__isnull=False)
    reported, told = "reported_at", Greatest("starts_at", "reported_at")
    queries: list[tuple[QuerySet[Any], Any]] = [
        (Report.objects.filter(case_id__in=cases), reported),
        (RiskAssessment.objects.filter(case_id__in=cases), "completed_at"),
        (ProtectiveOrder.objects.filter(pk__in=orders), told),
        (ProtectiveOrder.objects.filter(pk__in=orders, status=OrderStatus.ENDED, ended_at__isnull=False), "ended_at"),
        (
            OrderVariation.objects.filter(order__in=orders),
            Greatest("varied_at", "reported_at", "order__starts_at", "order__reported_at"),
        ),
        (Breach.objects.filter(order__in=orders), reported),
        (Sighting.objects.filter(subject_id__in=ids), reported),
        (ContactAttempt.objects.filter(Q(subject_id__in=ids) | Q(victim_id__in=ids)), reported),
        (Intelligence.objects.filter(subject_id__in=ids), reported),
        (JusticeEvent.objects.filter(subject_id__in=ids), reported),
        (warrants, Greatest("issued_at", "reported_at")),
        (warrants.filter(status=WarrantStatus.EXECUTED, executed_at__isnull=False), "executed_at"),
        (warrants.filter(status=WarrantStatus.WITHDRAWN, withdrawn_at__isnull=False), "withdrawn_at"),
        (Alarm.objects.filter(person_id__in=ids), Greatest("fitted_at", "reported_at")),
        (AlarmActivation.objects.filter(person_id__in=ids), reported),
        (Decision.objects.filter(case_id__in=cases, withdrawn=False), "at"),
        (requests, reported),
        (DisclosureDecision.objects.filter(request__in=requests), "decided_at"),
        (partner_concerns(cases), reported),
    ]
    times = [t for rows, moment in queries if (t := _latest(rows, moment, until)) is not None]
    return max(times, default=None)
