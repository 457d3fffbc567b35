"""Identity links in the database: candidate search through the blocking index, then the
linkage model's decision. Links never merge rows; a supervisor can split them again."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.cases.models import Case, Report
from vigil.core.constants import BirthPrecision, LinkStatus
from vigil.core.groups import linked_groups
from vigil.people.models import BlockingKey, Person, PersonAlias, PersonLink, Place, Relationship

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


# Candidate search limits. A block held by more records than MAX_BLOCK is too large to read
# for one new record: it is narrowed, i.e. replaced by the record's narrower keys (the name
# key with the year of birth, the undated records only, the other name's phonetic code; see
# vigil/people/linkage/person_index.py). A narrowest key that is still too large (every
# David Smith, for a David Smith with no date of birth) is read whole, up to MAX_WHOLE
# records, the most recently recorded first; a search that has to cut a block says so.
# Nothing is skipped silently. See docs/linkage.md ("Blocking at scale").
MAX_BLOCK = 300
MAX_WHOLE = 5000


def index_keys(record: Any) -> list[str]:
    """The record's keys as stored in people.BlockingKey (at most 80 characters)."""
    from vigil.people.linkage.person_index import person_index_keys

    return sorted({k[:80] for k in person_index_keys(record)})


def search_plan(record: Any) -> dict[str, tuple[str, ...]]:
    """The record's keys to search, each with the narrower keys that replace it when too large."""
    from vigil.people.linkage.person_index import search_plan as plan

    return {k[:80]: tuple(n[:80] for n in narrower) for k, narrower in plan(record).items()}


def block_sizes_sql(keys: list[str], *, limit: int | None = None) -> tuple[str, list[Any]]:
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    column = connection.ops.quote_name("key")
    # Only quoted identifiers and loop counters are written into the SQL; the keys are parameters.
    parts = [
        f"SELECT {i}, COUNT(*) FROM (SELECT 1 FROM {table} WHERE {column} = %s LIMIT %s) AS b{i}"  # noqa: S608
        for i in range(len(keys))
    ]
    params: list[Any] = []
    for key in keys:
        params += [key, (MAX_BLOCK + 1) if limit is None else limit]
    return " UNION ALL ".join(parts), params


def block_sizes(keys: list[str], *, limit: int | None = None) -> dict[str, int]:
    """How many records hold each key, counted up to `limit` (MAX_BLOCK + 1 by default: enough
    to know a block is too large), in one query that reads only the (key, person) index."""
    if not keys:
        return {}
    sql, params = block_sizes_sql(keys, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {keys[i]: count for i, count in cursor.fetchall()}


@dataclass(frozen=True)
class Blocks:
    """Which blocks a search reads: `read` whole (small enough), `narrowed` (too large, replaced
    by narrower keys), `whole` (too large but the narrowest the record has: read whole, up to
    MAX_WHOLE records)."""

    read: tuple[str, ...]
    narrowed: tuple[str, ...]
    whole: tuple[str, ...]


def choose_blocks(plan: dict[str, tuple[str, ...]], sizes: dict[str, int]) -> Blocks:
    """Walk the plan from its broadest keys: a block of at most MAX_BLOCK records is read; a
    larger one is replaced by its narrower keys, or, when it has none, read whole."""
    children = {n for narrower in plan.values() for n in narrower}
    read: list[str] = []
    narrowed: list[str] = []
    whole: list[str] = []
    seen: set[str] = set()

    def visit(key: str) -> None:
        if key in seen:
            return
        seen.add(key)
        size = sizes.get(key, 0)
        if size == 0:
            return
        if size <= MAX_BLOCK:
            read.append(key)
        elif plan.get(key):
            narrowed.append(key)
            for narrower in plan[key]:
                visit(narrower)
        else:
            whole.append(key)

    for key in sorted(plan, key=lambda k: (k in children, k)):
        if key not in children:
            visit(key)
    return Blocks(tuple(read), tuple(narrowed), tuple(whole))


def candidate_sql(keys: Sequence[str], *, whole: Sequence[str] = (), exclude: int | None = None) -> tuple[str, list[Any]]:
    """One query for the columns of the records holding any of `keys` (and the MAX_WHOLE most
    recent of each of `whole`), joined to their home. Written as SQL because building the same
    ORM query took a few milliseconds a probe."""
    q = connection.ops.quote_name
    person, place, key_table = (q(m._meta.db_table) for m in (Person, Place, BlockingKey))
    ids: list[str] = []
    params: list[Any] = []
    # Only quoted identifiers and placeholders are written into the SQL; the values are parameters.
    if keys:
        marks = ", ".join(["%s"] * len(keys))
        ids.append(f"SELECT k.person_id FROM {key_table} k WHERE k.{q('key')} IN ({marks})")  # noqa: S608
        params += list(keys)
    for i, key in enumerate(whole):
        ids.append(
            f"SELECT w{i}.person_id FROM (SELECT k.person_id FROM {key_table} k WHERE k.{q('key')} = %s "  # noqa: S608
            f"ORDER BY k.person_id DESC LIMIT %s) w{i}"
        )
        params += [key, MAX_WHOLE]
    union = " UNION ALL ".join(ids) or "SELECT NULL"
    # On PostgreSQL the ids are gathered once (an InitPlan) and the records read by their key:
    # `IN (subquery)` let the planner walk every record and probe the keys for each, which
    # it chose when its statistics were stale (a freshly loaded table) and took seconds a probe.
    where = f"p.id = ANY(ARRAY({union}))" if connection.vendor == "postgresql" else f"p.id IN ({union})"
    sql = (
        f"SELECT p.id, p.full_name, p.birth_precision, p.born_on, p.born_year, p.sex, p.home_id, h.lat, h.lon, h.address "  # noqa: S608
        f"FROM {person} p LEFT OUTER JOIN {place} h ON h.id = p.home_id "
        f"WHERE {where}"
    )
    if exclude is not None:
        sql += " AND p.id <> %s"
        params.append(exclude)
    return sql, params


def alias_sql(ids: list[int]) -> tuple[str, list[Any]]:
    table = connection.ops.quote_name(PersonAlias._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    return f"SELECT person_id, name FROM {table} WHERE person_id IN ({marks}) ORDER BY id", list(ids)  # noqa: S608


def candidate_records(
    keys: Sequence[str], *, whole: Sequence[str] = (), exclude: int | None = None, addresses: bool = True
) -> list[Any]:
    """The person records holding any of `keys` (and the MAX_WHOLE most recent of each block in
    `whole`), as linkage records, read column by column (no model instances): the same records
    person_record() would build. With addresses=False the address text is left out, not
    decrypted (for a new record that has none to compare)."""
    from vigil.people.linkage import PersonRecord

    if not keys and not whole:
        return []
    address = Place._meta.get_field("address")
    with connection.cursor() as cursor:
        cursor.execute(*candidate_sql(list(keys), whole=list(whole), exclude=exclude))
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


def index_size() -> int:
    """How many person records the index holds, read from the lowest and highest ids: records
    are never deleted, so it is the count or a little above it (ids a rolled-back insert used),
    and it costs two index lookups however large the table (COUNT(*) reads it all)."""
    ids = Person.objects.aggregate(low=Min("pk"), high=Max("pk"))
    return 0 if ids["high"] is None else ids["high"] - ids["low"] + 1


def index_prior(size: int | None = None) -> float:
    """The prior for one new record against one record of an index of `size` records: the
    model's own (one in 65,536, the index it was written for), or one in `size` for a larger
    index. Against a million records the chance that a given one is the new record's person is
    smaller, and a pair needs that much more evidence to be linked."""
    from vigil.people.linkage import PERSON_MODEL

    size = index_size() if size is None else size
    return min(PERSON_MODEL.prior, 1.0 / max(size, 1))


@dataclass(frozen=True)
class Search:
    keys: tuple[str, ...]  # the record's search keys (its plan)
    searched: tuple[str, ...]  # the keys whose blocks were read whole (small enough, or the narrowest)
    candidates: int  # records scored
    matches: tuple[tuple[int, Any], ...]  # (person id, MatchResult), link or review, strongest first
    narrowed: tuple[str, ...] = ()  # keys too large, replaced by narrower ones
    whole: tuple[str, ...] = ()  # narrowest keys larger than MAX_BLOCK, read whole
    cut: tuple[str, ...] = ()  # ... of which only the MAX_WHOLE most recent records were read
    prior: float = 0.0  # the prior the candidates were scored under (index_prior)
    compared: frozenset[int] = frozenset()  # the ids of the candidates scored


def search(record: Any, *, exclude: int | None = None, prior: float | None = None) -> Search:
    """Candidate search and scoring for one record against the database index. Reads only."""
    from vigil.people.linkage.person import score_candidates

    plan = search_plan(record)
    keys = sorted(plan)
    blocks = choose_blocks(plan, block_sizes(keys))
    # Address text only counts when both records have one: a new record without an address
    # spares decrypting every candidate's (compare_home gives the same outcome either way).
    others = candidate_records(list(blocks.read), whole=list(blocks.whole), exclude=exclude, addresses=bool(record.addresses))
    cut: tuple[str, ...] = ()
    if blocks.whole:
        cut = tuple(k for k, n in block_sizes(list(blocks.whole), limit=MAX_WHOLE + 1).items() if n > MAX_WHOLE)
    prior = index_prior() if prior is None else prior
    found = [(int(ref), result) for ref, result in score_candidates(record, others, prior=prior)]
    found.sort(key=lambda item: (-item[1].match_weight, item[0]))
    return Search(
        keys=tuple(keys),
        searched=blocks.read + blocks.whole,
        candidates=len(others),
        matches=tuple(found),
        narrowed=blocks.narrowed,
        whole=blocks.whole,
        cut=cut,
        prior=prior,
        compared=frozenset(int(other.ref) for other in others),
    )


def find_matches(record: Any, *, exclude: int | None = None) -> list[tuple[int, Any]]:
    """(person id, MatchResult) for every indexed record the model links to `record` or sends
    to review, strongest first. Reads only: this is the search that link_new_person runs, and
    what `vigil bench linkage` times."""
    return list(search(record, exclude=exclude).matches)


def index_person(person: Person) -> Any:
    """Write a record's blocking keys, so later records are compared with it; its record."""
    record = person_record(person)
    BlockingKey.objects.bulk_create([BlockingKey(person=person, key=k) for k in index_keys(record)], ignore_conflicts=True)
    return record


def link_new_person(person: Person, *, actor: Any, counterparts: Collection[int] = ()) -> list[PersonLink]:
    """Index a new record and link it to the records the model says are the same human.

    `counterparts` are the people the new record is named with (the victim of the report being
    taken, a relative): when the record could be either of two people held apart, sharing one
    of them with a candidate is evidence for that candidate (see `settle_rivals`)."""
    record = index_person(person)
    matches = settle_rivals(find_matches(record, exclude=person.pk), record=record, counterparts=counterparts)
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


def settle_rivals(
    matches: Sequence[tuple[int, Any]], *, record: Any, counterparts: Collection[int] = ()
) -> list[tuple[int, Any]]:
    """The live form of the replay's rule for a record that fits two people kept apart.

    Among the new `record`'s matches, a candidate it would be linked to that is held apart
    from another candidate (different dates of birth, different given names; and not one
    person by an active link) is a choice, when the record itself could be that other one (its
    own match with him is not held): it is joined to the candidate only when all the evidence
    makes him decisively the one (`choose_between`: the pair's weight, with its home, address
    and distance, and a counterpart the record shares with him). Otherwise the link is sent to
    review. Its evidence says what decided it, but never names the other candidates or says
    anything about them but why they are someone else: a reviewer may not be allowed to see
    them."""
    from vigil.people.linkage.person import apart_words, choice_drivers, choice_likely, choose_between, held_apart

    linked = [pk for pk, result in matches if result.decision == "link"]
    if not linked or len(matches) < 2:
        return list(matches)
    ids = [pk for pk, _ in matches]
    records = {int(r.ref): r for r in _records(ids)}
    groups = identity_groups(set(ids))
    group_of = {pk: i for i, group in enumerate(groups) for pk in group}
    weights = {str(pk): result.match_weight for pk, result in matches}
    could_be = {pk for pk, result in matches if not result.held}
    theirs = person_counterparts(ids) if counterparts else {}
    shared = {str(pk): tuple(map(str, frozenset(theirs.get(pk, ())) & frozenset(counterparts))) for pk in ids}
    settled: list[tuple[int, Any]] = []
    for pk, result in matches:
        if result.decision != "link":
            settled.append((pk, result))
            continue
        rivals = [
            z
            for z in ids
            if z != pk
            and z in could_be
            and (group_of.get(z) is None or group_of.get(z) != group_of.get(pk))
            and held_apart(records[pk], records[z])
        ]
        if not rivals:
            settled.append((pk, result))
            continue
        choice = choose_between(str(pk), weights, [str(z) for z in rivals], shared)
        drivers = choice_drivers(record, {str(z): records[z] for z in (pk, *rivals)}, shared, named=False)
        said = ", ".join(drivers[str(pk)])
        apart = "; ".join(dict.fromkeys(apart_words(records[pk], records[z], details=False) for z in rivals))
        other, who = (
            ("another person on record", "a different person")
            if len(rivals) == 1
            else ("other people on record", "different people")
        )
        likely = choice_likely(choice.probability)
        if choice.decisive:
            words = (
                f"; joined to this person rather than {other} whom this record could also be ({who} from this "
                f"one: {apart}), because of: {said or 'the stronger evidence'} ({likely} this person)"
            )
        else:
            words = (
                f"; not joined: this record could also be {other} ({who} from this one: {apart}). For this "
                f"person: {said or 'nothing more than the other has'}. What points to the other is not shown, as "
                f"you may not be allowed to see that record. Only {likely} this person: left for a person to check"
            )
        decision = "link" if choice.decisive else "review"
        # The score shown beside the words is the chance after weighing the others it could be.
        decided = replace(result, decision=decision, probability=choice.probability, reason=f"{result.reason}{words}")
        settled.append((pk, decided))
    return settled


def _records(ids: Sequence[int]) -> list[Any]:
    people = Person.objects.select_related("home").prefetch_related("aliases").filter(pk__in=ids)
    return [person_record(p) for p in people]


def person_counterparts(ids: Sequence[int]) -> dict[int, set[int]]:
    """The people each of `ids` is named with: the other side of their cases and reports, the
    protected people of orders against them (and the subject of orders protecting them), and
    their relationships."""
    found: dict[int, set[int]] = defaultdict(set)

    def pair(x: int | None, y: int | None) -> None:
        if x is not None and y is not None and x != y:
            if x in wanted:
                found[x].add(y)
            if y in wanted:
                found[y].add(x)

    wanted = set(ids)
    for x, y in Case.objects.filter(Q(victim_id__in=wanted) | Q(subject_id__in=wanted)).values_list("victim_id", "subject_id"):
        pair(x, y)
    reports = Report.objects.filter(Q(victim_record_id__in=wanted) | Q(suspect_record_id__in=wanted))
    for x, y in reports.values_list("victim_record_id", "suspect_record_id"):
        pair(x, y)
    for x, y in Relationship.objects.filter(Q(a_id__in=wanted) | Q(b_id__in=wanted)).values_list("a_id", "b_id"):
        pair(x, y)
    # Orders, read through their relations to Person (the orders app sits above this one): the
    # protected people of orders against them, and the subjects of orders protecting them.
    named = Person.objects.filter(pk__in=wanted)
    for x, y in named.values_list("pk", "orders_as_subject__protected"):
        pair(x, y)
    for x, y in named.values_list("orders_protecting__subject_id", "pk"):
        pair(x, y)
    return found


@dataclass(frozen=True)
class Suggestion:
    """A person record an officer may mean, with the model's reasons in words."""

    person: Person
    probability: float
    decision: str  # "link": the model would join them; "review": worth a look
    reasons: tuple[str, ...]  # e.g. "same date of birth (1990-07-23)", "surnames sound alike (Mackey/Mackie)"


def suggest_matches(
    user: Any,
    *,
    name: str,
    born: str | dt.date | None = None,
    sex: str = "unknown",
    home: Place | None = None,
    address: str = "",
    limit: int = 10,
) -> list[Suggestion]:
    """Records already held that the person being typed in (name, date of birth, sex, home or
    address) may be, strongest first, with the reasons in words, for a page that offers them
    while an officer records a new person. The same search and model as link_new_person; only
    records the user may see (`persons_for_user`, less those hidden from them), so a suggestion
    never reveals a person on a restricted case. Reads only: the page showing the suggestions
    audits what it shows."""
    from vigil.cases.access import persons_for_user
    from vigil.people.link_review import hidden_persons
    from vigil.people.linkage import PersonRecord

    if not name.strip():
        return []
    places: tuple[tuple[float, float], ...] = ()
    addresses = tuple(a for a in (address.strip(),) if a)
    if home is not None:
        if home.lat is not None and home.lon is not None:
            places = ((home.lat, home.lon),)
        addresses = (*addresses, home.address)
    text = born.isoformat() if isinstance(born, dt.date) else (born or None)
    record = PersonRecord(ref="new", name=" ".join(name.split()), born=text, sex=sex, places=places, addresses=addresses)
    matches = search(record).matches
    ids = [pk for pk, _ in matches]
    visible = set(
        persons_for_user(user).filter(pk__in=ids).exclude(pk__in=hidden_persons(user).values("pk")).values_list("pk", flat=True)
    )
    people = Person.objects.in_bulk([pk for pk in ids if pk in visible])
    return [
        Suggestion(people[pk], result.probability, result.decision, result.evidence) for pk, result in matches if pk in people
    ][:limit]


def rebuild_person_index(person_model: Any = Person, alias_model: Any = PersonAlias, key_model: Any = BlockingKey) -> int:
    """Make every record's person index keys again (after the keys' scheme changed), in one
    transaction; returns how many keys were written. The models are parameters so that a
    migration can pass its historical ones."""
    from vigil.people.linkage import PersonRecord
    from vigil.people.linkage.person_index import person_index_keys

    aliases: dict[int, list[str]] = defaultdict(list)
    for person_id, name in alias_model.objects.order_by("pk").values_list("person_id", "name"):
        aliases[person_id].append(name)
    written = 0
    with transaction.atomic():
        key_model.objects.all().delete()
        batch: list[Any] = []
        people = person_model.objects.order_by("pk").values_list("pk", "full_name", "birth_precision", "born_on", "born_year")
        for pk, name, precision, born_on, born_year in people.iterator(chunk_size=5000):
            if precision == BirthPrecision.FULL and born_on:
                born: str | None = born_on.isoformat()
            elif precision == BirthPrecision.YEAR and born_year:
                born = str(born_year)
            else:
                born = None
            record = PersonRecord(ref=str(pk), name=name, aliases=tuple(aliases.get(pk, ())), born=born)
            batch += [key_model(person_id=pk, key=k) for k in sorted({k[:80] for k in person_index_keys(record)})]
            if len(batch) >= 20_000:
                key_model.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        key_model.objects.bulk_create(batch)
        written += len(batch)
    return written


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
