"""Identity links in the database: candidate search through the blocking index, then the
linkage model's decision. Links never merge rows; a supervisor can split them again."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.core.constants import LinkStatus
from vigil.people.models import BlockingKey, Person, PersonLink

ACTIVE = (LinkStatus.AUTO, LinkStatus.CONFIRMED)


def person_record(person: Person) -> Any:
    from vigil.people.linkage import PersonRecord

    places: list[tuple[float, float]] = []
    addresses: list[str] = []
    if person.home is not None:
        if person.home.lat is not None and person.home.lon is not None:
            places.append((person.home.lat, person.home.lon))
        addresses.append(person.home.address)
    return PersonRecord(
        ref=str(person.pk),
        name=person.full_name,
        aliases=tuple(a.name for a in person.aliases.all()),
        born=person.born_text,
        sex=person.sex,
        places=tuple(places),
        addresses=tuple(addresses),
    )


def link_new_person(person: Person, *, actor: Any) -> list[PersonLink]:
    """Index a new record and link it to the records the model says are the same human."""
    from vigil.people.linkage import blocking_keys, score_pair

    record = person_record(person)
    keys = sorted(blocking_keys(record))
    BlockingKey.objects.bulk_create([BlockingKey(person=person, key=k[:80]) for k in keys], ignore_conflicts=True)
    candidate_ids = set(
        BlockingKey.objects.filter(key__in=[k[:80] for k in keys]).exclude(person=person).values_list("person_id", flat=True)
    )
    created: list[PersonLink] = []
    now = timezone.now()
    for other in Person.objects.filter(pk__in=candidate_ids).select_related("home").prefetch_related("aliases"):
        result = score_pair(record, person_record(other))
        if result.decision == "none":
            continue
        a, b = sorted((person, other), key=lambda p: p.pk)
        status = LinkStatus.AUTO if result.decision == "link" else LinkStatus.REVIEW
        link = PersonLink.objects.create(
            a=a,
            b=b,
            status=status,
            score=min(max(result.probability, 0.0), 1.0),
            match_weight=result.match_weight,
            evidence=result.reason,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action=f"person_link.{status}",
            obj=link,
            new={"a": a.pk, "b": b.pk, "score": link.score, "evidence": link.evidence},
        )
        created.append(link)
    return created


def identity_groups(person_ids: set[int] | None = None) -> list[set[int]]:
    """Connected groups of person ids joined by active links (automatic or confirmed)."""
    links = PersonLink.objects.filter(status__in=ACTIVE)
    if person_ids is not None:
        links = links.filter(a_id__in=person_ids) | links.filter(b_id__in=person_ids)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a_id, b_id in links.values_list("a_id", "b_id"):
        parent[find(a_id)] = find(b_id)
    groups: dict[int, set[int]] = defaultdict(set)
    for x in list(parent):
        groups[find(x)].add(x)
    return [g for g in groups.values() if len(g) > 1]


def linked_ids(person: Person) -> set[int]:
    """Every record linked to this one, directly or through others, including itself."""
    seen = {person.pk}
    frontier = {person.pk}
    while frontier:
        pairs = PersonLink.objects.filter(status__in=ACTIVE).filter(a_id__in=frontier) | PersonLink.objects.filter(
            status__in=ACTIVE, b_id__in=frontier
        )
        nxt: set[int] = set()
        for a_id, b_id in pairs.values_list("a_id", "b_id"):
            nxt.update({a_id, b_id})
        frontier = nxt - seen
        seen |= nxt
    return seen


def link_decide(*, actor: Any, link: PersonLink, status: str, rationale: str) -> PersonLink:
    """Confirm, reject or split a link. A rationale is always required."""
    from django.core.exceptions import ValidationError

    if not rationale.strip():
        raise ValidationError({"rationale": "Give the reason for this decision"})
    if status not in (LinkStatus.CONFIRMED, LinkStatus.REJECTED, LinkStatus.SPLIT):
        raise ValidationError({"status": f"cannot set a link to {status!r}"})
    with transaction.atomic():
        old = {"status": link.status}
        link.status = status
        link.decided_by = actor
        link.decided_at = timezone.now()
        link.decision_rationale = rationale.strip()
        link.save(update_fields=["status", "decided_by", "decided_at", "decision_rationale"])
        audit_record(
            actor=actor,
            action=f"person_link.{status}",
            obj=link,
            old=old,
            new={"status": status, "rationale": link.decision_rationale},
        )
    return link
