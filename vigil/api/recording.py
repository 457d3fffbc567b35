"""Record a checked batch: its new people and places through the people services (and so
through the linker), then each event through `vigil import timeline`'s event path
(`vigil.timeline.importer`), with the refs resolved from the sending system's ids. One
transaction: a batch refused half way writes nothing.

Each event is recorded in the engine's order (by time) and the policy runs after it, as after
an officer's entry; `policy_effects` collects what it did, which is the event's answer. The
services' clock is the real one: `at` is when the police were told (the policy's time), and
every fact is recorded now.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction

from vigil.actions.effects import policy_effects
from vigil.actions.live import policy_held, policy_reevaluate
from vigil.api.answers import policy_out
from vigil.api.batch import CheckedBatch, KnownRefs
from vigil.api.models import ApiClient, ExternalRef, ReceivedEvent
from vigil.api.problems import ApiProblem, Item, invalid
from vigil.api.services import external_ref_record
from vigil.cases.models import Case
from vigil.core import times
from vigil.disclosure.models import DisclosureRequest
from vigil.orders.models import ProtectiveOrder
from vigil.people.models import Person, Place, Relationship
from vigil.policy import facts as F
from vigil.timeline.importer import TimelineLoader, event_error
from vigil.timeline.reader import TimelineError
from vigil.warrants.models import Warrant

STORED = {"orders": ProtectiveOrder, "warrants": Warrant, "requests": DisclosureRequest}
KINDS = {"orders": ExternalRef.Kind.ORDER, "warrants": ExternalRef.Kind.WARRANT, "requests": ExternalRef.Kind.REQUEST}


class ApiRecorder(TimelineLoader):
    """The timeline importer's event path, for one batch: refs are this source's ids, new cases
    are opened for the batch's team, and a new order or warrant keeps the sender's id as its
    reference when it is free (else `source:id`)."""

    def __init__(self, checked: CheckedBatch, actor: str) -> None:
        super().__init__(checked.timeline, actor)
        self.team = checked.team
        self.source = checked.source
        self.qualifier = checked.source
        self.touched: list[Case] = []

    def agency(self, name: str) -> Any:
        """An agency Vigil holds, never one made by an API call (checked before writing:
        `vigil.api.batch.check_agencies`)."""
        from vigil.partners.models import Agency

        return Agency.objects.get(name=name.strip(), active=True)

    def case(self, victim: str, subject: str | None) -> Any:
        found = super().case(victim, subject)
        if found not in self.touched:
            self.touched.append(found)
        return found


@dataclass
class _Batch:
    checked: CheckedBatch
    recorder: ApiRecorder
    created_people: int = 0
    people: set[int] = field(default_factory=set)  # everyone the batch touched, brought up to now at its end


def _load_known(recorder: ApiRecorder, known: KnownRefs) -> None:
    recorder.refs.people.update(_objects(Person, known.people))
    recorder.refs.places.update(_objects(Place, known.places))
    recorder.refs.orders.update(_objects(ProtectiveOrder, known.orders))
    recorder.refs.warrants.update(_objects(Warrant, known.warrants))
    recorder.refs.requests.update(_objects(DisclosureRequest, known.requests))


def _objects(model: type[models.Model], ids: dict[str, int]) -> dict[str, Any]:
    rows = model._default_manager.in_bulk(list(ids.values()))
    return {ref: rows[pk] for ref, pk in ids.items() if pk in rows}


def _remember(batch: _Batch, kind: str, ref: str, obj: models.Model) -> None:
    assert obj.pk is not None
    external_ref_record(actor=batch.recorder.actor, source=batch.checked.source, kind=kind, external_id=ref, object_id=obj.pk)


def _people(batch: _Batch) -> None:
    """The batch's people and places Vigil does not hold yet from this source, through the
    services (a new person goes through the linker); relationships not already recorded. A
    ref this source sent before is already in `refs` (`_load_known`) and names that record."""
    from vigil.people.services import person_create, place_create, relationship_create

    checked, refs, actor = batch.checked, batch.recorder.refs, batch.recorder.actor
    sent_places = {p.ref: p for p in checked.batch.places}

    def place(ref: str, owner: Person | None) -> None:
        if ref in refs.places:
            return
        sent = sent_places[ref]
        refs.places[ref] = place_create(
            actor=actor,
            address=sent.address or sent.label or ref,
            kind=sent.kind,
            label=sent.label,
            lat=float(sent.lat),
            lon=float(sent.lon),
            person=owner,
        )
        _remember(batch, "place", ref, refs.places[ref])

    for ref, sent in sent_places.items():
        if sent.person is None:
            place(ref, None)
    for person in checked.batch.people:
        if person.ref in refs.people:
            continue
        refs.people[person.ref] = person_create(
            actor=actor,
            full_name=person.name,
            born=person.born,
            sex=person.sex,
            home=refs.places.get(person.home) if person.home else None,
            aliases=person.aliases,
            ref=person.ref[:40],
        )
        batch.created_people += 1
        _remember(batch, "person", person.ref, refs.people[person.ref])
    for ref, sent in sent_places.items():
        if sent.person is not None:
            place(ref, refs.people[sent.person])
    for rel in checked.timeline.world.relationships:
        a, b = refs.people[rel.a], refs.people[rel.b]
        if not Relationship.objects.filter(models.Q(a=a, b=b) | models.Q(a=b, b=a), kind=rel.kind).exists():
            relationship_create(actor=actor, a=a, b=b, kind=rel.kind, since=rel.since, until=rel.until)


def _stored_before(recorder: ApiRecorder) -> dict[str, set[str]]:
    return {name: set(getattr(recorder.refs, name)) for name in STORED}


def _remember_new(batch: _Batch, before: dict[str, set[str]]) -> None:
    for name in STORED:
        for ref, obj in getattr(batch.recorder.refs, name).items():
            if ref not in before[name]:
                _remember(batch, KINDS[name], ref, obj)


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def policy_moment(person_ids: set[int], at: dt.datetime) -> dt.datetime:
    """When to evaluate the policy after an event told at `at`: then, or at the latest fact
    already stored about these people if that is later. Never earlier than a stored fact (the
    policy would not see it, and would cancel the work it made), and never later than needed
    (an evaluation at now between two back-dated events of one batch would climb the ladder
    for work the next event shows was done in time). The latest stored fact is the latest
    event of the cluster's policy document, read with a few aggregate queries
    (`vigil.actions.latest`)."""
    from vigil.actions.latest import latest_fact_at
    from vigil.actions.live_document import world_around

    if not person_ids:
        return at
    latest = latest_fact_at(world_around(person_ids), until=times.now())
    return at if latest is None else max(at, latest)


def _record_event(batch: _Batch, event: F.Event) -> dict[str, Any]:
    recorder, client = batch.recorder, batch.checked.client
    sent = batch.checked.batch.events[event.index]
    recorder.touched = []
    notes = len(recorder.notes)
    before = _stored_before(recorder)
    received = times.now()
    with policy_effects() as effects:
        try:
            with policy_held() as people:
                recorder.record(event)
        except ValidationError as error:
            where, message = event_error(error, event.index)
            raise invalid([Item(where, message, event.index)]) from None
        except TimelineError as error:
            raise invalid([Item(error.key or f"events[{event.index}]", error.message, event.index)]) from None
        batch.people |= people
        with times.clock_at(policy_moment(people, event.at)):
            policy_reevaluate(person_ids=people)
    _remember_new(batch, before)
    visible = set(cases_visible(client, recorder.touched))
    answer = {
        "index": event.index,
        "external_id": sent.external_id,
        "type": event.type,
        "status": "recorded",
        "received_at": received,
        "cases": [c.reference for c in recorder.touched if c.pk in visible],
        "policy": policy_out(effects, client),
        "notes": [note.split(": ", 1)[1] if note.startswith("events[") else note for note in recorder.notes[notes:]],
    }
    ReceivedEvent.objects.create(
        source=batch.checked.source,
        external_id=sent.external_id,
        type=event.type,
        at=event.at,
        received_at=received,
        received_by=client.label,
        answer=_json(answer),
    )
    return answer


def cases_visible(client: ApiClient, cases: Iterable[Case]) -> list[int]:
    from vigil.api.scope import cases_for_client

    ids = [c.pk for c in cases]
    return list(cases_for_client(client).filter(pk__in=ids).values_list("pk", flat=True))


def _duplicate(index: int, first: ReceivedEvent) -> dict[str, Any]:
    return {**first.answer, "index": index, "status": "duplicate"}


def record_batch(checked: CheckedBatch) -> dict[str, Any]:
    """Record the batch (one transaction) and say per event what the policy did."""
    actor = checked.client.label
    try:
        with transaction.atomic():
            recorder = ApiRecorder(checked, actor)
            _load_known(recorder, checked.known)
            batch = _Batch(checked, recorder)
            with policy_held() as linked:
                _people(batch)
            batch.people |= linked
            answers: dict[int, dict[str, Any]] = {}
            for event in checked.events:
                if event.index in checked.duplicates:
                    answers[event.index] = _duplicate(event.index, checked.duplicates[event.index])
                else:
                    answers[event.index] = _record_event(batch, event)
            # Then everything the batch touched, up to now: the ladder's steps that have come due
            # since the events were told, and what a new record's links changed.
            with policy_effects() as since:
                policy_reevaluate(person_ids=batch.people)
    except IntegrityError as error:
        # Another request recorded one of these event ids (or refs) meanwhile: nothing of this
        # batch was written; sent again, its recorded events come back as duplicates.
        if not any(name in str(error) for name in ("received_event", "receivedevent", "external_ref", "externalref")):
            raise
        raise ApiProblem(
            409,
            "conflict",
            "Another request recorded some of these events at the same moment; nothing of this one was written. Send it again.",
        ) from None
    ordered = [answers[i] for i in sorted(answers)]
    return {
        "source": checked.source,
        "team": checked.team.pk,
        "since": policy_out(since, checked.client),
        "recorded": sum(1 for a in ordered if a["status"] == "recorded"),
        "duplicates": sum(1 for a in ordered if a["status"] == "duplicate"),
        "events": ordered,
    }
