"""Identity links in the database: candidate search through the blocking index, then the
linkage model's decision. Links never merge rows; a supervisor can split them again."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.core.constants import BirthPrecision, LinkStatus
from vigil.core.groups import linked_groups
from vigil.people.models import BlockingKey, Person, PersonAlias, PersonLink, Place

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


# Candidate search limits. A blocking key held by more records than MAX_BLOCK is a common-name
# block ("g|john|s" holds every John S-something): it is kept in the index but not searched,
# because scoring thousands of weak candidates would take seconds and could only queue weak
# reviews. The remaining keys are searched rarest first, while their blocks add up to at most
# MAX_CANDIDATES records, so one new record costs a bounded number of comparisons whatever the
# size of the index. See docs/linkage.md ("Blocking at scale").
MAX_BLOCK = 300
MAX_CANDIDATES = 250


def index_keys(record: Any) -> list[str]:
    """The record's blocking keys as stored in people.BlockingKey (at most 80 characters)."""
    from vigil.people.linkage import blocking_keys

    return sorted({k[:80] for k in blocking_keys(record)})


def block_sizes_sql(keys: list[str]) -> tuple[str, list[Any]]:
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    column = connection.ops.quote_name("key")
    # Only quoted identifiers and loop counters are written into the SQL; the keys are parameters.
    parts = [
        f"SELECT {i}, COUNT(*) FROM (SELECT 1 FROM {table} WHERE {column} = %s LIMIT %s) AS b{i}"  # noqa: S608
        for i in range(len(keys))
    ]
    params: list[Any] = []
    for key in keys:
        params += [key, MAX_BLOCK + 1]
    return " UNION ALL ".join(parts), params


def block_sizes(keys: list[str]) -> dict[str, int]:
    """How many records hold each key, counted up to MAX_BLOCK + 1 (enough to know a block is
    too common), in one query that reads only the (key, person) index."""
    if not keys:
        return {}
    sql, params = block_sizes_sql(keys)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {keys[i]: count for i, count in cursor.fetchall()}


def searched_keys(sizes: dict[str, int]) -> list[str]:
    """The keys to search: not common-name blocks, rarest first, within MAX_CANDIDATES."""
    chosen: list[str] = []
    total = 0
    for key, size in sorted(sizes.items(), key=lambda item: (item[1], item[0])):
        if size == 0:
            continue
        if size > MAX_BLOCK or total + size > MAX_CANDIDATES:
            break
        chosen.append(key)
        total += size
    return chosen


def candidate_sql(keys: list[str], *, exclude: int | None = None) -> tuple[str, list[Any]]:
    """One query for the columns of the records holding any of `keys`, joined to their home.
    Written as SQL because building the same ORM query took a few milliseconds a probe."""
    q = connection.ops.quote_name
    person, place, key_table = (q(m._meta.db_table) for m in (Person, Place, BlockingKey))
    marks = ", ".join(["%s"] * len(keys))
    # Only quoted identifiers and placeholders are written into the SQL; the values are parameters.
    sql = (
        f"SELECT p.id, p.full_name, p.birth_precision, p.born_on, p.born_year, p.sex, p.home_id, h.lat, h.lon, h.address "  # noqa: S608
        f"FROM {person} p LEFT OUTER JOIN {place} h ON h.id = p.home_id "
        f"WHERE p.id IN (SELECT k.person_id FROM {key_table} k WHERE k.{q('key')} IN ({marks}))"
    )
    params: list[Any] = list(keys)
    if exclude is not None:
        sql += " AND p.id <> %s"
        params.append(exclude)
    return sql, params


def alias_sql(ids: list[int]) -> tuple[str, list[Any]]:
    table = connection.ops.quote_name(PersonAlias._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    return f"SELECT person_id, name FROM {table} WHERE person_id IN ({marks}) ORDER BY id", list(ids)  # noqa: S608


def candidate_records(keys: list[str], *, exclude: int | None = None, addresses: bool = True) -> list[Any]:
    """The person records holding any of `keys`, as linkage records, read column by column
    (no model instances): the same records person_record() would build. With addresses=False the
    address text is left out, not decrypted (for a new record that has none to compare)."""
    from vigil.people.linkage import PersonRecord

    if not keys:
        return []
    address = Place._meta.get_field("address")
    with connection.cursor() as cursor:
        cursor.execute(*candidate_sql(keys, exclude=exclude))
        people = cursor.fetchall()
        aliases: dict[int, list[str]] = defaultdict(list)
        if people:
            cursor.execute(*alias_sql([row[0] for row in people]))
            for person_id, name in cursor.fetchall():
                aliases[person_id].append(name)
    records = []
    for pk, full_name, precision, born_on, born_year, sex, home_id, lat, lon, stored_address in people:
        if precision == BirthPrecision.FULL and born_on:
            born = born_on if isinstance(born_on, str) else born_on.isoformat()
        elif precision == BirthPrecision.YEAR:
            born = str(born_year)
        else:
            born = None
        records.append(
            PersonRecord(
                ref=str(pk),
                name=full_name,
                aliases=tuple(aliases.get(pk, ())),
                born=born,
                sex=sex,
                places=((lat, lon),) if home_id is not None and lat is not None and lon is not None else (),
                addresses=(address.from_db_value(stored_address, None, connection),) if addresses and home_id is not None else (),
            )
        )
    return records


@dataclass(frozen=True)
class Search:
    keys: tuple[str, ...]  # the record's blocking keys
    searched: tuple[str, ...]  # the keys whose blocks were read (not too common, within budget)
    candidates: int  # records scored
    matches: tuple[tuple[int, Any], ...]  # (person id, MatchResult), link or review, strongest first


def search(record: Any, *, exclude: int | None = None) -> Search:
    """Candidate search and scoring for one record against the database index. Reads only."""
    from vigil.people.linkage.person import score_if_related

    keys = index_keys(record)
    searched = searched_keys(block_sizes(keys))
    # Address text only counts when both records have one: a new record without an address
    # spares decrypting every candidate's (compare_home gives the same outcome either way).
    others = candidate_records(searched, exclude=exclude, addresses=bool(record.addresses))
    found = []
    for other in others:
        result = score_if_related(record, other)
        if result is not None:
            found.append((int(other.ref), result))
    found.sort(key=lambda item: (-item[1].match_weight, item[0]))
    return Search(tuple(keys), tuple(searched), len(others), tuple(found))


def find_matches(record: Any, *, exclude: int | None = None) -> list[tuple[int, Any]]:
    """(person id, MatchResult) for every indexed record the model links to `record` or sends
    to review, strongest first. Reads only: this is the search that link_new_person runs, and
    what `vigil bench linkage` times."""
    return list(search(record, exclude=exclude).matches)


def link_new_person(person: Person, *, actor: Any) -> list[PersonLink]:
    """Index a new record and link it to the records the model says are the same human."""
    record = person_record(person)
    BlockingKey.objects.bulk_create([BlockingKey(person=person, key=k) for k in index_keys(record)], ignore_conflicts=True)
    matches = find_matches(record, exclude=person.pk)
    others = Person.objects.in_bulk([pk for pk, _ in matches])
    created: list[PersonLink] = []
    now = timezone.now()
    for pk, result in matches:
        other = others[pk]
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
    return linked_groups(links.values_list("a_id", "b_id"))


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
