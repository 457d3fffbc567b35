"""Re-evaluate every open case at once: the live bridge, batched.

`policy_reevaluate` rebuilds one cluster of people from the database per call (tens of
queries) and writes each row and audit row on its own, which is right for one fact recorded
by an officer and far too slow for a whole force (a policy change, a clock that moved on).
This path gives the same stored result with a bounded number of queries per batch:

1. the clusters: cases joined by a shared person or an identity link, from two queries over
   all cases and links. A cluster is what the live path calls the world around a case; each
   is evaluated whole, once;
2. per batch of clusters, the facts of all of them in one query per kind of fact
   (`PreloadedFacts`), from which `build_document` assembles each cluster's timeline exactly
   as it does from its own queries;
3. the pure engine per cluster;
4. the writes of the whole batch (new risk changes, flags, actions and escalation steps,
   changed actions and cases) as bulk inserts and updates, and their audit rows, in the
   order the live path writes them, appended to the hash chain in one go, all in one
   transaction per batch.

Every case is open: a case has no closed state, its actions do.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models, transaction

from vigil.actions.effects import note_writes
from vigil.actions.live_document import ClusterFacts, FactSource, build_document, named_people, named_places
from vigil.actions.models import Action, Decision, Escalation
from vigil.actions.plain import Related, Row, instances, pairs, rows
from vigil.actions.reconcile import (
    ORPHAN_CANCELLED,
    POLICY_ACTOR,
    CaseIndex,
    _pid,
    _steps,
    action_changes,
    action_fields,
    carry_fields,
    created_values,
    flag_key,
    flag_refs,
    latest_fact_words,
    moved_fields,
    new_action,
    regrouped_actions,
    risk_key,
    step_reason,
    take_regrouped,
)
from vigil.alarms.models import Alarm, AlarmActivation
from vigil.audit.services import AuditEntry, audit_record_many
from vigil.cases.models import (
    AssessmentAnswer,
    Case,
    CaseAccess,
    ContactAttempt,
    Flag,
    Intelligence,
    JusticeEvent,
    Report,
    RiskAssessment,
    RiskChange,
    Sighting,
)
from vigil.core import times
from vigil.core.constants import ActionStatus
from vigil.core.groups import DisjointSets, linked_groups
from vigil.orders.models import Breach, OrderCondition, OrderVariation, ProtectiveOrder, VariationCondition
from vigil.partners.partner_events import partner_people
from vigil.people.linking import ACTIVE
from vigil.people.models import Person, PersonAlias, PersonLink, Place, Relationship
from vigil.warrants.models import Warrant

T = TypeVar("T")
_IN_CHUNK = 5000  # keys per IN (...) list: well under SQLite's and PostgreSQL's limits


@dataclass(frozen=True)
class Cluster:
    person_ids: frozenset[int]
    case_ids: frozenset[int]


@dataclass
class BulkRun:
    cases: int = 0
    clusters: int = 0
    batches: int = 0
    actions_created: int = 0
    actions_updated: int = 0
    escalations: int = 0
    flags: int = 0
    risk_changes: int = 0
    cases_changed: int = 0
    audit_rows: int = 0
    force_cases: int = 0  # the cases and clusters the run was asked to look at
    force_clusters: int = 0
    processes: int = 1
    reread: int = 0  # batches read again under the lock: a fact about them was committed meanwhile
    skipped: int = 0  # clusters an incremental run passed over: nothing they depend on changed
    reasons: dict[str, int] = field(default_factory=dict)  # why clusters were evaluated (or not), counted
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time: the fairer figure on a shared machine
    total_cases: int = 0  # the open cases the run will evaluate, known once the clusters are chosen
    phases: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # seconds by phase
    # CPU seconds by phase (of the processes that ran the batches): what a loaded machine does
    # not distort. CPU spent between two phases counts in the later one.
    cpu_phases: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    _cpu_mark: float = field(default_factory=time.process_time, repr=False)

    def timed(self, phase: str, started: float) -> float:
        now, cpu = time.perf_counter(), time.process_time()
        self.phases[phase] += now - started
        self.cpu_phases[phase] += cpu - self._cpu_mark
        self._cpu_mark = cpu
        return now


# --- 1. clusters -------------------------------------------------------------------------------


def open_case_clusters(*, limit: int | None = None) -> list[Cluster]:
    """Every case's cluster (or the clusters of the first `limit` cases, by id), each once."""
    clusters, chosen = force_clusters(limit=limit)
    return [clusters[position] for position in chosen]


def force_clusters(*, limit: int | None = None) -> tuple[list[Cluster], list[int]]:
    """Every cluster of the force, in the order of its first case, and the positions of those
    holding the first `limit` cases (all of them without a limit)."""
    sets = DisjointSets()
    find, union = sets.find, sets.union

    cases = list(Case.objects.order_by("pk").values_list("pk", "victim_id", "subject_id"))
    for _pk, victim, subject in cases:
        find(victim)
        if subject:
            union(victim, subject)
    for a, b in PersonLink.objects.filter(status__in=ACTIVE).values_list("a_id", "b_id"):
        union(a, b)
    people = sets.groups()
    case_sets: dict[int, set[int]] = defaultdict(set)
    order: list[int] = []
    for pk, victim, _subject in cases:
        root = find(victim)
        if root not in case_sets:
            order.append(root)
        case_sets[root].add(pk)
    clusters = [Cluster(frozenset(people[root]), frozenset(case_sets[root])) for root in order]
    if limit is None:
        return clusters, list(range(len(clusters)))
    wanted = {find(victim) for _pk, victim, _s in cases[:limit]}
    return clusters, [position for position, root in enumerate(order) if root in wanted]


def batches(clusters: list[Cluster], positions: list[int], size: int) -> Iterator[list[int]]:
    """The clusters at `positions` in groups of about `size` cases (a large cluster is never split)."""
    batch: list[int] = []
    count = 0
    for position in positions:
        batch.append(position)
        count += len(clusters[position].case_ids)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


# --- 2. facts of many clusters at once -----------------------------------------------------------


def _chunks(values: Iterable[T], size: int = _IN_CHUNK) -> Iterator[list[T]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Index:
    """Rows by one or more of their keys, returned in their loaded order."""

    def __init__(self, rows: list[Any], *keys: Callable[[Any], Iterable[int | None]]) -> None:
        self.rows = rows
        self.at: dict[int, list[int]] = defaultdict(list)
        for position, row in enumerate(rows):
            for key in keys:
                for value in key(row):
                    if value is not None:
                        self.at[value].append(position)

    def pick(self, values: Iterable[int]) -> list[Any]:
        positions: set[int] = set()
        for value in values:
            positions.update(self.at.get(value, ()))
        return [self.rows[p] for p in sorted(positions)]


def _one(attr: str) -> Callable[[Any], tuple[int | None]]:
    return lambda row: (getattr(row, attr),)


def _where_in(
    source: models.QuerySet[Any] | models.Manager[Any], names: str | tuple[str, ...], ids: Iterable[Any]
) -> models.QuerySet[Any]:
    """The queryset's rows whose column `names` (any of them) is one of `ids`."""
    keys = list(ids)
    return _where_any(source, {name: keys for name in ((names,) if isinstance(names, str) else names)})


def _where_any(
    source: models.QuerySet[Any] | models.Manager[Any], wanted: dict[str, Iterable[Any]], *, also: Iterable[str] = ()
) -> models.QuerySet[Any]:
    """The queryset's rows whose column `name` is one of its ids, for any `name` in `wanted`
    (or that match a condition of `also`, SQL built of integers). Integer ids are written into
    the statement, text keys passed as parameters: Django's `__in` prepares each value
    through its field, which cost more than the read itself at a force's scale."""
    queryset = source.all()
    meta = queryset.model._meta
    quote = connection.ops.quote_name
    clauses, params = list(also), []
    for name, ids in wanted.items():
        keys = sorted({i for i in ids if i is not None})
        if not keys:
            continue
        column = f"{quote(meta.db_table)}.{quote((meta.pk if name == 'pk' else meta.get_field(name)).column)}"  # type: ignore[union-attr]
        if all(isinstance(k, int) for k in keys):
            clauses.append(f"{column} IN ({','.join(map(str, keys))})")
        else:
            clauses.append(f"{column} IN ({','.join(['%s'] * len(keys))})")
            params += [str(k) for k in keys]
    if not clauses:
        return queryset.none()
    return queryset.extra(where=[f"({' OR '.join(clauses)})"], params=params)  # noqa: S610 - integers, or parameters


def _read(
    source: models.QuerySet[Any] | models.Manager[Any],
    names: str | tuple[str, ...],
    ids: Iterable[int],
    *,
    skip: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
) -> list[Any]:
    """Rows (`Row`s, read as the model instances `FactSource` gives are) whose `names` is one of `ids`."""
    return rows(_where_in(source, names, ids), skip=skip, extra=extra)


def _related(manager: Any, key: str, value: str, ids: Iterable[int]) -> dict[Any, Related]:
    """A relation's `value`s by their owner `key`, in the relation's row order."""
    return pairs(_where_in(manager.order_by("pk"), key, ids), key, value)


def _rows_by(manager: Any, key: str, ids: Iterable[int]) -> dict[int, Related]:
    """Rows grouped by their owner `key` (an order's conditions, an assessment's answers), in
    the model's own order (else the rows' order)."""
    queryset = manager.all() if manager.model._meta.ordering else manager.order_by("pk")
    grouped: dict[int, Related] = defaultdict(Related)
    for row in _read(queryset, key, ids):
        grouped[getattr(row, key)].append(row)
    return grouped


def _orders(person_ids: set[int]) -> list[Any]:
    """As `FactSource.orders`: the orders against these people or protecting them, with the
    people they protect, their conditions and their variations' conditions."""
    through = ProtectiveOrder.protected.through
    people = sorted({int(p) for p in person_ids})
    if not people:
        return []
    quote = connection.ops.quote_name
    protecting = (
        f"{quote(ProtectiveOrder._meta.db_table)}.{quote('id')} IN (SELECT {quote('protectiveorder_id')} "  # noqa: S608 - integers
        f"FROM {quote(through._meta.db_table)} WHERE {quote('person_id')} IN ({','.join(map(str, people))}))"
    )
    orders = rows(_where_any(ProtectiveOrder.objects, {"subject_id": people}, also=[protecting]))
    ids = [o.pk for o in orders]
    protected = _related(through.objects, "protectiveorder_id", "person_id", ids)
    conditions = _rows_by(OrderCondition.objects, "order_id", ids)
    variations = _rows_by(OrderVariation.objects, "order_id", ids)
    terms = _rows_by(VariationCondition.objects, "variation_id", [v.pk for found in variations.values() for v in found])
    for found in variations.values():
        for v in found:
            v.conditions = terms.get(v.pk, Related())
    for o in orders:
        o.protected = Related(Row(pk=p) for p in protected.get(o.pk, ()))
        o.conditions = conditions.get(o.pk, Related())
        o.variations = variations.get(o.pk, Related())
    return orders


class PreloadedFacts(FactSource):
    """The rows of many clusters, read once as plain rows (`vigil.actions.plain`: no model
    instances, a query per kind of fact and relation); each method answers for one cluster
    from memory, with the rows, attributes and order its query in `FactSource` would give."""

    def __init__(self, person_ids: set[int], case_ids: set[int]) -> None:
        quiet = ("summary",)  # narratives stay encrypted: the policy never reads them
        reports = _read(Report.objects.order_by("reported_at", "pk"), "case_id", case_ids, skip=quiet)
        present = _related(Report.children_present.through.objects, "report_id", "person_id", [r.pk for r in reports])
        for r in reports:
            r.children_present = Related(Row(pk=p) for p in present.get(r.pk, ()))
        assessments = _read(RiskAssessment.objects, "case_id", case_ids, extra=("case__victim_id", "case__subject_id"))
        answers = _rows_by(AssessmentAnswer.objects, "assessment_id", [a.pk for a in assessments])
        for a in assessments:
            a.case = Row(pk=a.case_id, victim_id=a.case__victim_id, subject_id=a.case__subject_id)
            a.answers = answers.get(a.pk, Related())
        orders = _orders(person_ids)
        breaches = _read(Breach.objects, "order_id", [o.pk for o in orders], skip=quiet)
        sightings = _read(Sighting.objects, "subject_id", person_ids, skip=quiet)
        attempts = _read(ContactAttempt.objects, ("subject_id", "victim_id"), person_ids, skip=quiet)
        intelligence = _read(Intelligence.objects, "subject_id", person_ids, skip=quiet)
        justice = _read(JusticeEvent.objects, "subject_id", person_ids, skip=quiet)
        warrants = _read(Warrant.objects, "subject_id", person_ids)
        alarms = _read(Alarm.objects, "person_id", person_ids)
        activations = _read(AlarmActivation.objects, "person_id", person_ids)
        decisions = _read(Decision.objects.filter(withdrawn=False), "case_id", case_ids)
        partner_work = FactSource().partner_work(case_ids)  # rare: Clare's Law requests, partners' concerns
        everyone = named_people(person_ids, reports, orders, [*breaches, *sightings, *attempts], decisions)
        everyone |= partner_people(partner_work)
        relationships = _read(Relationship.objects.order_by("pk"), ("a_id", "b_id"), everyone)
        everyone |= {p for rel in relationships for p in (rel.a_id, rel.b_id)}
        persons = _read(Person.objects.order_by("pk"), "pk", everyone)
        aliases = _related(PersonAlias.objects, "person_id", "name", [p.pk for p in persons])
        for p in persons:
            p.aliases = Related(Row(name=name) for name in aliases.get(p.pk, ()))
            p.born_text = Person.born_text.fget(p)  # type: ignore[attr-defined]
        located = [*breaches, *sightings, *intelligence, *alarms, *activations]
        place_ids = named_places(persons, reports, orders, located)
        with_spot = Place.objects.filter(lat__isnull=False, lon__isnull=False).order_by("pk")
        places = {pl.pk: pl for pl in rows(_where_any(with_spot, {"pk": place_ids, "person_id": everyone}), skip=("address",))}
        active = PersonLink.objects.filter(status__in=ACTIVE)
        links = list(_where_in(active, ("a_id", "b_id"), everyone).values_list("a_id", "b_id", "evidence"))
        self._reports = _Index(reports, _one("case_id"))
        self._assessments = _Index(assessments, _one("case_id"))
        self._orders = _Index(orders, _one("subject_id"), lambda o: [p.pk for p in o.protected.all()])
        self._breaches = _Index(breaches, _one("order_id"))
        self._sightings = _Index(sightings, _one("subject_id"))
        self._attempts = _Index(attempts, _one("subject_id"), _one("victim_id"))
        self._intelligence = _Index(intelligence, _one("subject_id"))
        self._justice = _Index(justice, _one("subject_id"))
        self._warrants = _Index(warrants, _one("subject_id"))
        self._alarms = _Index(alarms, _one("person_id"))
        self._activations = _Index(activations, _one("person_id"))
        self._decisions = _Index(decisions, _one("case_id"))
        self._partner_work = _Index(partner_work, _one("case_id"))
        self._relationships = _Index(relationships, _one("a_id"), _one("b_id"))
        self._persons = _Index(persons, _one("pk"))
        # Two indexes: a place's id and a person's id are different numbers that may be equal.
        by_pk = list(places.values())
        self._places, self._places_of = _Index(by_pk, _one("pk")), _Index(by_pk, _one("person_id"))
        self._links: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self._evidence: dict[tuple[int, int], str] = {}
        for a, b, evidence in links:
            self._links[a].append((a, b))
            self._links[b].append((a, b))
            self._evidence[(a, b)] = evidence

    def reports(self, case_ids: set[int]) -> list[Report]:
        return self._reports.pick(case_ids)

    def assessments(self, case_ids: set[int]) -> list[RiskAssessment]:
        return self._assessments.pick(case_ids)

    def orders(self, ids: set[int]) -> list[ProtectiveOrder]:
        return self._orders.pick(ids)

    def breaches(self, orders: list[ProtectiveOrder]) -> list[Breach]:
        return self._breaches.pick(o.pk for o in orders)

    def sightings(self, ids: set[int]) -> list[Sighting]:
        return self._sightings.pick(ids)

    def attempts(self, ids: set[int]) -> list[ContactAttempt]:
        return self._attempts.pick(ids)

    def intelligence(self, ids: set[int]) -> list[Intelligence]:
        return self._intelligence.pick(ids)

    def justice(self, ids: set[int]) -> list[JusticeEvent]:
        return self._justice.pick(ids)

    def warrants(self, ids: set[int]) -> list[Warrant]:
        return self._warrants.pick(ids)

    def alarms(self, ids: set[int]) -> list[Alarm]:
        return self._alarms.pick(ids)

    def activations(self, ids: set[int]) -> list[AlarmActivation]:
        return self._activations.pick(ids)

    def decisions(self, case_ids: set[int]) -> list[Decision]:
        return self._decisions.pick(case_ids)

    def partner_work(self, case_ids: set[int]) -> list[Any]:
        return self._partner_work.pick(case_ids)

    def relationships(self, everyone: set[int]) -> list[Relationship]:
        return self._relationships.pick(everyone)

    def persons(self, everyone: set[int]) -> list[Person]:
        return self._persons.pick(everyone)

    def places(self, place_ids: set[int], everyone: set[int]) -> list[Place]:
        by_pk = self._places.pick(place_ids)
        by_person = self._places_of.pick(everyone)
        seen = {pl.pk for pl in by_pk}
        return sorted([*by_pk, *(pl for pl in by_person if pl.pk not in seen)], key=lambda pl: pl.pk)

    def groups(self, person_ids: set[int]) -> list[set[int]]:
        # As `identity_groups(person_ids)`: the links touching these people, joined up.
        return linked_groups(pair for pid in person_ids for pair in self._links.get(pid, ()))

    def link_evidence(self, person_ids: set[int]) -> dict[tuple[int, int], str]:
        return {pair: self._evidence[pair] for pid in person_ids for pair in self._links.get(pid, ())}


# --- 4. the writes of a batch --------------------------------------------------------------------


@dataclass
class _Audit:
    action: str
    obj: Any
    case_id: int
    new: Any
    old: Any = None


@dataclass
class BatchWrites:
    """What a batch stores, collected in the live path's order and written in bulk."""

    now: dt.datetime
    actor: Any = POLICY_ACTOR  # whom the audit rows name: the policy, or the user who ran a re-evaluation
    risk_changes: list[RiskChange] = field(default_factory=list)
    cases: dict[int, Case] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    new_actions: list[Action] = field(default_factory=list)
    changed_actions: dict[frozenset[str], list[Action]] = field(default_factory=lambda: defaultdict(list))
    escalations: list[Escalation] = field(default_factory=list)
    audit: list[_Audit] = field(default_factory=list)

    def flush(self, run: BulkRun) -> None:
        insert_rows(RiskChange, self.risk_changes, ("case_id", "key"))
        Case.objects.bulk_update(list(self.cases.values()), ["risk_level", "risk_changed_at"], batch_size=500)
        insert_rows(Flag, self.flags, ("case_id", "key"))
        insert_rows(Action, self.new_actions, ("key",))
        updated = 0
        for names, actions in self.changed_actions.items():
            Action.objects.bulk_update(actions, sorted(names), batch_size=500)
            updated += len(actions)
        for step in self.escalations:
            step.action_id = step.action.pk  # the action was inserted just above
        insert_rows(Escalation, self.escalations, ("action_id", "level"))
        run.audit_rows += append_audit(self.audit, actor=self.actor)
        note_writes(self.audit)
        run.risk_changes += len(self.risk_changes)
        run.cases_changed += len(self.cases)
        run.flags += len(self.flags)
        run.actions_created += len(self.new_actions)
        run.actions_updated += updated
        run.escalations += len(self.escalations)


def _preparer(f: Any) -> Callable[[Any], Any]:
    """How a value of field `f` goes to the database, as its field would prepare it (the
    generic `get_db_prep_save` path costs more than the insert itself)."""
    from django.db import models

    if isinstance(f, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    if isinstance(f, models.JSONField):
        return lambda value: f.get_db_prep_save(value, connection)
    return lambda value: value


def insert_rows(model: type[models.Model], objs: list[Any], unique: tuple[str, ...]) -> None:
    """Insert new instances with multi-row `INSERT … RETURNING` statements and give each its
    primary key, matched by the model's unique columns `unique` (not by row order)."""
    if not objs:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    prepare = [_preparer(f) for f in fields]
    quote = connection.ops.quote_name
    limit = connection.features.max_query_params or 30_000
    per = max(1, min(1000, limit // len(fields)))
    columns = ", ".join(quote(f.column or f.name) for f in fields)
    by_attname = {f.attname: f for f in meta.concrete_fields}
    pk_field = next(f for f in meta.concrete_fields if f.primary_key)
    returned = ", ".join(quote(f.column or f.name) for f in (pk_field, *(by_attname[name] for name in unique)))
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    by_unique = {tuple(getattr(o, name) for name in unique): o for o in objs}
    with connection.cursor() as cursor:
        for chunk in _chunks(objs, per):
            params = [p(getattr(o, f.attname)) for o in chunk for f, p in zip(fields, prepare, strict=True)]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table or '')} ({columns}) VALUES {', '.join([one] * len(chunk))} "  # noqa: S608 - names from the model
                f"RETURNING {returned}",
                params,
            )
            for pk, *key in cursor.fetchall():
                obj = by_unique[tuple(key)]
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


def append_audit(entries: list[_Audit], *, actor: Any = POLICY_ACTOR) -> int:
    """Append the batch's audit rows to the chain in bulk, as `audit_record` would one by one,
    under `actor`: the label 'policy', or a user (who ran a re-evaluation)."""
    user_id = actor.pk if isinstance(actor, models.Model) else None
    label = getattr(actor, "username", "") if user_id is not None else str(actor)
    return audit_record_many(
        [
            AuditEntry(
                actor_label=label or POLICY_ACTOR,
                actor_id=user_id,
                action=entry.action,
                object_type=entry.obj._meta.label_lower,
                object_id=str(entry.obj.pk),
                case_id=entry.case_id,
                old=entry.old,
                new=entry.new() if callable(entry.new) else entry.new,
            )
            for entry in entries
        ]
    )


class _Existing:
    """What a batch's cases already hold, read in a few queries."""

    def __init__(self, case_ids: set[int], action_keys: list[str]) -> None:
        self.risk: set[tuple[int, str]] = set()
        self.flags: set[tuple[int, str]] = set()
        # The same flag said again (same case, kind, time and words) under another engine key
        # (the event that raised it sorted differently once a tied fact arrived) is not stored twice.
        self.flag_words: set[tuple[int, str, dt.datetime, str]] = set()
        self.actions: dict[str, Action] = {}
        for chunk in _chunks(case_ids):
            self.risk.update(_where_in(RiskChange.objects.all(), "case_id", chunk).values_list("case_id", "key"))
            for case_id, key, kind, at, detail in _where_in(Flag.objects.all(), "case_id", chunk).values_list(
                "case_id", "key", "kind", "at", "detail"
            ):
                self.flags.add((case_id, key))
                self.flag_words.add((case_id, kind, at, detail))
        for keys in _chunks(action_keys):
            self.actions.update((a.key, a) for a in instances(_where_in(Action.objects.all(), "key", keys)))
        produced = set(action_keys)
        # Stored actions the engine now gives under another key (the records were regrouped).
        self.regrouped = regrouped_actions(case_ids, produced) if len(self.actions) < len(produced) else {}
        # Stored open actions the engine no longer gives at all, by case, oldest first: each is
        # carried to a new action of its kind on its case, or else cancelled (`_plan_orphans`).
        self.orphans: dict[int, list[Action]] = defaultdict(list)
        self.taken: set[int] = set()
        orphan_pks: list[int] = []
        for chunk in _chunks(case_ids):
            opened = _where_in(Action.objects.filter(status=ActionStatus.OPEN), "case_id", chunk).values_list("pk", "key")
            orphan_pks += [pk for pk, key in opened if key not in produced]
        for pks in _chunks(sorted(orphan_pks)):
            for action in instances(_where_in(Action.objects.order_by("pk"), "pk", pks)):
                self.orphans[action.case_id].append(action)
        self.levels: dict[int, set[int]] = defaultdict(set)
        stored = (*self.actions.values(), *(a for found in self.regrouped.values() for a in found))
        for pks in _chunks([a.pk for a in (*stored, *(a for found in self.orphans.values() for a in found))]):
            for action_id, level in _where_in(Escalation.objects.all(), "action_id", pks).values_list("action_id", "level"):
                self.levels[action_id].add(level)
        # The default owner, as `reconcile._default_owner`: the first allocated officer, else the creator.
        self.owner: dict[int, int | None] = {}
        for chunk in _chunks(case_ids):
            grants = _where_in(CaseAccess.objects.filter(allocated=True), "case_id", chunk).order_by("granted_at", "pk")
            for case_id, user_id in grants.values_list("case_id", "user_id"):
                self.owner.setdefault(case_id, user_id)


def _plan_risk(changes: list[dict[str, Any]], index: CaseIndex, existing: _Existing, writes: BatchWrites) -> None:
    latest: dict[int, dict[str, Any]] = {}
    for change in changes:
        case = index.for_pair(_pid(change["victim"]), _pid(change["subject"]))
        if case is None or case.victim_id not in index.group(_pid(change["victim"])):
            continue
        at, key = risk_key(change)
        if (case.pk, key) not in existing.risk:
            existing.risk.add((case.pk, key))
            obj = RiskChange(
                case=case, key=key, at=at, level=change["level"], source=change["source"], drivers=list(change.get("drivers", []))
            )
            writes.risk_changes.append(obj)
            writes.audit.append(
                _Audit("risk.change", obj, case.pk, {"level": obj.level, "source": obj.source, "drivers": obj.drivers})
            )
        latest[case.pk] = {"level": change["level"], "at": at}
    by_pk = {c.pk: c for c in index.cases}
    for case_pk, last in latest.items():
        case = by_pk[case_pk]
        if case.risk_level != last["level"] or case.risk_changed_at != last["at"]:
            old = {"risk_level": case.risk_level}
            case.risk_level, case.risk_changed_at = last["level"], last["at"]
            writes.cases[case.pk] = case
            writes.audit.append(_Audit("case.risk_level", case, case.pk, {"risk_level": last["level"]}, old))


def _plan_flags(flags: list[dict[str, Any]], index: CaseIndex, existing: _Existing, writes: BatchWrites) -> None:
    for flag in flags:
        case = index.for_pair(*flag_refs(flag))
        if case is None:
            continue
        at, key = flag_key(flag)
        words = (case.pk, flag["kind"], at, flag.get("detail", ""))
        if (case.pk, key) in existing.flags or words in existing.flag_words:
            continue
        existing.flags.add((case.pk, key))
        existing.flag_words.add(words)
        obj = Flag(case=case, key=key, kind=flag["kind"], at=at, detail=flag.get("detail", ""))
        writes.flags.append(obj)
        writes.audit.append(_Audit("flag.raise", obj, case.pk, {"kind": obj.kind, "detail": obj.detail}))


def _plan_actions(actions: list[dict[str, Any]], index: CaseIndex, existing: _Existing, writes: BatchWrites) -> None:
    for item in actions:
        victim, subject = _pid(item["victim"]), _pid(item["subject"])
        case = index.for_pair(victim, subject)
        if case is None:
            continue
        fields = action_fields(item)
        action = existing.actions.get(item["key"])
        stored: set[int] = set()
        carried: dict[str, Any] = {}
        if action is None:
            action = take_regrouped(
                existing.regrouped,
                item["key"],
                victims=index.group(victim),
                subjects=index.group(subject) if subject else (),
            )
            if action is not None:
                carried = carry_fields(action, item, case=case, victim=victim, subject=subject)
        if action is None:
            action = _take_orphan(existing, case.pk, item["kind"])
            if action is not None:
                carried = carry_fields(action, item, case=case, victim=victim, subject=subject) | moved_fields(action, item)
        if action is not None:
            existing.taken.add(action.pk)
        if action is None:
            owner_id = existing.owner.get(case.pk, case.created_by_id)
            action = new_action(item, case=case, victim=victim, subject=subject, fields=fields, owner_id=owner_id)
            writes.new_actions.append(action)
            writes.audit.append(_Audit("action.create", action, case.pk, created_values(action, fields)))
        else:
            stored = existing.levels.get(action.pk, set())
            changes = carried | action_changes(action, fields)
            if changes:
                old = {k: getattr(action, k) for k in changes}
                for k, v in changes.items():
                    setattr(action, k, v)
                writes.changed_actions[frozenset(changes)].append(action)
                writes.audit.append(_Audit("action.update", action, case.pk, changes, old))
        for at, level in _steps(item):
            if int(level) in stored:
                continue
            step = Escalation(
                action=action, level=int(level), at=at, recorded_at=writes.now, reason=step_reason(action, int(level))
            )
            writes.escalations.append(step)
            writes.audit.append(
                _Audit("action.escalate", step, case.pk, _escalation_new(action, step.level, at)),
            )


def _take_orphan(existing: _Existing, case_id: int, kind: str) -> Action | None:
    """The oldest stored open action of `kind` on the case that the engine no longer gives."""
    for action in existing.orphans.get(case_id, ()):
        if action.kind == kind and action.pk not in existing.taken:
            return action
    return None


def _plan_orphans(existing: _Existing, writes: BatchWrites, why: dict[int, str]) -> None:
    """Cancel each stored open action the engine no longer gives and that no new action of
    its kind took over, with the reason in words (`why`, by case). A serial-perpetrator
    review is left to `settle_serial_reviews`, which cancels it when a split ends R9."""
    for case_id, actions in existing.orphans.items():
        for action in actions:
            if action.pk in existing.taken or action.rule == "R9":
                continue
            existing.taken.add(action.pk)
            changes = {
                "status": ActionStatus.CANCELLED,
                "closed_at": writes.now,
                "closing_reason": f"{ORPHAN_CANCELLED}: {why.get(case_id, 'the facts changed')}",
            }
            old = {k: getattr(action, k) for k in changes}
            for k, v in changes.items():
                setattr(action, k, v)
            writes.changed_actions[frozenset(changes)].append(action)
            writes.audit.append(_Audit("action.update", action, case_id, changes, old))


def _escalation_new(action: Action, level: int, at: dt.datetime) -> Callable[[], dict[str, Any]]:
    # The action's id is known only once the batch's new actions are inserted.
    return lambda: {"action": action.pk, "level": level, "at": at}


# --- the whole run -------------------------------------------------------------------------------


@dataclass
class Evaluated:
    """The engine's answers for a batch of clusters, read and evaluated but not yet stored."""

    clusters: list[Cluster]
    worlds: list[ClusterFacts]
    outcomes: list[dict[str, list[dict[str, Any]]]]
    reasons: dict[int, str]  # by case: what changed, in words, for actions no longer asked for
    states: list[tuple[Cluster, str, dt.datetime | None]]  # with `with_states`: facts digest, next due


def evaluate_batch(
    clusters: list[Cluster], *, until: dt.datetime, run: BulkRun, why: str | None = None, with_states: bool = False
) -> Evaluated:
    """Read the facts of a batch of clusters (a few queries) and run the engine on each; no
    writes. `why` says in words what changed, for any stored action the engine no longer
    asks for (default: the fact recorded last in the cluster)."""
    from vigil.actions.engine_adapter import evaluate_document
    from vigil.actions.incremental import facts_digest, next_due

    started = time.perf_counter()
    person_ids = set().union(*(c.person_ids for c in clusters))
    case_ids = set().union(*(c.case_ids for c in clusters))
    source = PreloadedFacts(person_ids, case_ids)
    started = run.timed("load", started)
    result = Evaluated(clusters, [], [], {}, [])
    for cluster in clusters:
        world = ClusterFacts(person_ids=set(cluster.person_ids), case_ids=set(cluster.case_ids))
        document = build_document(world, until=until, source=source)
        started = run.timed("document", started)
        outcome = evaluate_document(document, groups=world.groups, until=until)
        started = run.timed("engine", started)
        result.worlds.append(world)
        result.outcomes.append(outcome)
        if with_states:
            result.states.append((cluster, facts_digest(document), next_due(outcome, world.next_fact_at)))
        text = why or latest_fact_words(document)
        result.reasons.update((pk, text) for pk in cluster.case_ids)
    return result


def store_batch(evaluated: Evaluated, *, run: BulkRun, actor: Any = POLICY_ACTOR, write: bool = True) -> BatchWrites:
    """Store a batch's answers as the live path would, in the caller's transaction, and return
    what it stored: what its cases hold now is read here, so a batch evaluated before its
    transaction began is planned against the rows as they are when it is written. The audit
    rows name `actor`. With `write=False` nothing is stored: the writes are planned and
    returned (a dry run)."""
    started = time.perf_counter()
    case_ids = set().union(*(c.case_ids for c in evaluated.clusters))
    cases: dict[int, Case] = {}
    for chunk in _chunks(case_ids):
        cases.update((case.pk, case) for case in instances(_where_in(Case.objects.all(), "pk", chunk)))
    indexes = [
        CaseIndex(world, [cases[pk] for pk in cluster.case_ids])
        for cluster, world in zip(evaluated.clusters, evaluated.worlds, strict=True)
    ]
    existing = _Existing(case_ids, [a["key"] for outcome in evaluated.outcomes for a in outcome["actions"]])
    started = run.timed("load", started)
    writes = BatchWrites(now=times.now(), actor=actor)
    for index, outcome in zip(indexes, evaluated.outcomes, strict=True):
        _plan_risk(outcome["risk"], index, existing, writes)
        _plan_flags(outcome["flags"], index, existing, writes)
        _plan_actions(outcome["actions"], index, existing, writes)
    _plan_orphans(existing, writes, evaluated.reasons)
    started = run.timed("plan", started)
    if write:
        writes.flush(run)
        run.timed("write", started)
    run.cases += len(case_ids)
    run.clusters += len(evaluated.clusters)
    run.batches += 1
    return writes


def reevaluate_batch(
    clusters: list[Cluster],
    *,
    until: dt.datetime,
    run: BulkRun,
    why: str | None = None,
    states: list[tuple[Cluster, str, dt.datetime | None]] | None = None,
    actor: Any = POLICY_ACTOR,
    write: bool = True,
) -> BatchWrites:
    """Evaluate and store one batch of clusters, in the caller's transaction (`evaluate_batch`
    then `store_batch`); return what it stored. `states`, when given, receives each cluster
    with the digest of its facts and its next due time (`vigil.actions.incremental`)."""
    evaluated = evaluate_batch(clusters, until=until, run=run, why=why, with_states=states is not None)
    writes = store_batch(evaluated, run=run, actor=actor, write=write)
    if states is not None:
        states.extend(evaluated.states)
    return writes


def _force_batch(
    clusters: list[Cluster],
    marks: list[int],
    *,
    until: dt.datetime,
    run: BulkRun,
    actor: Any = POLICY_ACTOR,
    dry_run: bool = False,
) -> BatchWrites:
    """One batch of a force-wide run: read and evaluate outside any transaction (so that other
    processes and officers' writes go on meanwhile), then, in one transaction holding the
    audit chain's lock (every writer that audits takes it, and holds it until it commits),
    check that no fact about these clusters was committed since the read (a new change mark);
    if one was, read and evaluate again under the lock. Then store the answers, the clusters'
    states, and delete the marks whose facts were read. A dry run plans the writes and rolls
    the transaction back."""
    from vigil.actions.incremental import consume, marks_touching, store_states
    from vigil.audit.services import lock_chain

    seen = marks_touching(clusters)
    evaluated = evaluate_batch(clusters, until=until, run=run, with_states=True)
    with transaction.atomic():
        lock_chain()  # on SQLite the IMMEDIATE transaction holds the write lock already
        now_seen = marks_touching(clusters)
        if now_seen - seen:
            run.reread += 1
            seen = now_seen
            evaluated = evaluate_batch(clusters, until=until, run=run, with_states=True)
        writes = store_batch(evaluated, run=run, actor=actor, write=not dry_run)
        stamp = time.perf_counter()
        if dry_run:
            transaction.set_rollback(True)
        else:
            store_states(evaluated.states, until=until, now=times.now())
            consume([*marks, *seen])
        run.timed("write", stamp)
    return writes


def reevaluate_open_cases(
    *,
    until: dt.datetime | None = None,
    batch_size: int = 500,
    limit: int | None = None,
    progress: Callable[[BulkRun], None] | None = None,
    full: bool = False,
    actor: Any = POLICY_ACTOR,
    dry_run: bool = False,
    planned: Callable[[BatchWrites], None] | None = None,
    processes: int = 1,
) -> BulkRun:
    """Re-evaluate every open case (or the clusters of the first `limit`) at `until` (default:
    now), storing and auditing exactly what `policy_reevaluate` would, one transaction per
    batch, the audit rows under `actor`. Incremental unless `full`: only the clusters whose
    members, facts or policy changed, or whose next due time has come, are evaluated
    (`vigil.actions.incremental`); the answer stored is the same as a full run's. `planned` is
    handed each batch's writes; with `dry_run` they are only planned, and each batch's
    transaction is rolled back besides: nothing is written (not even the clusters' states).
    With `processes` > 1 the batches are shared among that many forked worker processes, each
    with its own connection (not on an in-memory SQLite database, nor inside a transaction:
    the workers see only what is committed; not with `planned` or `dry_run`, which stay in
    this process); only the stores take turns, under the audit chain's lock."""
    from vigil.actions.incremental import consume, forget_dissolved, plan_run
    from vigil.actions.live import policy_now

    moment = until or policy_now()
    started, cpu = time.perf_counter(), time.process_time()
    run = BulkRun()
    clusters, chosen = force_clusters(limit=limit)
    if not dry_run:
        with transaction.atomic():
            forget_dissolved(clusters)
    plan = plan_run(clusters, chosen, until=moment, full=full)
    run.force_cases = sum(len(clusters[position].case_ids) for position in chosen)
    run.force_clusters = len(chosen)
    run.skipped = len(chosen) - len(plan.todo)
    run.reasons = plan.reasons
    run.total_cases = sum(len(clusters[position].case_ids) for position in plan.todo)
    run.timed("select", started)
    if progress is not None:
        progress(run)
    work = [
        ([clusters[position] for position in batch], [mark for position in batch for mark in plan.marks.get(position, ())])
        for batch in batches(clusters, plan.todo, max(1, batch_size))
    ]
    run.processes = 1 if dry_run or planned is not None else max(1, min(processes, len(work)))
    if run.processes > 1:
        _in_processes(work, until=moment, run=run, actor=actor, progress=progress)
    else:
        for batch, marks in work:
            writes = _force_batch(batch, marks, until=moment, run=run, actor=actor, dry_run=dry_run)
            if planned is not None:
                planned(writes)
            if progress is not None:
                progress(run)
    leftover = [*plan.unplaced, *plan.shared, *plan.everything]
    if limit is None and leftover and not dry_run:
        with transaction.atomic():
            consume(leftover)
    run.seconds = time.perf_counter() - started
    run.cpu_seconds = time.process_time() - cpu
    return run


_COUNTERS: tuple[str, ...] = (
    "cases", "clusters", "batches", "actions_created", "actions_updated", "escalations", "flags", "risk_changes",
    "cases_changed", "audit_rows", "reread",
)  # fmt: skip


def _in_processes(
    work: list[tuple[list[Cluster], list[int]]],
    *,
    until: dt.datetime,
    run: BulkRun,
    actor: Any,
    progress: Callable[[BulkRun], None] | None,
) -> None:
    """Share the batches among `run.processes` forked workers (batch i to worker i mod n) and
    add up what each stores, batch by batch."""
    import multiprocessing
    import queue as queues

    from django.db import connections

    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        raise ValueError("a re-evaluation in several processes needs a database file, not SQLite in memory")
    if connection.in_atomic_block:
        raise ValueError("a re-evaluation in several processes cannot run inside a transaction")
    context = multiprocessing.get_context("fork")
    results: Any = context.Queue()
    connections.close_all()  # each worker opens its own
    share = (run.processes, work, until, actor, results)
    workers = [context.Process(target=_worker, args=(k, *share), daemon=True) for k in range(run.processes)]
    for worker in workers:
        worker.start()
    finished, errors = 0, []
    while finished < len(workers):
        try:
            message = results.get(timeout=1.0)
        except queues.Empty:
            if all(not w.is_alive() for w in workers) and results.empty():
                errors.append("a worker process ended without reporting")
                break
            continue
        if message is None:
            finished += 1
        elif message[0] == "error":
            errors.append(message[1])
        else:
            for name in _COUNTERS:
                setattr(run, name, getattr(run, name) + message[1][name])
            for phase, seconds in message[1]["phases"].items():
                run.phases[phase] += seconds
            for phase, seconds in message[1]["cpu_phases"].items():
                run.cpu_phases[phase] += seconds
            if progress is not None:
                progress(run)
    for worker in workers:
        worker.join(60)
    if errors or any(w.exitcode != 0 for w in workers):
        raise RuntimeError(f"the re-evaluation stopped: {'; '.join(errors) or 'a worker process failed'}")


def _worker(k: int, n: int, work: list[tuple[list[Cluster], list[int]]], until: dt.datetime, actor: Any, results: Any) -> None:
    from django.db import connections

    try:
        for batch, marks in work[k::n]:
            part = BulkRun()
            _force_batch(batch, marks, until=until, run=part, actor=actor)
            results.put(
                (
                    "batch",
                    {name: getattr(part, name) for name in _COUNTERS}
                    | {"phases": dict(part.phases), "cpu_phases": dict(part.cpu_phases)},
                )
            )
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises
        results.put(("error", f"{type(error).__name__}: {error}"))
    finally:
        connections.close_all()
        results.put(None)
