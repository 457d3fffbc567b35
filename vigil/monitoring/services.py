"""Location fixes from an electronic-monitoring provider, turned into breaches.

A fix inside an exclusion zone of an order in force against its subject becomes a
`sighting` with the fix's coordinates, recorded through the sighting service, so R5 (and
the rest of the policy) acts on it as on any other sighting.

The hysteresis rule, so that a tag jittering at a zone's edge is one breach, not a storm:

- **Entering.** A fix within the zone's radius, with an accuracy of `VIGIL_EM_MAX_ACCURACY_M`
  (100 m) or better, while the subject is outside, is a breach: one sighting, at that fix's
  place and time. One fix is one sighting, however many zones it enters.
- **Staying.** While the subject is inside, further fixes record nothing.
- **Leaving.** The subject counts as outside again only after `VIGIL_EM_REARM_MINUTES` (10)
  with fixes beyond the radius plus `VIGIL_EM_MARGIN_M` (100 m) and none within it: the
  first fix beyond the margin starts that clock and any fix within the margin stops it.
  Only then can a new fix inside be a new breach.
- Fixes less accurate than the limit are ignored: they cannot tell a 200 m zone's inside from
  its outside.
- A batch is taken in time order. A fix that arrives late (older than fixes already taken)
  is still taken: a late fix inside the zone is still a breach that happened.

The fixes themselves are not kept: the state of each subject against each zone is
(`ZonePresence`), and so is each breach's sighting.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from vigil.actions.effects import PolicyEffects, policy_effects
from vigil.audit.services import audit_record
from vigil.cases.models import Sighting
from vigil.cases.services import sighting_record
from vigil.core import times
from vigil.core.constants import ConditionKind, Source
from vigil.core.times import Happened
from vigil.monitoring.models import ZonePresence
from vigil.monitoring.zones import ZoneIndex
from vigil.orders.models import OrderCondition, ProtectiveOrder
from vigil.people.linking import linked_ids
from vigil.people.models import Person
from vigil.policy import geo

EDGE_M = 0.05  # a pair this close to an edge is settled with the policy engine's own distance


@dataclass(frozen=True)
class Fix:
    index: int  # its place in the batch
    person_id: int
    at: dt.datetime
    lat: float
    lon: float
    accuracy_m: float


@dataclass(frozen=True)
class Rule:
    max_accuracy_m: float
    margin_m: float
    rearm: dt.timedelta

    @classmethod
    def from_settings(cls) -> Rule:
        return cls(
            max_accuracy_m=float(settings.VIGIL_EM_MAX_ACCURACY_M),
            margin_m=float(settings.VIGIL_EM_MARGIN_M),
            rearm=dt.timedelta(minutes=int(settings.VIGIL_EM_REARM_MINUTES)),
        )


@dataclass
class Breach:
    fix: Fix
    orders: list[str]  # references of the orders whose zones the fix entered
    sighting: Sighting
    effects: PolicyEffects


@dataclass
class FixesResult:
    received: int = 0
    ignored: int = 0  # less accurate than the rule allows
    near_zones: int = 0  # fixes within a zone or its margin
    breaches: list[Breach] = field(default_factory=list)
    left: list[tuple[int, int]] = field(default_factory=list)  # (person id, condition id) now outside again


@dataclass(frozen=True)
class _Zone:
    condition: OrderCondition
    order: ProtectiveOrder
    person_id: int  # the monitored record the zone applies to
    lat: float
    lon: float
    radius_m: float


def _zones(person_ids: Iterable[int]) -> list[_Zone]:
    """Every exclusion zone of an order against each monitored person (or a record linked to them)."""
    zones: list[_Zone] = []
    for person_id in sorted(set(person_ids)):
        group = linked_ids(Person(pk=person_id))
        conditions = (
            OrderCondition.objects.filter(order__subject_id__in=group, kind=ConditionKind.EXCLUSION_ZONE)
            .select_related("order", "place")
            .order_by("pk")
        )
        for condition in conditions:
            place = condition.place
            if place is None or place.lat is None or place.lon is None or not condition.radius_m:
                continue
            zones.append(_Zone(condition, condition.order, person_id, place.lat, place.lon, float(condition.radius_m)))
    return zones


def _classify(fixes: Sequence[Fix], zones: list[_Zone], rule: Rule) -> dict[tuple[int, int], bool]:
    """(fix position, zone position) -> inside (True) or in the margin band (False), for the
    pairs within a zone's radius plus the margin whose order was in force at the fix."""
    if not fixes or not zones:
        return {}
    dense = {pid: n for n, pid in enumerate(sorted({z.person_id for z in zones} | {f.person_id for f in fixes}))}
    index = ZoneIndex(
        [dense[z.person_id] for z in zones],
        [z.lat for z in zones],
        [z.lon for z in zones],
        [z.radius_m for z in zones],
        margin_m=rule.margin_m,
    )
    hits = index.check([dense[f.person_id] for f in fixes], [f.lat for f in fixes], [f.lon for f in fixes])
    found: dict[tuple[int, int], bool] = {}
    for position, zone_position, distance in zip(hits.fix.tolist(), hits.zone.tolist(), hits.distance_m.tolist(), strict=True):
        fix, zone = fixes[position], zones[zone_position]
        if not zone.order.in_force_at(fix.at):
            continue
        if abs(distance - zone.radius_m) < EDGE_M or abs(distance - zone.radius_m - rule.margin_m) < EDGE_M:
            distance = geo.distance_m(fix.lat, fix.lon, zone.lat, zone.lon)
            if distance > zone.radius_m + rule.margin_m:
                continue
        found[(position, zone_position)] = distance <= zone.radius_m
    return found


def fixes_record(*, actor: Any, fixes: Sequence[Fix], rule: Rule | None = None) -> FixesResult:
    """Check a batch of fixes against their subjects' zones, move each subject's state by the
    hysteresis rule, and record a sighting for each breach; one transaction."""
    rule = rule or Rule.from_settings()
    result = FixesResult(received=len(fixes))
    usable = [f for f in fixes if f.accuracy_m <= rule.max_accuracy_m]
    result.ignored = len(fixes) - len(usable)
    usable.sort(key=lambda f: (f.at, f.index))
    with transaction.atomic():
        zones = _zones(f.person_id for f in usable)
        near = _classify(usable, zones, rule)
        result.near_zones = len({position for position, _ in near})
        states = {
            (p.subject_id, p.condition_id): p
            for p in ZonePresence.objects.select_for_update().filter(
                subject_id__in={f.person_id for f in usable}, condition_id__in={z.condition.pk for z in zones}
            )
        }
        by_person: dict[int, list[int]] = defaultdict(list)
        for position, fix in enumerate(usable):
            by_person[fix.person_id].append(position)
        entering: dict[int, list[_Zone]] = defaultdict(list)  # fix position -> zones it enters
        for zone_position, zone in enumerate(zones):
            key = (zone.person_id, zone.condition.pk)
            touched = any((p, zone_position) in near for p in by_person[zone.person_id])
            state = states.get(key)
            if not touched and (state is None or not state.inside):
                continue
            state = state or ZonePresence(subject_id=zone.person_id, condition_id=zone.condition.pk)
            changed = _walk(state, [usable[p] for p in by_person[zone.person_id]], zone_position, near, by_person, rule)
            for position, event in changed:
                if event == "entered":
                    entering[position].append(zone)
                else:
                    result.left.append(key)
            state.save()
            states[key] = state
        now = times.now()
        for position in sorted(entering, key=lambda p: (usable[p].at, p)):
            fix, entered = usable[position], entering[position]
            orders = sorted({z.order.reference for z in entered})
            with policy_effects() as effects:
                sighting = sighting_record(
                    actor=actor,
                    subject=Person.objects.get(pk=fix.person_id),
                    reported_at=now,
                    happened=Happened.at(fix.at),
                    lat=fix.lat,
                    lon=fix.lon,
                    summary=(
                        f"Electronic monitoring: a tag fix (accuracy {fix.accuracy_m:.0f} m) inside the exclusion zone"
                        f"{'s' if len(entered) > 1 else ''} of {', '.join(orders)}."
                    ),
                    source=Source.IMPORT,
                )
            for zone in entered:
                ZonePresence.objects.filter(subject_id=fix.person_id, condition=zone.condition).update(sighting=sighting)
                audit_record(
                    actor=actor,
                    action="monitoring.zone_entered",
                    obj=zone.condition,
                    new={"subject": fix.person_id, "at": fix.at, "sighting": sighting.pk, "order": zone.order.reference},
                )
            result.breaches.append(Breach(fix, orders, sighting, effects))
        for person_id, condition_id in result.left:
            audit_record(
                actor=actor,
                action="monitoring.zone_left",
                object_type="orders.ordercondition",
                object_id=condition_id,
                new={"subject": person_id},
            )
    return result


def _walk(
    state: ZonePresence,
    fixes: list[Fix],
    zone_position: int,
    near: dict[tuple[int, int], bool],
    by_person: dict[int, list[int]],
    rule: Rule,
) -> list[tuple[int, str]]:
    """Move one subject's state against one zone through their fixes (in time order);
    returns (fix position, 'entered' | 'left') for each change."""
    changes: list[tuple[int, str]] = []
    positions = by_person[state.subject_id]
    for position, fix in zip(positions, fixes, strict=True):
        where = near.get((position, zone_position))  # True inside, False in the band, None beyond
        if state.inside and state.beyond_since is not None and fix.at - state.beyond_since >= rule.rearm:
            state.inside, state.entered_at, state.beyond_since = False, None, None
            changes.append((position, "left"))
        if not state.inside:
            if where is True:
                state.inside, state.entered_at, state.beyond_since = True, fix.at, None
                changes.append((position, "entered"))
        elif where is not None:
            state.beyond_since = None
        elif state.beyond_since is None:
            state.beyond_since = fix.at
        state.last_fix_at = max(fix.at, state.last_fix_at or fix.at)
    return changes
