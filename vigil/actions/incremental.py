"""Incremental re-evaluation: which clusters can have a different answer since the last run.

A force-wide re-evaluation (`vigil.actions.bulk.reevaluate_open_cases`) keeps, per cluster,
a `ClusterState`: the digest of its members (person and case ids), of the policy and engine
it ran under, of the facts document the engine read, and its *next due time*: the earliest
moment at which the engine's answer changes with no new fact (an open action's next ladder
step, or a fact dated after the run's time, which the document left out). The engine is
pure and only the ladder moves between events (`vigil.policy.engine.Engine.advance`), so a
cluster whose members, policy and facts are unchanged and whose next due time has not come
gives exactly the answer already stored, and the next run passes over it.

What says the facts changed, without reading them: every save or delete of a model the
engine reads (people, places, relationships, links, cases, reports, assessments, orders,
breaches, sightings, contact attempts, intelligence, justice events, warrants, alarms,
decisions, Clare's Law requests) writes a `FactChange` naming the people or cases it is
about, in the writer's transaction (the signals below). A re-evaluation reads the marks,
finds the clusters they touch (a person outside every cluster, a child or a reporter, through
the facts that name them), evaluates those, and deletes the marks it read in the transaction
that stores the answer. A link made or split changes the members, so the digest. A policy
or engine change changes the policy digest of every cluster.

Writes that bypass model saves (`QuerySet.update`, `bulk_create`, raw SQL) are not seen:
no service writes facts that way; a bulk load of facts (the benchmark's synthetic force)
starts with no states, so everything is evaluated; after any other out-of-band change run
`reevaluate_open_cases(full=True)`."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from vigil.core.constants import ActionStatus

if TYPE_CHECKING:
    from vigil.actions.bulk import Cluster

_ROOT = Path(__file__).resolve().parents[1]
# The code that turns stored facts into stored actions: a change to any of it (a fix to the
# engine landing) is a new version, and every cluster is evaluated again.
# The engine is the whole `vigil/policy` package (its rules are modules of `policy/rules/`).
ENGINE_SOURCES = (
    *sorted(str(p.relative_to(_ROOT)) for p in (_ROOT / "policy").rglob("*.py")),
    "actions/live_document.py", "actions/engine_adapter.py", "actions/reconcile.py", "actions/bulk.py",
    "disclosure/disclosure_events.py", "partners/partner_events.py",
)  # fmt: skip


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def engine_version() -> str:
    """Digest of the engine's and the store path's source files."""
    return _digest("\n".join(_digest((_ROOT / name).read_text(encoding="utf-8")) for name in ENGINE_SOURCES))


def policy_version() -> str:
    """Digest of the policy in use (its every setting, not the file's path) and of the engine."""
    from vigil.actions.engine_adapter import policy

    current = policy()
    if any(f.name == "source" for f in dataclasses.fields(current)):
        current = dataclasses.replace(current, source="")
    return _digest(f"{engine_version()}\n{current!r}")


def members_digest(cluster: Cluster) -> str:
    return _digest(f"{sorted(cluster.person_ids)}|{sorted(cluster.case_ids)}")


def facts_digest(document: dict[str, Any]) -> str:
    """Digest of a cluster's facts document, less the time it was built for."""
    facts = {k: v for k, v in document.items() if k != "replay_until"}
    return _digest(json.dumps(facts, sort_keys=True, separators=(",", ":"), default=str))


def next_due(outcome: dict[str, list[dict[str, Any]]], next_fact_at: dt.datetime | None) -> dt.datetime | None:
    """The earliest moment after the evaluation at which the engine's answer changes with no
    new fact: an open action's next ladder step (as `Ledger.materialize` in `vigil/policy/ledger.py` would record it),
    or a fact dated later than the evaluation (left out of its document)."""
    from vigil.actions.engine_adapter import policy
    from vigil.actions.reconcile import _steps
    from vigil.policy import ladder

    chosen = policy()
    far = dt.datetime.max.replace(tzinfo=dt.UTC) - dt.timedelta(days=400)
    moments = [next_fact_at] if next_fact_at is not None else []
    compiled: dict[str, ladder.Steps] = {}
    for item in outcome["actions"]:
        if item["status"] != ActionStatus.OPEN or not item.get("due_at"):
            continue
        steps = compiled.get(item["priority"])
        if steps is None:
            steps = compiled[item["priority"]] = ladder.compile_steps(chosen, item["priority"])
        recorded = _steps(item)
        due_at = item["due_at"]
        due_at = dt.datetime.fromisoformat(due_at) if isinstance(due_at, str) else due_at
        found = ladder.reached(
            steps,
            due_at.astimezone(dt.UTC),
            level=max([1, *(level for _, level in recorded)]),
            last_at=recorded[-1][0] if recorded else None,
            until=far,
            inclusive=True,
        )
        if found:
            moments.append(found[0][0])
    return min(moments, default=None)


# --- marks: which people and cases a write touched -------------------------------------------


def mark_changed(*, person_ids: Iterable[int | None] = (), case_ids: Iterable[int | None] = ()) -> None:
    from vigil.actions.models import FactChange

    rows = [FactChange(person_id=p) for p in dict.fromkeys(person_ids) if p is not None]
    rows += [FactChange(case_id=c) for c in dict.fromkeys(case_ids) if c is not None]
    if rows:
        FactChange.objects.bulk_create(rows)


def mark_everything() -> None:
    """Every cluster is evaluated at the next run (a change no mark can place)."""
    from vigil.actions.models import FactChange

    FactChange.objects.create()


def _order_people(order_ids: Iterable[int]) -> set[int]:
    from vigil.orders.models import ProtectiveOrder

    ids = [o for o in order_ids if o is not None]
    if not ids:
        return set()
    people = set(ProtectiveOrder.objects.filter(pk__in=ids).values_list("subject_id", flat=True))
    protected = ProtectiveOrder.protected.through.objects.filter(protectiveorder_id__in=ids)
    people |= set(protected.values_list("person_id", flat=True))
    return people


def _place_marks(place_id: int) -> tuple[set[int], set[int]]:
    """The people and cases whose facts name a place (its coordinates moved)."""
    from vigil.alarms.models import Alarm, AlarmActivation
    from vigil.cases.models import Intelligence, Report, Sighting
    from vigil.orders.models import Breach, OrderCondition, VariationCondition
    from vigil.people.models import Person, Place

    people = set(Person.objects.filter(home_id=place_id).values_list("pk", flat=True))
    people |= {p for p in Place.objects.filter(pk=place_id).values_list("person_id", flat=True) if p}
    located = ((Sighting, "subject_id"), (Intelligence, "subject_id"), (Alarm, "person_id"), (AlarmActivation, "person_id"))
    for model, field in located:
        people |= set(model.objects.filter(place_id=place_id).values_list(field, flat=True))
    orders = set(OrderCondition.objects.filter(place_id=place_id).values_list("order_id", flat=True))
    orders |= set(Breach.objects.filter(place_id=place_id).values_list("order_id", flat=True))
    orders |= set(VariationCondition.objects.filter(place_id=place_id).values_list("variation__order_id", flat=True))
    people |= _order_people(orders)
    return people, set(Report.objects.filter(place_id=place_id).values_list("case_id", flat=True))


def _case_of(model_label: str, pk: int) -> int | None:
    from django.apps import apps

    model = apps.get_model(model_label)
    return model.objects.filter(pk=pk).values_list("case_id", flat=True).first()  # type: ignore[no-any-return]


def instance_marks(instance: models.Model, *, created: bool = False) -> tuple[set[int], set[int]]:
    """The people and cases a saved or deleted fact is about."""
    from vigil.cases.models import Case
    from vigil.orders.models import OrderVariation, ProtectiveOrder
    from vigil.people.models import Person, Place

    people: set[int] = set()
    cases: set[int] = set()
    if isinstance(instance, Person):
        people.add(instance.pk)
    elif isinstance(instance, Case):
        cases.add(instance.pk)
    elif isinstance(instance, ProtectiveOrder):
        people |= _order_people([instance.pk])
    elif isinstance(instance, Place):
        if instance.person_id:
            people.add(instance.person_id)
        if not created:
            more_people, more_cases = _place_marks(instance.pk)
            people |= more_people
            cases |= more_cases
        return people, cases
    for f in instance._meta.concrete_fields:
        if not f.is_relation or f.related_model is None:
            continue
        value = getattr(instance, f.attname)
        if value is None:
            continue
        target = f.related_model
        if target is Person:
            people.add(value)
        elif target is Case:
            cases.add(value)
        elif target is ProtectiveOrder:
            people |= _order_people([value])
        elif target is OrderVariation:
            people |= _order_people(OrderVariation.objects.filter(pk=value).values_list("order_id", flat=True))
        elif target._meta.label in ("cases.RiskAssessment", "cases.Report", "disclosure.DisclosureRequest"):
            case = _case_of(target._meta.label, value)
            if case is not None:
                cases.add(case)
    return people, cases


def watched_models() -> list[type[models.Model]]:
    """Every model `build_document` reads, and the actions a person can change."""
    from django.apps import apps

    return [
        apps.get_model(label)
        for label in (
            "people.Person", "people.PersonAlias", "people.Place", "people.Relationship", "people.PersonLink",
            "cases.Case", "cases.Report", "cases.RiskAssessment", "cases.AssessmentAnswer", "cases.Sighting",
            "cases.ContactAttempt", "cases.Intelligence", "cases.JusticeEvent", "orders.ProtectiveOrder",
            "orders.OrderCondition", "orders.OrderVariation", "orders.VariationCondition", "orders.Breach",
            "warrants.Warrant", "alarms.Alarm", "alarms.AlarmActivation", "actions.Decision", "actions.Action",
            "disclosure.DisclosureRequest", "disclosure.DisclosureDecision",
        )
    ]  # fmt: skip


def _saved(sender: Any, instance: models.Model, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loaddata
        return
    people, cases = instance_marks(instance, created=created)
    mark_changed(person_ids=people, case_ids=cases)


def _before_save(sender: Any, instance: models.Model, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    """A fact moved to other people or another case (a foreign key changed): the ones it
    leaves are marked too, from the row as stored (one query, on updates that touch a key)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    keys = [f for f in instance._meta.concrete_fields if f.is_relation]
    if update_fields is not None:
        keys = [f for f in keys if f.name in update_fields or f.attname in update_fields]
    if not keys:
        return
    old = sender._default_manager.filter(pk=instance.pk).values(*(f.attname for f in keys)).first()
    if old is None or all(old[f.attname] == getattr(instance, f.attname) for f in keys):
        return
    previous = copy.copy(instance)
    for f in keys:
        setattr(previous, f.attname, old[f.attname])
    people, cases = instance_marks(previous)
    mark_changed(person_ids=people, case_ids=cases)


def _deleted(sender: Any, instance: models.Model, **kwargs: Any) -> None:
    people, cases = instance_marks(instance)
    mark_changed(person_ids=people, case_ids=cases)


def _m2m(sender: Any, instance: models.Model, action: str, pk_set: set[int] | None, **kwargs: Any) -> None:
    """Children present at a report, people an order protects: both ends are marked."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    from vigil.cases.models import Report
    from vigil.people.models import Person

    if action == "pre_clear" and isinstance(instance, Person):
        mark_everything()  # who lost the link is not said; rare enough to look at everything
        return
    people, cases = instance_marks(instance)
    ids = set(pk_set or ())
    if isinstance(instance, Person):
        if kwargs.get("model") is Report:
            cases |= set(Report.objects.filter(pk__in=ids).values_list("case_id", flat=True))
        else:
            people |= _order_people(ids)
    else:
        people |= ids
    mark_changed(person_ids=people, case_ids=cases)


def connect_signals() -> None:
    from vigil.cases.models import Report
    from vigil.orders.models import ProtectiveOrder

    for model in watched_models():
        uid = f"vigil-fact-change-{model._meta.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    for through in (Report.children_present.through, ProtectiveOrder.protected.through):
        m2m_changed.connect(_m2m, sender=through, dispatch_uid=f"vigil-fact-change-{through._meta.label}")


# --- the run: which clusters to evaluate -------------------------------------------------------


@dataclasses.dataclass
class Plan:
    """What an incremental run evaluates: the clusters' positions, the marks each consumes."""

    todo: list[int]
    marks: dict[int, list[int]]  # cluster position -> FactChange ids it consumes
    # Deleted only at the end of a whole run (every cluster chosen, none stopped): marks about
    # nothing any cluster reads, marks that touch several clusters (a person outside every
    # cluster whom several documents name), and "evaluate everything" marks.
    unplaced: list[int]
    shared: list[int]
    everything: list[int]
    reasons: dict[str, int]  # why clusters were chosen, counted


def _naming(people: set[int]) -> tuple[set[int], set[int]]:
    """The people and cases whose facts documents name these people without them being
    members of a cluster (a child present, a reporter, an applicant, a relative): the
    reverse of `vigil.actions.live_document.named_people`, two relationship steps deep."""
    from vigil.actions.models import Decision
    from vigil.cases.models import ContactAttempt, Report, Sighting
    from vigil.disclosure.models import DisclosureRequest
    from vigil.orders.models import Breach
    from vigil.people.models import Relationship

    found_people: set[int] = set()
    cases: set[int] = set()
    frontier = set(people)
    for _ in range(2):
        if not frontier:
            break
        ids = sorted(frontier)
        cases |= set(
            Report.objects.filter(
                Q(victim_record_id__in=ids) | Q(suspect_record_id__in=ids) | Q(reported_by_id__in=ids)
            ).values_list("case_id", flat=True)
        )
        cases |= set(Report.children_present.through.objects.filter(person_id__in=ids).values_list("report__case_id", flat=True))
        cases |= set(Decision.objects.filter(Q(victim_id__in=ids) | Q(subject_id__in=ids)).values_list("case_id", flat=True))
        cases |= set(DisclosureRequest.objects.filter(applicant_id__in=ids).values_list("case_id", flat=True))
        found_people |= _order_people(Breach.objects.filter(reported_by_id__in=ids).values_list("order_id", flat=True))
        from vigil.orders.models import ProtectiveOrder

        orders = ProtectiveOrder.objects.filter(Q(subject_id__in=ids) | Q(protected__in=ids)).values_list("pk", flat=True)
        found_people |= _order_people(orders)
        for subject, near in Sighting.objects.filter(Q(near_id__in=ids) | Q(reported_by_id__in=ids)).values_list(
            "subject_id", "near_id"
        ):
            found_people.update(p for p in (subject, near) if p)
        for subject, victim in ContactAttempt.objects.filter(Q(victim_id__in=ids) | Q(reported_by_id__in=ids)).values_list(
            "subject_id", "victim_id"
        ):
            found_people.update((subject, victim))
        related: set[int] = set()
        for a, b in Relationship.objects.filter(Q(a_id__in=ids) | Q(b_id__in=ids)).values_list("a_id", "b_id"):
            related.update((a, b))
        found_people |= related
        frontier = related - people - found_people
    return found_people, cases


def plan_run(clusters: Sequence[Cluster], chosen: Sequence[int], *, until: dt.datetime, full: bool) -> Plan:
    """Which of the `chosen` clusters (positions in `clusters`, every cluster of the force) a
    run at `until` must evaluate, and which marks each consumes. Reads the states and the
    marks only."""
    from vigil.actions.models import ClusterState, FactChange

    version = policy_version()
    rows = ClusterState.objects.values_list("members", "policy", "next_due_at")
    states = {members: (policy, due) for members, policy, due in rows}
    by_person: dict[int, int] = {}
    by_case: dict[int, int] = {}
    for position, cluster in enumerate(clusters):
        for pid in cluster.person_ids:
            by_person[pid] = position
        for cid in cluster.case_ids:
            by_case[cid] = position
    marks: dict[int, list[int]] = defaultdict(list)
    unplaced: list[int] = []
    shared: list[int] = []
    everything: list[int] = []
    changed: set[int] = set()
    outside: dict[int, list[int]] = defaultdict(list)  # person outside every cluster -> mark ids
    for pk, person, case in FactChange.objects.values_list("pk", "person_id", "case_id"):
        if person is None and case is None:
            everything.append(pk)
        elif case is not None:
            (marks[by_case[case]] if case in by_case else unplaced).append(pk)
        elif person is not None and person in by_person:
            marks[by_person[person]].append(pk)
        elif person is not None:
            outside[person].append(pk)
    if outside:
        people, cases = _naming(set(outside))
        touched = {by_person[p] for p in people if p in by_person} | {by_case[c] for c in cases if c in by_case}
        pks = [pk for found in outside.values() for pk in found]
        (shared if touched else unplaced).extend(pks)
        for position in touched:
            changed.add(position)
    reasons: dict[str, int] = defaultdict(int)
    todo: list[int] = []
    for position in chosen:
        state = states.get(members_digest(clusters[position]))
        if full:
            why = "a full run"
        elif everything:
            why = "a change no mark can place"
        elif state is None:
            why = "new or regrouped"
        elif state[0] == ASKED_AGAIN:
            why = "re-evaluation asked for"
        elif state[0] != version:
            why = "policy or engine changed"
        elif position in marks or position in changed:
            why = "facts changed"
        elif state[1] is not None and state[1] <= until:
            why = "due"
        else:
            reasons["unchanged"] += 1
            continue
        reasons[why] += 1
        todo.append(position)
    return Plan(todo, dict(marks), unplaced, shared, everything, dict(reasons))


# The policy digest of a state whose cluster an operator's re-evaluation (`vigil policy
# reevaluate`) has still to reach: set on every state as the run starts, replaced batch by
# batch, so that a run stopped half way is resumed where it stopped (`--resume`).
ASKED_AGAIN = "asked again"


def mark_all_asked_again() -> int:
    """Every cluster is evaluated again by the next run, and stays so until a run reaches it
    (committed at once: a stopped run leaves the clusters it did not reach marked)."""
    from vigil.actions.models import ClusterState

    return ClusterState.objects.update(policy=ASKED_AGAIN)


def forget_dissolved(clusters: Sequence[Cluster]) -> int:
    """Drop the states of memberships no cluster has now (a link made or split): if the
    records were regrouped back later, an old state must not vouch for the new facts."""
    from vigil.actions.models import ClusterState

    current = {members_digest(c) for c in clusters}
    gone = [pk for pk, members in ClusterState.objects.values_list("pk", "members") if members not in current]
    for start in range(0, len(gone), 5000):
        ClusterState.objects.filter(pk__in=gone[start : start + 5000]).delete()
    return len(gone)


def store_states(rows: list[tuple[Cluster, str, dt.datetime | None]], *, until: dt.datetime, now: dt.datetime) -> None:
    """Replace the states of these evaluated clusters (cluster, facts digest, next due)."""
    from vigil.actions.models import ClusterState

    if not rows:
        return
    version = policy_version()
    states = [
        ClusterState(
            members=members_digest(cluster),
            policy=version,
            facts=facts,
            next_due_at=due,
            evaluated_until=until,
            evaluated_at=now,
        )
        for cluster, facts, due in rows
    ]
    members = [s.members for s in states]
    for start in range(0, len(members), 5000):
        ClusterState.objects.filter(members__in=members[start : start + 5000]).delete()
    ClusterState.objects.bulk_create(states, batch_size=1000)


def marks_touching(clusters: Sequence[Cluster]) -> set[int]:
    """The ids of the change marks naming these clusters' people or cases now."""
    from vigil.actions.models import FactChange

    people = sorted({p for c in clusters for p in c.person_ids})
    cases = sorted({c for cluster in clusters for c in cluster.case_ids})
    found: set[int] = set()
    for start in range(0, len(people), 5000):
        found.update(FactChange.objects.filter(person_id__in=people[start : start + 5000]).values_list("pk", flat=True))
    for start in range(0, len(cases), 5000):
        found.update(FactChange.objects.filter(case_id__in=cases[start : start + 5000]).values_list("pk", flat=True))
    return found


def consume(mark_ids: Iterable[int]) -> None:
    from vigil.actions.models import FactChange

    ids = sorted(set(mark_ids))
    for start in range(0, len(ids), 5000):
        FactChange.objects.filter(pk__in=ids[start : start + 5000]).delete()


def reevaluation_due(*, now: dt.datetime) -> str | None:
    """Why an incremental run at `now` would evaluate something, in words, or None when it
    would pass over every cluster. A few indexed reads, not the force's clusters: the
    periodic job (`vigil.actions.tasks.reevaluate_changed_clusters`) asks this first."""
    from vigil.actions.models import ClusterState, FactChange
    from vigil.cases.models import Case

    if FactChange.objects.exists():
        return "facts changed"
    if ClusterState.objects.filter(next_due_at__lte=now).exists():
        return "due"
    if ClusterState.objects.exclude(policy=policy_version()).exists():
        return "policy or engine changed"
    if not ClusterState.objects.exists() and Case.objects.exists():
        return "never evaluated"
    return None
