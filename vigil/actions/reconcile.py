"""Run the engine over a world of people and store what it says, by stable keys.

The planning and writing is `vigil.actions.bulk` (one store path for one cluster and for a
whole force); this module holds the rules it applies to each stored row: which case an
engine pair belongs to, what of an action the engine decides, and how an action whose key
changed is carried to its new key."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from vigil.actions.effects import collectors
from vigil.actions.live_document import ClusterFacts, build_document, world_around
from vigil.actions.models import Action
from vigil.audit.services import audit_record
from vigil.cases.models import Case
from vigil.core.constants import ActionStatus

POLICY_ACTOR = "policy"
# The start of the closing reason of an R9 review the policy cancelled after a split.
R9_LAPSED = "R9 no longer applies"
# The start of the closing reason of an open action the engine no longer gives (a fact
# entered with an earlier time changed its history, or the policy changed) and that no new
# action of its kind took over.
ORPHAN_CANCELLED = "Cancelled by the policy: it no longer asks for this"


def _pid(ref: str | None) -> int | None:
    if not ref:
        return None
    return int(ref[1:])


def _aware(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value  # type: ignore[no-any-return]


def _when(value: Any) -> dt.datetime:
    moment = _aware(value)
    if moment is None:
        raise ValueError("the engine gave an event without a time")
    return moment


class CaseIndex:
    """Finds the stored case for an engine pair (victim, subject), through identity groups."""

    def __init__(self, world: ClusterFacts, cases: list[Case] | None = None) -> None:
        """`cases`: the world's cases already loaded (in any order); else they are read."""
        self.group_of: dict[int, frozenset[int]] = {}
        for group in world.groups:
            ids = frozenset(int(r[1:]) for r in group)
            for pid in ids:
                self.group_of[pid] = ids
        if cases is None:
            self.cases = list(Case.objects.filter(pk__in=world.case_ids).order_by("created_at", "pk"))
        else:
            self.cases = sorted(cases, key=lambda c: (c.created_at, c.pk))

    def group(self, pid: int | None) -> frozenset[int]:
        if pid is None:
            return frozenset()
        return self.group_of.get(pid, frozenset({pid}))

    def for_pair(self, victim: int | None, subject: int | None) -> Case | None:
        victims, subjects = self.group(victim), self.group(subject)
        for case in self.cases:
            if case.victim_id in victims and (case.subject_id in subjects or (subject is None and case.subject_id is None)):
                return case
        # A child's Operation Encompass notice, or an alarm with no named subject: the case of
        # the subject (or of the victim) that the fact came from.
        for case in self.cases:
            if subject is not None and case.subject_id in subjects:
                return case
        for case in self.cases:
            if case.victim_id in victims:
                return case
        if subject is None and self.cases:
            # A child's notice from a report that named no suspect: the child has no case of
            # their own, so it goes on the first case of the cluster it came from.
            return self.cases[0]
        return None


def reevaluate_world(person_ids: Iterable[int], *, until: dt.datetime) -> None:
    """Re-evaluate the cluster of people around `person_ids` and store what the engine says,
    in the caller's transaction: the bulk planner (`vigil.actions.bulk`) run on one cluster,
    so the live path and a force-wide re-evaluation share one store path."""
    from vigil.actions.bulk import BulkRun, Cluster, reevaluate_batch

    ids = set(person_ids)
    world = world_around(ids)
    locked: set[int] = set()
    while world.case_ids - locked:
        # Two facts about the same people recorded at once must not both plan from what was
        # stored before either: the second waits here until the first commits, then reads it.
        lock_cases(world.case_ids - locked)
        locked |= world.case_ids
        world = world_around(ids)  # a link made meanwhile can have grown the cluster
    if not world.case_ids:
        return
    reevaluate_batch([Cluster(frozenset(world.person_ids), frozenset(world.case_ids))], until=until, run=BulkRun())


def lock_cases(case_ids: Iterable[int]) -> None:
    """Lock the cases' rows until the transaction ends (PostgreSQL `FOR NO KEY UPDATE`, in id
    order, so two re-evaluations never wait on each other in a circle; a fact's own insert
    holds only a key-share lock on its case, which this does not wait for). SQLite
    serialises writers already."""
    ids = sorted(case_ids)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        list(Case.objects.select_for_update(no_key=True).filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))


def new_action(
    item: dict[str, Any], *, case: Case, victim: int | None, subject: int | None, fields: dict[str, Any], owner_id: int | None
) -> Action:
    """An unsaved Action for the engine's `item` on `case` (the live and the bulk path)."""
    return Action(
        key=item["key"],
        case=case,
        kind=item["kind"],
        rule=item["rule"],
        reason=item["reason"],
        victim_id=victim if victim is not None else case.victim_id,
        subject_id=subject,
        created_at=_when(item["created_at"]),
        team_id=case.team_id,
        owner_id=owner_id,
        **({"rationale": ""} | fields),
    )


def created_values(action: Action, fields: dict[str, Any]) -> dict[str, Any]:
    """What the `action.create` audit row records of a new action."""
    return {**fields, "kind": action.kind, "rule": action.rule, "reason": action.reason}


def action_identity(key: str) -> str:
    """An action's key without its victim and subject refs: the rule, the kind, the event
    that triggered it, the child and any `#n`. The refs name whichever record stands for a
    person's identity group, and a split or a new link can change which record that is; the
    action is still the same piece of work."""
    parts = key.split(":", 4)
    return f"{parts[0]}:{parts[1]}:{parts[4]}" if len(parts) == 5 else key


def regrouped_actions(case_ids: Iterable[int], produced: set[str]) -> dict[str, list[Action]]:
    """The stored actions of these cases whose keys the engine no longer gives, by
    `action_identity`: when the engine gives a new key with the same identity, the records
    were regrouped (a split, a re-link, a new record joining two), and the stored action is
    carried to the new key, and to the case the engine now puts it on, rather than a second
    one created."""
    found: dict[str, list[Action]] = {}
    ids = sorted(case_ids)
    for start in range(0, len(ids), 500):
        for action in Action.objects.filter(case_id__in=ids[start : start + 500]).order_by("pk"):
            if action.key not in produced:
                found.setdefault(action_identity(action.key), []).append(action)
    return found


def take_regrouped(
    regrouped: dict[str, list[Action]], key: str, *, victims: Iterable[int], subjects: Iterable[int]
) -> Action | None:
    """The stored action to carry to `key`, if any: of those with its identity, the first whose
    victim and subject are in the item's groups as they stand now, else the first."""
    candidates = regrouped.get(action_identity(key))
    if not candidates:
        return None
    victims, subjects = set(victims), set(subjects)
    chosen = next(
        (a for a in candidates if a.victim_id in victims and (a.subject_id in subjects or a.subject_id is None)),
        candidates[0],
    )
    candidates.remove(chosen)
    return chosen


def carry_fields(action: Action, item: dict[str, Any], *, case: Case, victim: int | None, subject: int | None) -> dict[str, Any]:
    """The changes that move a regrouped action to the engine's new key, refs and case."""
    fields = {
        "key": item["key"],
        "case_id": case.pk,
        "victim_id": victim if victim is not None else case.victim_id,
        "subject_id": subject,
    }
    return {k: v for k, v in fields.items() if getattr(action, k) != v}


def moved_fields(action: Action, item: dict[str, Any]) -> dict[str, Any]:
    """What else changes when a stored open action the engine no longer gives is carried to
    a new engine action of its kind on its case (a fact entered with an earlier time moved
    the moment the work arose): the engine's rule, reason and creation time."""
    fields = {"rule": item["rule"], "reason": item["reason"], "created_at": _when(item["created_at"])}
    return {k: v for k, v in fields.items() if getattr(action, k) != v}


def latest_fact_words(document: dict[str, Any]) -> str:
    """The fact recorded last in a live document, in words: what changed the policy's answer
    ('the sighting the police were told of at 14:05 on 3 March 2025, recorded at 16:20 on
    5 March 2025')."""
    from vigil.core.times import words

    events = [e for e in document.get("events", []) if e.get("at")]
    if not events:
        return "the facts changed"
    last = max(events, key=lambda e: (e.get("recorded") or e["at"], e["at"]))
    what = str(last["type"]).replace("_", " ")
    told = words(dt.datetime.fromisoformat(last["at"]))
    text = f"the {what} the police were told of at {told}"
    if last.get("recorded") and last["recorded"] != last["at"]:
        text += f", recorded at {words(dt.datetime.fromisoformat(last['recorded']))}"
    return text


def risk_key(change: dict[str, Any]) -> tuple[dt.datetime, str]:
    """The time of an engine risk change and its stored key."""
    at = _when(change["at"])
    return at, f"{change['level']}@{at.isoformat()}:{change['source']}"[:200]


def flag_refs(flag: dict[str, Any]) -> tuple[int | None, int | None]:
    refs = list(flag.get("refs", []))
    return (_pid(refs[0]) if refs else None), (_pid(refs[1]) if len(refs) > 1 else None)


def flag_key(flag: dict[str, Any]) -> tuple[dt.datetime, str]:
    """The time of an engine flag and its stored key: from the engine's own key (kind, refs,
    the event that raised it, the place) when it gives one, so that rewording a flag's detail
    never stores the same flag twice; from the detail otherwise."""
    at = _when(flag["at"])
    refs = list(flag.get("refs", []))
    what = flag.get("key") or flag.get("detail", "")
    digest = hashlib.sha256(f"{flag['kind']}|{'|'.join(refs)}|{at.isoformat()}|{what}".encode()).hexdigest()[:40]
    return at, f"{flag['kind']}:{digest}"


def action_fields(item: dict[str, Any]) -> dict[str, Any]:
    """What the engine decides of a stored action: due time, priority, status and level."""
    status = item["status"]
    fields = {
        "due_at": _aware(item["due_at"]),
        "priority": item["priority"],
        "status": status,
        "closed_at": _aware(item.get("closed_at")),
        "level": max([1, *(int(level) for _, level in _steps(item))]),
    }
    if status == ActionStatus.DECLINED:
        # Every open action of the kind closes with the one decision, and with its reason.
        fields["rationale"] = item.get("rationale") or "Declined with another action of this kind for the pair."
    elif status in (ActionStatus.DONE, ActionStatus.CANCELLED) and item.get("closed_reason"):
        # What closed it, in the engine's words ("… arrested on …", "order … ended on …").
        fields["closing_reason"] = item["closed_reason"]
    return fields


def action_changes(action: Action, fields: dict[str, Any]) -> dict[str, Any]:
    """The engine's fields that differ from a stored action, less a person's closing."""
    changes = {k: v for k, v in fields.items() if getattr(action, k) != v}
    if action.status != ActionStatus.OPEN:
        changes.pop("closing_reason", None)  # written once, by whatever closed it first
    if action.status != ActionStatus.OPEN and fields["status"] == ActionStatus.OPEN and action.signoff != "sent_back":
        if action.status == ActionStatus.CANCELLED and action.closing_reason.startswith(R9_LAPSED):
            # The policy cancelled it when the records were split, and they are one again
            # (re-linked by a supervisor or by a new record): open it again.
            changes["closing_reason"] = ""
        else:
            # A person closed it and the policy has not seen that fact yet: keep their decision.
            changes = {k: v for k, v in changes.items() if k not in ("status", "closed_at")}
    return changes


def _steps(item: dict[str, Any]) -> list[tuple[dt.datetime, int]]:
    steps = []
    for step in item.get("escalations", []):
        if isinstance(step, dict):
            steps.append((_aware(step["at"]), int(step["level"])))
        else:
            at, level = step
            steps.append((_aware(at), int(level)))
    return [(at, level) for at, level in steps if at is not None]


def step_reason(action: Action, level: int) -> str:
    """Why an escalation step raised the action, naming the level as the live policy's ladder
    names it (`[ladder.level_names]`), so a force that calls its levels otherwise reads its
    own words."""
    from vigil.actions.engine_adapter import policy

    name = policy().ladder.level_name(level)
    who = f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
    if action.status == ActionStatus.DECLINED:
        return f"declined for a high-risk pair: raised to {who} for sign-off"
    return f"not done by its due time: raised to {who}"


def settle_serial_reviews(subject_ids: Iterable[int], *, until: dt.datetime, why: str) -> list[Action]:
    """After a split or a rejection, cancel the open `serial_perpetrator_review` (R9)
    actions of these subjects that the policy no longer asks for; return them. Call it in
    the caller's transaction, after `policy_reevaluate` of the same people.

    Stored actions are otherwise never withdrawn by a re-evaluation: the engine's answer only
    grows as facts arrive. Identity links are the exception: when a supervisor splits a link,
    one subject can turn out to be two people, each named by one victim. R9 counts every
    report naming the subject, and every such report lies in a case with that subject, so the
    world around the subjects decides R9 for them completely. Each review cancelled is closed
    with `why` after R9_LAPSED and audited; if the records are linked again, the next
    re-evaluation opens it again (`action_changes`). The serial_perpetrator flag stays, as it
    was raised on what was known then."""
    world = world_around({int(pid) for pid in subject_ids})
    if not world.case_ids:
        return []
    from vigil.actions.engine_adapter import evaluate_document

    outcome = evaluate_document(build_document(world, until=until), groups=world.groups, until=until)
    produced = {item["key"] for item in outcome["actions"] if item["rule"] == "R9"}
    stored = (
        Action.objects.select_for_update()
        .filter(rule="R9", status=ActionStatus.OPEN, case_id__in=world.case_ids, subject_id__in=world.person_ids)
        .exclude(key__in=produced)
        .order_by("pk")
    )
    changed: list[Action] = []
    for action in stored:
        new: dict[str, Any] = {"status": ActionStatus.CANCELLED, "closed_at": until, "closing_reason": f"{R9_LAPSED}: {why}"}
        old = {key: getattr(action, key) for key in new}
        for key, value in new.items():
            setattr(action, key, value)
        action.save(update_fields=list(new))
        audit_record(actor=POLICY_ACTOR, action="action.update", obj=action, case_id=action.case_id, old=old, new=new)
        for effects in collectors():
            effects._updated(action, old, new)
        changed.append(action)
    return changed
