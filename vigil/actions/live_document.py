"""Build the facts the policy engine reads from the database, in the timeline format.

The live system and `vigil replay` share one engine and one input shape: for the people
around a change, this module writes what the database knows as a timeline document
(FORMAT.md: people, places, relationships, events), with references `P<id>`, `L<id>`,
`O<id>`, `W<id>`. The identity groups come from the stored links, not from re-running the
linkage model, so a supervisor's split or confirmation is what the policy sees.

Each event's `at` is when the police were told (the fact's `reported_at`; for an order, a
warrant or an alarm fitted, the later of that and when it took effect): the policy's
deadlines count from it, whenever the thing itself happened. Each event also carries
`recorded`, when it was entered in Vigil, so that a decision settles only the work Vigil
knew of when the decision was recorded (docs/live-and-replay.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from vigil.actions.models import Decision
from vigil.alarms.models import Alarm, AlarmActivation
from vigil.cases.models import Case, ContactAttempt, Intelligence, JusticeEvent, Report, RiskAssessment, Sighting
from vigil.core.constants import Answer, OrderStatus, WarrantStatus
from vigil.orders.models import Breach, ProtectiveOrder
from vigil.partners.partner_events import partner_events, partner_labels, partner_people, partner_rows
from vigil.people.linking import identity_groups
from vigil.people.models import Person, Place, Relationship
from vigil.warrants.models import Warrant


def pref(pk: int | None) -> str | None:
    return None if pk is None else f"P{pk}"


def lref(pk: int | None) -> str | None:
    return None if pk is None else f"L{pk}"


def iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@dataclass
class ClusterFacts:
    """The cluster of people and cases one re-evaluation covers."""

    person_ids: set[int]
    case_ids: set[int]
    groups: list[list[str]] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)
    # The earliest fact dated after the document's `until` (left out of it): the engine's
    # answer changes by then even if nothing else is recorded (`vigil.actions.incremental`).
    next_fact_at: dt.datetime | None = None


def world_around(person_ids: Iterable[int]) -> ClusterFacts:
    """The cluster of `person_ids`: everyone joined to them by a case (victim and subject) or
    an identity link, directly or through others, and all their cases. It is what a
    force-wide re-evaluation calls a cluster (`vigil.actions.bulk.open_case_clusters`), so a
    re-evaluation after one fact sees every fact that any stored action of these cases came
    from (a subject's every victim for R6 and R9, a victim's other cases, a child's notice)."""
    from vigil.people.linking import ACTIVE
    from vigil.people.models import PersonLink

    people: set[int] = set()
    frontier = {int(pid) for pid in person_ids}
    case_ids: set[int] = set()
    while frontier:
        people |= frontier
        found: set[int] = set()
        links = PersonLink.objects.filter(status__in=ACTIVE).filter(Q(a_id__in=frontier) | Q(b_id__in=frontier))
        for a, b in links.values_list("a_id", "b_id"):
            found.update((a, b))
        cases = Case.objects.filter(Q(victim_id__in=frontier) | Q(subject_id__in=frontier))
        for pk, victim, subject in cases.values_list("pk", "victim_id", "subject_id"):
            case_ids.add(pk)
            found.add(victim)
            if subject:
                found.add(subject)
        frontier = found - people
    return ClusterFacts(person_ids=people, case_ids=case_ids)


class FactSource:
    """Where `build_document` reads the rows of a world from: the database, one query per kind
    of fact (this class), or rows loaded once for many worlds (`vigil.actions.bulk`). Each
    method returns what its query would, in the same order."""

    def reports(self, case_ids: set[int]) -> list[Report]:
        return list(
            Report.objects.filter(case_id__in=case_ids)
            .defer("summary")  # narratives stay encrypted: the policy never reads them
            .select_related("case")
            .prefetch_related("children_present")
            .order_by("reported_at", "pk")
        )

    def assessments(self, case_ids: set[int]) -> list[RiskAssessment]:
        return list(RiskAssessment.objects.filter(case_id__in=case_ids).select_related("case").prefetch_related("answers"))

    def orders(self, ids: set[int]) -> list[ProtectiveOrder]:
        return list(
            ProtectiveOrder.objects.filter(Q(subject_id__in=ids) | Q(protected__in=ids))
            .distinct()
            .prefetch_related("protected", "conditions", "variations__conditions")
        )

    def breaches(self, orders: list[ProtectiveOrder]) -> list[Breach]:
        return list(Breach.objects.filter(order__in=orders).defer("summary"))

    def sightings(self, ids: set[int]) -> list[Sighting]:
        return list(Sighting.objects.filter(subject_id__in=ids).defer("summary"))

    def attempts(self, ids: set[int]) -> list[ContactAttempt]:
        return list(ContactAttempt.objects.filter(Q(subject_id__in=ids) | Q(victim_id__in=ids)).defer("summary"))

    def intelligence(self, ids: set[int]) -> list[Intelligence]:
        return list(Intelligence.objects.filter(subject_id__in=ids).defer("summary"))

    def justice(self, ids: set[int]) -> list[JusticeEvent]:
        return list(JusticeEvent.objects.filter(subject_id__in=ids).defer("summary"))

    def warrants(self, ids: set[int]) -> list[Warrant]:
        return list(Warrant.objects.filter(subject_id__in=ids))

    def alarms(self, ids: set[int]) -> list[Alarm]:
        return list(Alarm.objects.filter(person_id__in=ids))

    def activations(self, ids: set[int]) -> list[AlarmActivation]:
        return list(AlarmActivation.objects.filter(person_id__in=ids))

    def decisions(self, case_ids: set[int]) -> list[Decision]:
        return list(Decision.objects.filter(case_id__in=case_ids, withdrawn=False))

    def partner_work(self, case_ids: set[int]) -> list[Any]:
        """Clare's Law requests and partner agencies' concerns (vigil/partners/partner_events.py)."""
        return partner_rows(case_ids)

    def relationships(self, everyone: set[int]) -> list[Relationship]:
        return list(Relationship.objects.filter(Q(a_id__in=everyone) | Q(b_id__in=everyone)).order_by("pk"))

    def persons(self, everyone: set[int]) -> list[Person]:
        return list(Person.objects.filter(pk__in=everyone).prefetch_related("aliases").order_by("pk"))

    def places(self, place_ids: set[int], everyone: set[int]) -> list[Place]:
        # The engine needs coordinates; a place recorded without them takes no part in distances.
        return list(
            Place.objects.filter(Q(pk__in=place_ids) | Q(person_id__in=everyone), lat__isnull=False, lon__isnull=False)
            .defer("address")
            .order_by("pk")
        )

    def groups(self, person_ids: set[int]) -> list[set[int]]:
        return identity_groups(person_ids)

    def link_evidence(self, person_ids: set[int]) -> dict[tuple[int, int], str]:
        """The evidence of each active link touching these people, by its pair of ids."""
        from vigil.people.linking import ACTIVE
        from vigil.people.models import PersonLink

        links = PersonLink.objects.filter(status__in=ACTIVE).filter(Q(a_id__in=person_ids) | Q(b_id__in=person_ids))
        return {(a, b): evidence for a, b, evidence in links.values_list("a_id", "b_id", "evidence")}


def named_people(
    ids: set[int], reports: list[Report], orders: list[ProtectiveOrder], events: list[Any], decisions: list[Decision]
) -> set[int]:
    """Everyone any fact names: each must be a person of the document."""
    everyone = set(ids)
    for r in reports:
        everyone.update(p for p in (r.victim_record_id, r.suspect_record_id, r.reported_by_id) if p)
        everyone.update(c.pk for c in r.children_present.all())
    for o in orders:
        everyone.add(o.subject_id)
        everyone.update(p.pk for p in o.protected.all())
    for item in events:
        everyone.update(
            p
            for p in (
                getattr(item, "reported_by_id", None),
                getattr(item, "near_id", None),
                getattr(item, "victim_id", None),
                getattr(item, "subject_id", None),
            )
            if p
        )
    for d in decisions:
        everyone.update(p for p in (d.victim_id, d.subject_id) if p)
    return everyone


def named_places(persons: list[Person], reports: list[Report], orders: list[ProtectiveOrder], located: list[Any]) -> set[int]:
    """Every place a person lives at or a fact happened at."""
    place_ids = {p.home_id for p in persons if p.home_id}
    place_ids |= {r.place_id for r in reports if r.place_id}
    place_ids |= {c.place_id for o in orders for c in o.conditions.all() if c.place_id}
    place_ids |= {c.place_id for o in orders for v in o.variations.all() for c in v.conditions.all() if c.place_id}
    place_ids |= {x.place_id for x in located if x.place_id}
    return place_ids


def build_document(world: ClusterFacts, *, until: dt.datetime, source: FactSource | None = None) -> dict[str, Any]:
    rows = source or FactSource()
    ids = world.person_ids
    reports = rows.reports(world.case_ids)
    assessments = rows.assessments(world.case_ids)
    orders = rows.orders(ids)
    breaches = rows.breaches(orders)
    sightings = rows.sightings(ids)
    attempts = rows.attempts(ids)
    intelligence = rows.intelligence(ids)
    justice = rows.justice(ids)
    warrants = rows.warrants(ids)
    alarms = rows.alarms(ids)
    activations = rows.activations(ids)
    decisions = rows.decisions(world.case_ids)
    partner_work = rows.partner_work(world.case_ids)

    everyone = named_people(ids, reports, orders, [*breaches, *sightings, *attempts], decisions)
    everyone |= partner_people(partner_work)
    relationships = rows.relationships(everyone)
    for rel in relationships:
        everyone.update((rel.a_id, rel.b_id))
    persons = rows.persons(everyone)
    place_ids = named_places(persons, reports, orders, [*breaches, *sightings, *intelligence, *alarms, *activations])
    places = rows.places(place_ids, everyone)
    located_ids = {pl.pk for pl in places}

    def lref(pk: int | None) -> str | None:  # noqa: F811 - only places the document holds
        return f"L{pk}" if pk in located_ids else None

    events: list[dict[str, Any]] = []
    for r in reports:
        events.append(
            {
                "at": iso(r.reported_at),
                "recorded": iso(r.recorded_at),
                _ROW: r.pk,
                "type": "report",
                "victim": pref(r.victim_record_id),
                "suspect": pref(r.suspect_record_id),
                "category": r.category,
                "reported_by": pref(r.reported_by_id),
                "place": lref(r.place_id),
                "children_present": [pref(c.pk) for c in r.children_present.all()],
            }
        )
    for a in assessments:
        answers = {str(x.question): x.answer == Answer.YES for x in a.answers.all() if x.answer != Answer.NOT_KNOWN}
        events.append(
            {
                "at": iso(a.completed_at),
                "recorded": iso(a.recorded_at),
                _ROW: a.pk,
                "type": "risk_assessment",
                "victim": pref(a.case.victim_id),
                "suspect": pref(a.case.subject_id),
                "instrument": a.instrument,
                "answers": answers,
                "officer_level": a.officer_level or None,
            }
        )
    for o in orders:
        conditions: list[dict[str, Any]] = []
        for c in o.conditions.all():
            if c.kind == "exclusion_zone":
                conditions.append({"kind": "exclusion_zone", "place": lref(c.place_id), "radius_m": c.radius_m})
            else:
                conditions.append({"kind": c.kind})
        events.append(
            {
                "at": iso(max(o.starts_at, o.reported_at)),
                "recorded": iso(o.recorded_at),
                _ROW: o.pk,
                "type": "order_granted",
                "order": f"O{o.pk}",
                "order_type": o.order_type,
                "protected": [pref(p.pk) for p in o.protected.all()],
                "subject": pref(o.subject_id),
                "conditions": conditions,
                "expires": iso(o.expires_at),
            }
        )
        for v in o.variations.all():
            # An order varied: its whole new terms, read from the later of when they take
            # effect and when the police were told (a live-system event, not in format 1).
            events.append(
                {
                    "at": iso(max(v.varied_at, v.reported_at, o.starts_at, o.reported_at)),
                    "recorded": iso(v.recorded_at),
                    "type": "order_varied",
                    "order": f"O{o.pk}",
                    "conditions": [
                        {"kind": "exclusion_zone", "place": lref(c.place_id), "radius_m": c.radius_m}
                        if c.kind == "exclusion_zone"
                        else {"kind": c.kind}
                        for c in v.conditions.all()
                    ],
                    "expires": iso(v.expires_at),
                }
            )
        if o.status == OrderStatus.ENDED and o.ended_at:  # an end after `until` is left out below
            events.append({"at": iso(o.ended_at), _ROW: o.pk, "type": "order_ended", "order": f"O{o.pk}"})
    for b in breaches:
        events.append(
            {
                "at": iso(b.reported_at),
                "recorded": iso(b.recorded_at),
                _ROW: b.pk,
                "type": "breach",
                "order": f"O{b.order_id}",
                "reported_by": pref(b.reported_by_id),
                "place": lref(b.place_id),
            }
        )
    for s in sightings:
        event: dict[str, Any] = {
            "at": iso(s.reported_at),
            "recorded": iso(s.recorded_at),
            _ROW: s.pk,
            "type": "sighting",
            "subject": pref(s.subject_id),
            "near": pref(s.near_id),
            "place": lref(s.place_id),
            "reported_by": pref(s.reported_by_id),
        }
        if s.lat is not None and s.lon is not None:
            event.update(lat=s.lat, lon=s.lon)
        events.append(event)
    for attempt in attempts:
        events.append(
            {
                "at": iso(attempt.reported_at),
                "recorded": iso(attempt.recorded_at),
                _ROW: attempt.pk,
                "type": "contact_attempt",
                "subject": pref(attempt.subject_id),
                "victim": pref(attempt.victim_id),
                "channel": attempt.channel,
                "reported_by": pref(attempt.reported_by_id),
            }
        )
    for i in intelligence:
        events.append(
            {
                "at": iso(i.reported_at),
                "recorded": iso(i.recorded_at),
                _ROW: i.pk,
                "type": "intelligence",
                "subject": pref(i.subject_id),
                "place": lref(i.place_id),
                "weapons": i.weapons,
                "threat_to_kill": i.threat_to_kill,
            }
        )
    for j in justice:
        base = {
            "at": iso(j.reported_at),
            "recorded": iso(j.recorded_at),
            _ROW: j.pk,
            "type": j.kind,
            "subject": pref(j.subject_id),
        }
        if j.kind == "charge":
            base["offence"] = j.offence
        elif j.kind == "released":
            base["bail_until"] = iso(j.bail_until)
        elif j.kind == "court_hearing":
            base["outcome"] = j.outcome
        events.append(base)
    for w in warrants:
        events.append(
            {
                "at": iso(max(w.issued_at, w.reported_at)),
                "recorded": iso(w.recorded_at),
                _ROW: w.pk,
                "type": "warrant_issued",
                "warrant": f"W{w.pk}",
                "subject": pref(w.subject_id),
                "reason": w.reason,
            }
        )
        if w.status == WarrantStatus.EXECUTED and w.executed_at:
            events.append({"at": iso(w.executed_at), _ROW: w.pk, "type": "warrant_executed", "warrant": f"W{w.pk}"})
        elif w.status == WarrantStatus.WITHDRAWN and w.withdrawn_at:
            events.append(
                {"at": iso(w.withdrawn_at), "type": "warrant_withdrawn", "warrant": f"W{w.pk}", "reason": w.withdrawn_reason}
            )
    for al in alarms:
        events.append(
            {
                "at": iso(max(al.fitted_at, al.reported_at)),
                "recorded": iso(al.recorded_at),
                _ROW: al.pk,
                "type": "alarm_fitted",
                "person": pref(al.person_id),
                "place": lref(al.place_id),
            }
        )
    for act in activations:
        events.append(
            {
                "at": iso(act.reported_at),
                "recorded": iso(act.recorded_at),
                _ROW: act.pk,
                "type": "alarm_activated",
                "person": pref(act.person_id),
                "place": lref(act.place_id),
            }
        )
    for d in decisions:
        kind = "action_completed" if d.outcome == Decision.Outcome.COMPLETED else "action_declined"
        event = {
            "at": iso(d.at),
            "recorded": iso(d.recorded_at),
            _ROW: d.pk,
            "type": kind,
            "action": d.action_kind,
            "victim": pref(d.victim_id),
            "subject": pref(d.subject_id),
        }
        if kind == "action_declined":
            event["rationale"] = d.rationale
        events.append(event)
    events.extend(partner_events(partner_work))  # Clare's Law (R13), partner concerns (R14)

    kept: list[dict[str, Any]] = []
    world.next_fact_at = None
    for e in events:
        if e["at"] is None:
            continue
        moment = dt.datetime.fromisoformat(e["at"])
        if moment <= until:
            kept.append(e)
        elif world.next_fact_at is None or moment < world.next_fact_at:
            world.next_fact_at = moment
    events = kept
    links = rows.groups({p.pk for p in persons})
    world.groups = [sorted(f"P{pid}" for pid in group) for group in links]
    evidence = rows.link_evidence({p.pk for p in persons}) if links else {}
    group_reasons = []
    for group in links:
        said = [text for (a, b), text in sorted(evidence.items()) if a in group and b in group and text]
        if said:
            # Why the records are one person, in the linkage's words (the engine quotes it).
            group_reasons.append({"refs": sorted(f"P{pid}" for pid in group), "reason": "; ".join(dict.fromkeys(said))})
    document = {
        "format": "vigil-timeline/1",
        "id": "live",
        "title": "live re-evaluation",
        "source": "Vigil database",
        "timezone": "Europe/London",
        "people": [
            {
                "ref": f"P{p.pk}",
                "name": p.full_name,
                "aliases": [a.name for a in p.aliases.all()],
                "born": p.born_text,
                "sex": p.sex,
                "home": lref(p.home_id),
            }
            for p in persons
        ],
        "places": [
            {
                "ref": f"L{pl.pk}",
                "label": pl.label or pl.kind,
                "kind": pl.kind,
                # Whose place it is, when that person is in the document (a place a fact
                # happened at can be someone's outside this cluster, who is no one here).
                "person": pref(pl.person_id) if pl.person_id in everyone else None,
                "lat": pl.lat,
                "lon": pl.lon,
            }
            for pl in places
        ],
        "relationships": [
            {
                "a": pref(rel.a_id),
                "b": pref(rel.b_id),
                "kind": rel.kind,
                "since": rel.since.isoformat() if rel.since else None,
                "until": rel.until.isoformat() if rel.until else None,
            }
            for rel in relationships
        ],
        "events": events,
        "group_reasons": group_reasons,
        "replay_until": until.isoformat(),
        # The references officers know the orders and warrants by, for the policy's words.
        "labels": {f"O{o.pk}": o.reference for o in orders}
        | {f"W{w.pk}": w.reference for w in warrants}
        | partner_labels(partner_work),
    }
    world.document = document
    return document


# Each live event's row id: the order it was entered in, for events tied on time and type
# (`vigil.actions.engine_adapter.tied_in_entry_order`).
_ROW = "row"
