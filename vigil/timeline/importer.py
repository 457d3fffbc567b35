"""`vigil import timeline FILE`: load a timeline file into the live database through the same
services the officers' pages use, and read the live answer back in replay's format.

Every event is recorded in the engine's order with the services' clock set to its time (so
each fact's `reported_at` and `recorded_at` are the event's `at`), completions and declines
as decisions by the importing user, then the escalation job runs up to `replay_until`. The
people go through the person service, but a timeline is one closed account: the links
stored for its records are those replay's own linking decides for the file
(`vigil.timeline.linking`), so the live links equal replay's. Everything runs in one
transaction: a file refused half way writes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.core import times
from vigil.policy import facts as F
from vigil.timeline.linking import counterparts, link_people
from vigil.timeline.reader import Timeline, TimelineError, read_timeline

_REF = re.compile(r"\((P|L|O|W)(\d+)\)")


@dataclass
class Loaded:
    """What an import stored: the file's refs to stored ids, and what it could not store."""

    record: Any
    notes: list[str] = field(default_factory=list)


@dataclass
class _Refs:
    people: dict[str, Any] = field(default_factory=dict)
    places: dict[str, Any] = field(default_factory=dict)
    orders: dict[str, Any] = field(default_factory=dict)
    warrants: dict[str, Any] = field(default_factory=dict)
    requests: dict[str, Any] = field(default_factory=dict)
    # Every request stored under a file's id, oldest first: a file may make a second request
    # with one id before it is decided, and one decision then settles both, as in replay.
    every_request: dict[str, list[Any]] = field(default_factory=dict)

    labels: dict[str, str] = field(default_factory=dict)  # stored reference -> the file's id

    def as_json(self) -> dict[str, Any]:
        parts = ("people", "places", "orders", "warrants", "requests")
        return {name: {ref: obj.pk for ref, obj in getattr(self, name).items()} for name in parts} | {"labels": self.labels}


def import_timeline(path: str | os.PathLike[str], *, actor: Any, extensions: bool = False) -> Loaded:
    """Load the file (see the module's docstring). Raises `TimelineError` for a file replay
    would refuse, one already imported, or an event the services refuse. `extensions` admits
    the live system's own event types, as `vigil replay --extensions` does (those without an
    import path are refused by name)."""
    timeline = read_timeline(path, extensions=extensions)
    from vigil.timeline.models import TimelineImport

    if TimelineImport.objects.filter(timeline_id=timeline.id).exists():
        raise TimelineError(timeline.file, "id", f"the timeline {timeline.id!r} has already been imported")
    with transaction.atomic():
        loader = TimelineLoader(timeline, actor)
        loader.load()
        record = TimelineImport.objects.create(
            timeline_id=timeline.id,
            file=os.path.basename(str(path)),
            title=timeline.title,
            timezone=timeline.timezone,
            replay_until=timeline.replay_until,
            imported_by=actor,
            imported_at=times.now(),
            refs=loader.refs.as_json(),
        )
        from vigil.audit.services import audit_record

        audit_record(actor=actor, action="timeline.import", obj=record, new={"timeline": timeline.id, "file": record.file})
        return Loaded(record, loader.notes)


class TimelineLoader:
    def __init__(self, timeline: Timeline, actor: Any) -> None:
        self.timeline = timeline
        self.actor = actor
        self.refs = _Refs()
        self.notes: list[str] = []
        self.team = _team_of(actor)
        self.qualifier = timeline.id  # what makes a taken order or warrant reference this load's own

    # --- people, places, relationships, links ------------------------------------------------

    def load(self) -> None:
        first = self.timeline.events[0].at if self.timeline.events else self.timeline.replay_until
        with times.clock_at(first):
            self._world()
        for event in self.timeline.events:
            with times.clock_at(event.at):
                try:
                    self._event(event)
                except ValidationError as error:
                    where, message = event_error(error, event.index)
                    raise TimelineError(self.timeline.file, where, message, event.index) from None
        from vigil.actions.escalation import escalate_due
        from vigil.actions.live import policy_reevaluate

        until = self.timeline.replay_until
        with times.clock_at(until):
            escalate_due(now=until)
            # The answer at `replay_until` is the engine's, as replay's is: a last look at
            # everyone the file names stores what the ladder reached by then.
            policy_reevaluate(person_ids={p.pk for p in self.refs.people.values()})

    def _world(self) -> None:
        from vigil.people.services import person_create, place_create, relationship_create

        world = self.timeline.world
        for ref, place in world.places.items():
            if place.person is None:
                self.refs.places[ref] = place_create(
                    actor=self.actor, address=place.label or ref, kind=place.kind, label=place.label, lat=place.lat, lon=place.lon
                )
        for ref, person in world.people.items():
            self.refs.people[ref] = person_create(
                actor=self.actor,
                full_name=person.name,
                born=person.born,
                sex=person.sex,
                home=self.refs.places.get(person.home) if person.home else None,
                aliases=person.aliases,
                ref=ref[:40],
                link=False,
            )
        for ref, place in world.places.items():
            if place.person is not None:
                self.refs.places[ref] = place_create(
                    actor=self.actor,
                    address=place.label or ref,
                    kind=place.kind,
                    label=place.label,
                    lat=place.lat,
                    lon=place.lon,
                    person=self.refs.people[place.person],
                )
        for rel in world.relationships:
            relationship_create(
                actor=self.actor, a=self.person(rel.a), b=self.person(rel.b), kind=rel.kind, since=rel.since, until=rel.until
            )
        self._links()

    def _links(self) -> None:
        """Store the links replay decides for the file, as automatic links with its reasons."""
        from vigil.audit.services import audit_record
        from vigil.core.constants import LinkStatus
        from vigil.people.models import PersonLink

        world = self.timeline.world
        for link in link_people(world.people, world.places, counterparts(world.relationships, self.timeline.events)):
            records = [self.refs.people[ref] for ref in link.refs]
            first = records[0]
            for other in records[1:]:
                a, b = sorted((first, other), key=lambda p: p.pk)
                stored = PersonLink.objects.create(
                    a=a,
                    b=b,
                    status=LinkStatus.AUTO,
                    score=min(max(link.score, 0.0), 1.0),
                    evidence=link.reason,
                    created_at=times.now(),
                )
                audit_record(
                    actor=self.actor,
                    action=f"person_link.{LinkStatus.AUTO}",
                    obj=stored,
                    new={"a": a.pk, "b": b.pk, "score": stored.score, "evidence": stored.evidence},
                )

    def _reference(self, model: Any, ref: str) -> str:
        """The stored reference of an order or warrant the file calls `ref`: `ref` itself when
        free, else qualified by `qualifier` (the file's id; the event API's source), and
        numbered for a second grant of one id."""
        q = self.qualifier
        candidates = itertools.chain([ref, f"{q}:{ref}"], (f"{q}:{ref}#{n}" for n in itertools.count(2)))
        for candidate in candidates:
            if not model.objects.filter(reference=candidate[:40]).exists():
                self.refs.labels[candidate[:40]] = ref
                return candidate[:40]
        raise AssertionError("unreachable")

    def person(self, ref: str | None) -> Any:
        return None if ref is None else self.refs.people[ref]

    def place(self, ref: str | None) -> Any:
        return None if ref is None else self.refs.places[ref]

    def case(self, victim: str, subject: str | None) -> Any:
        from vigil.cases.services import case_for_pair

        return case_for_pair(actor=self.actor, victim=self.person(victim), subject=self.person(subject), team=self.team)

    # --- events ---------------------------------------------------------------------------------

    def record(self, event: F.Event) -> None:
        """Record one event through its service, its refs resolved by `person`, `place`,
        `case` and `refs` (the event API's recorder, vigil.api.recording, resolves them from
        the sending system's ids instead of the file's)."""
        self._event(event)

    def _event(self, event: F.Event) -> None:
        handler: Callable[[Any], None] | None = getattr(self, f"_on_{event.type}", None)
        if handler is None:
            raise TimelineError(self.timeline.file, f"events[{event.index}].type", f"cannot import {event.type!r}", event.index)
        handler(event)

    def _on_report(self, e: F.Report) -> None:
        from vigil.cases.services import report_record

        report_record(
            actor=self.actor,
            case=self.case(e.victim, e.suspect),
            category=e.category,
            reported_at=e.at,
            place=self.place(e.place),
            reported_by=self.person(e.reported_by),
            children_present=[self.person(c) for c in e.children_present],
            summary=e.summary,
        )

    def _on_risk_assessment(self, e: F.RiskAssessment) -> None:
        from vigil.cases.services import assessment_record

        assessment_record(
            actor=self.actor,
            case=self.case(e.victim, e.suspect),
            instrument=e.instrument,
            answers={n: "yes" if yes else "no" for n, yes in e.answers.items()},
            completed_at=e.at,
            officer_level=e.officer_level or "",
        )

    def _on_order_granted(self, e: F.OrderGranted) -> None:
        from vigil.orders.models import ProtectiveOrder
        from vigil.orders.services import order_grant

        for protected in e.protected:
            self.case(protected, e.subject)  # the order names them together: the pair's case
        reference = self._reference(ProtectiveOrder, e.order)
        self.refs.orders[e.order] = order_grant(
            actor=self.actor,
            reference=reference,
            order_type=e.order_type,
            subject=self.person(e.subject),
            protected=[self.person(p) for p in e.protected],
            starts_at=e.at,
            reported_at=e.at,
            expires_at=e.expires,
            conditions=self._conditions(e.conditions),
        )

    def _conditions(self, conditions: tuple[F.Condition, ...]) -> list[Any]:
        return [
            {"kind": c.kind, "place": self.place(c.place), "radius_m": float(c.radius_m or 0)}
            if c.kind == "exclusion_zone"
            else {"kind": c.kind}
            for c in conditions
        ]

    def _on_order_varied(self, e: F.OrderVaried) -> None:
        from vigil.orders.services import order_vary

        order = self.refs.orders.get(e.order)
        if order is None:
            self.notes.append(f"events[{e.index}]: order {e.order} not granted yet: recorded by replay, not stored")
            return
        order_vary(
            actor=self.actor,
            order=order,
            varied_at=e.at,
            reported_at=e.at,
            conditions=self._conditions(e.conditions),
            expires_at=e.expires,
            reason=e.summary or "Varied by the court (from the record sent).",
        )

    def _on_order_ended(self, e: F.OrderEnded) -> None:
        from vigil.orders.services import order_end

        order = self.refs.orders.get(e.order)
        if order is None or order.status != "in_force":
            self.notes.append(f"events[{e.index}]: order {e.order} was not in force: recorded by replay, not stored")
            return
        order_end(actor=self.actor, order=order, at=e.at, reason=e.summary or "Ended early (from the timeline).")

    def _on_breach(self, e: F.Breach) -> None:
        from vigil.orders.services import breach_record

        order = self.refs.orders.get(e.order)
        if order is None:
            self.notes.append(f"events[{e.index}]: order {e.order} not granted yet: recorded by replay, not stored")
            return
        breach_record(
            actor=self.actor, order=order, reported_at=e.at, place=self.place(e.place), reported_by=self.person(e.reported_by)
        )

    def _on_sighting(self, e: F.Sighting) -> None:
        from vigil.cases.services import sighting_record

        sighting_record(
            actor=self.actor,
            subject=self.person(e.subject),
            reported_at=e.at,
            near=self.person(e.near),
            place=self.place(e.place),
            lat=e.lat,
            lon=e.lon,
            reported_by=self.person(e.reported_by),
            summary=e.summary,
        )

    def _on_contact_attempt(self, e: F.ContactAttempt) -> None:
        from vigil.cases.services import contact_attempt_record

        self.case(e.victim, e.subject)  # the attempt names them together: the pair's case
        contact_attempt_record(
            actor=self.actor,
            subject=self.person(e.subject),
            victim=self.person(e.victim),
            channel=e.channel,
            reported_at=e.at,
            reported_by=self.person(e.reported_by),
        )

    def _justice(self, e: Any, kind: str, **extra: Any) -> None:
        from vigil.cases.services import justice_event_record

        justice_event_record(actor=self.actor, subject=self.person(e.subject), kind=kind, reported_at=e.at, **extra)

    def _on_arrest(self, e: F.Arrest) -> None:
        self._justice(e, "arrest")

    def _on_charge(self, e: F.Charge) -> None:
        self._justice(e, "charge", offence=e.offence)

    def _on_released(self, e: F.Released) -> None:
        self._justice(e, "released", bail_until=e.bail_until)

    def _on_court_hearing(self, e: F.CourtHearing) -> None:
        self._justice(e, "court_hearing", outcome=e.outcome)

    def _on_warrant_issued(self, e: F.WarrantIssued) -> None:
        from vigil.warrants.models import Warrant
        from vigil.warrants.services import warrant_issue

        self.refs.warrants[e.warrant] = warrant_issue(
            actor=self.actor,
            reference=self._reference(Warrant, e.warrant),
            subject=self.person(e.subject),
            reason=e.reason or "(no reason given)",
            issued_at=e.at,
            reported_at=e.at,
        )

    def _outstanding_warrant(self, e: F.WarrantExecuted | F.WarrantWithdrawn) -> Any:
        """The warrant an execution or withdrawal names, if it is outstanding; else a note and None."""
        warrant = self.refs.warrants.get(e.warrant)
        if warrant is None:
            self.notes.append(f"events[{e.index}]: warrant {e.warrant} not issued yet: recorded by replay, not stored")
            return None
        warrant.refresh_from_db()
        if warrant.status != "outstanding":
            self.notes.append(f"events[{e.index}]: warrant {e.warrant} was no longer outstanding")
            return None
        return warrant

    def _on_warrant_executed(self, e: F.WarrantExecuted) -> None:
        from vigil.warrants.services import warrant_execute

        warrant = self._outstanding_warrant(e)
        if warrant is not None:
            warrant_execute(actor=self.actor, warrant=warrant, at=e.at)

    def _on_warrant_withdrawn(self, e: F.WarrantWithdrawn) -> None:
        from vigil.warrants.services import warrant_withdraw

        warrant = self._outstanding_warrant(e)
        if warrant is not None:
            reason = e.reason or e.summary or "Withdrawn (from the record sent)."
            warrant_withdraw(actor=self.actor, warrant=warrant, at=e.at, reason=reason)

    def _on_alarm_fitted(self, e: F.AlarmFitted) -> None:
        from vigil.alarms.services import alarm_fit

        alarm_fit(actor=self.actor, person=self.person(e.person), place=self.place(e.place), fitted_at=e.at, reported_at=e.at)

    def _on_alarm_activated(self, e: F.AlarmActivated) -> None:
        from vigil.alarms.services import alarm_call_record

        alarm_call_record(
            actor=self.actor, person=self.person(e.person), place=self.place(e.place), team=self.team, reported_at=e.at
        )

    def _on_intelligence(self, e: F.Intelligence) -> None:
        from vigil.cases.services import intelligence_record

        intelligence_record(
            actor=self.actor,
            subject=self.person(e.subject),
            reported_at=e.at,
            place=self.place(e.place),
            weapons=e.weapons,
            threat_to_kill=e.threat_to_kill,
            summary=e.summary,
        )

    def _on_disclosure_request(self, e: F.DisclosureRequest) -> None:
        from vigil.disclosure.services import disclosure_request_record

        if e.applicant is None or e.route == "right_to_know":
            kind, name, how = ("police" if e.route == "right_to_know" else "third_party"), "", ""
        elif e.applicant == e.person_at_risk:
            kind, name, how = "person_at_risk", "", ""
        else:
            applicant = self.timeline.world.people[e.applicant]
            kind, name, how = "third_party", applicant.name, "named in the timeline"
        if kind == "third_party" and not name:
            name, how = "not named in the timeline", "not given"
        request = self.refs.requests[e.request] = disclosure_request_record(
            actor=self.actor,
            case=self.case(e.person_at_risk, e.subject),
            route=e.route,
            applicant_kind=kind,
            reported_at=e.at,
            third_party_name=name,
            applicant_relationship=how,
        )
        self.refs.every_request.setdefault(e.request, []).append(request)

    def _on_disclosure_decision(self, e: F.DisclosureDecision) -> None:
        from vigil.actions.engine_adapter import policy
        from vigil.disclosure.services import disclosure_decide

        latest = self.refs.requests.get(e.request)
        stored = self.refs.every_request.get(e.request) or ([latest] if latest is not None else [])
        undecided = [request for request in stored if not request.decisions.exists()]
        if not undecided:
            self.notes.append(f"events[{e.index}]: request {e.request} has no open decision: recorded by replay, not stored")
            return
        if e.decision == "no_disclosure" and not e.rationale.strip() and policy().rules.R13.rationale_required:
            self.notes.append(f"events[{e.index}]: a decision not to disclose without a rationale is not accepted: not stored")
            return
        for request in undecided:
            disclosure_decide(
                actor=self.actor,
                request=request,
                outcome=e.decision,
                rationale=e.rationale,
                decided_at=e.at,
                as_written=True,  # decided elsewhere: kept in its own words, as replay keeps it
            )

    def _on_partner_concern(self, e: F.PartnerConcern) -> None:
        """A Vigil extension (R14): the concern is recorded from the named agency (an IDVA
        service of that name, made if new), its words the event's summary."""
        from vigil.idva.services import partner_concern_record

        partner_concern_record(
            actor=self.actor,
            case=self.case(e.victim, e.subject),
            agency=self.agency(e.agency),
            concern=e.summary or "A concern raised by a partner agency (no words in the timeline).",
            reported_at=e.at,
        )

    def agency(self, name: str) -> Any:
        """The agency a concern is from. A timeline file is one closed account, its own
        world: an agency it names that Vigil does not hold is made (an IDVA service). The
        event API names only agencies Vigil holds (`vigil.api.recording.ApiRecorder`)."""
        from vigil.audit.services import create_audited
        from vigil.partners.models import Agency, AgencyKind

        name = (name.strip() or "Partner agency (imported timeline)")[:150]
        return Agency.objects.filter(name=name).first() or create_audited(
            Agency(name=name, kind=AgencyKind.IDVA), actor=self.actor, action="agency.create"
        )

    def _decision(self, e: F.ActionCompleted | F.ActionDeclined, outcome: str, rationale: str) -> None:
        from vigil.actions.engine_adapter import policy
        from vigil.actions.services import decision_record

        if outcome == "declined" and not rationale.strip() and policy().rules.R11.rationale_required:
            self.notes.append(f"events[{e.index}]: a decline without a rationale is not accepted: not stored")
            return
        decision_record(
            actor=self.actor,
            case=self.case(e.victim, e.subject),
            kind=e.action,
            victim=self.person(e.victim),
            subject=self.person(e.subject),
            outcome=outcome,
            rationale=rationale,
            at=e.at,
            as_written=True,  # decided elsewhere: kept in its own words, as replay keeps it
        )

    def _on_action_completed(self, e: F.ActionCompleted) -> None:
        self._decision(e, "completed", e.summary)

    def _on_action_declined(self, e: F.ActionDeclined) -> None:
        self._decision(e, "declined", e.rationale)


def _team_of(actor: Any) -> Any:
    from vigil.core.models import Area, Team

    if getattr(actor, "team_id", None):
        return actor.team
    team = Team.objects.order_by("pk").first()
    if team is None:
        area, _ = Area.objects.get_or_create(name="Imported timelines")
        team, _ = Team.objects.get_or_create(area=area, name="Imported timelines")
    return team


# A service's field, as the event's key that carries it.
EVENT_KEY = {
    "reported_at": "at",
    "starts_at": "at",
    "issued_at": "at",
    "fitted_at": "at",
    "completed_at": "at",
    "varied_at": "at",
    "decided_at": "at",
    "expires_at": "expires",
    "happened": "at",
}


def event_error(error: ValidationError, index: int) -> tuple[str, str]:
    """Where a service's refusal of event `index` points, in the event's own keys
    (`events[3].at`, not the service's `reported_at`), and what it said."""
    key, message = "__all__", "; ".join(error.messages)
    if hasattr(error, "error_dict"):
        key, errors = next(iter(error.message_dict.items()))
        message = "; ".join(errors)
    where = f"events[{index}]" + ("" if key in ("__all__", "event") else f".{EVENT_KEY.get(key, key)}")
    return where, message


# --- the live answer, read back -------------------------------------------------------------------


def live_answer(record: Any) -> dict[str, Any]:
    """The live database's answer for an imported timeline, in `vigil replay --json`'s format
    (FORMAT.md 'The answer'), the stored rows named by the file's refs."""
    from vigil.actions.engine_adapter import policy
    from vigil.actions.models import Action
    from vigil.cases.models import Case, Flag, RiskChange
    from vigil.people.linking import identity_groups
    from vigil.people.models import PersonLink

    zone = ZoneInfo(record.timezone)
    ref_of = {pk: ref for ref, pk in record.refs["people"].items()}
    order = {ref: i for i, ref in enumerate(record.refs["people"])}
    groups = [sorted((ref_of[p] for p in g if p in ref_of), key=order.__getitem__) for g in identity_groups(set(ref_of))]
    groups = sorted((g for g in groups if len(g) > 1), key=lambda g: order[g[0]])
    canonical = {ref: g[0] for g in groups for ref in g}

    names = {"P": ref_of} | {
        kind: {pk: ref for ref, pk in record.refs[part].items()}
        for kind, part in (("L", "places"), ("O", "orders"), ("W", "warrants"))
    }

    relabel = sorted(((stored, ref) for stored, ref in record.refs.get("labels", {}).items() if stored != ref), reverse=True)

    def in_file_terms(text: str) -> str:
        """A detail's stored refs ('(P12)', '(L3)') and references as the file names them."""
        text = _REF.sub(lambda m: f"({names[m[1]].get(int(m[2]), m[1] + m[2])})", text)
        for stored, ref in relabel:
            text = text.replace(stored, ref)
        return text

    def who(pk: int | None) -> str | None:
        if pk is None:
            return None
        ref = ref_of.get(pk, f"P{pk}")
        return canonical.get(ref, ref)

    def iso(moment: dt.datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(zone).isoformat()

    reasons: dict[frozenset[str], str] = {}
    for link in PersonLink.objects.filter(a_id__in=ref_of, b_id__in=ref_of).order_by("pk"):
        for group in groups:
            if ref_of[link.a_id] in group:
                reasons.setdefault(frozenset(group), link.evidence)
    cases = Case.objects.filter(victim_id__in=ref_of).order_by("pk")
    pairs = {c.pk: (who(c.victim_id), who(c.subject_id)) for c in cases}
    risk = sorted(
        (
            {
                "at": iso(r.at),
                "victim": pairs[r.case_id][0],
                "subject": pairs[r.case_id][1],
                "level": r.level,
                "source": r.source,
                "drivers": [in_file_terms(d) for d in r.drivers],
            }
            for r in RiskChange.objects.filter(case__in=cases).order_by("at", "pk")
        ),
        key=lambda r: r["at"] or "",
    )
    flags = [
        {"at": iso(f.at), "kind": f.kind, "refs": [r for r in pairs[f.case_id] if r], "detail": in_file_terms(f.detail)}
        for f in Flag.objects.filter(case__in=cases).order_by("at", "pk")
    ]
    actions = []
    for n, a in enumerate(Action.objects.filter(case__in=cases).prefetch_related("escalations").order_by("created_at", "pk"), 1):
        actions.append(
            {
                "id": f"a-{n}",
                "key": a.key,
                "rule": a.rule,
                "kind": a.kind,
                "victim": who(a.victim_id),
                "subject": who(a.subject_id),
                "created_at": iso(a.created_at),
                "due_at": iso(a.due_at),
                "priority": a.priority,
                "status": a.status,
                "closed_at": iso(a.closed_at),
                "closed_reason": a.closing_reason or None,
                "reason": a.reason,
                "rationale": a.rationale or None,
                "level": a.level,
                "escalations": [{"at": iso(s.at), "level": s.level} for s in sorted(a.escalations.all(), key=lambda s: s.level)],
            }
        )
    return {
        "scenario": record.timeline_id,
        "replayed_until": iso(record.replay_until),
        "policy_version": policy().version,
        "links": [{"refs": g, "reason": reasons.get(frozenset(g), "")} for g in groups],
        "risk": risk,
        "flags": flags,
        "actions": actions,
    }
