"""`vigil bench linkage`: one new person record against the whole person index, p50/p95.

What is timed is `vigil.people.linking.search`, the read side of `link_new_person`: the
record's blocking keys, the block sizes read from the (key, person) index, the candidates'
columns and aliases, and the model's score for each candidate. The writes that follow in
`link_new_person` (its own keys, the links, the audit rows) are not timed, and nothing is
written during the run: a probe is a record that is never saved.

`--synthetic` first bulk-loads an index of made-up people into an empty database: names from
Faker's en_GB lists (given names weighted by rank, surnames by Faker's frequencies), dates of
birth, sexes, homes for most, a few aliases, and about one record in eight another report of
an earlier person written differently (a nickname, a spelling slip, the surname first, a
partial or swapped date of birth), so that candidates and matches exist. It writes no audit
rows, so it refuses a database that already holds people.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import platform
import random
import re
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from vigil.core.benchmarks import percentile
from vigil.core.constants import BirthPrecision, PlaceKind, Sex

TARGET_MS = 50.0
WARMUP = 5
_INDEX = re.compile(r"(?:USING (?:COVERING )?INDEX|Index Scan using|Index Only Scan using|Bitmap Index Scan on) (\w+)")
TOWNS = (
    (53.48, -2.24, "Manchester"),
    (52.49, -1.89, "Birmingham"),
    (53.80, -1.55, "Leeds"),
    (51.45, -2.59, "Bristol"),
    (54.97, -1.61, "Newcastle"),
    (53.38, -1.47, "Sheffield"),
    (52.95, -1.15, "Nottingham"),
    (51.48, -3.18, "Cardiff"),
    (50.72, -3.53, "Exeter"),
    (52.63, 1.30, "Norwich"),
    (51.51, -0.13, "London"),
    (53.41, -2.98, "Liverpool"),
)
STREETS = ("Road", "Street", "Close", "Lane", "Avenue", "Drive", "Way", "Crescent", "Grove", "Terrace")


# --- the command's two functions (registered in vigil/bench/management/commands/bench.py) -------


def linkage_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--probes",
        type=int,
        default=100,
        help="New records to search for, of each kind: six kinds of variant, same-name decoys, never-seen people (default 100).",
    )
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="First bulk-load --persons synthetic people and their blocking keys (empty database only; no audit rows).",
    )
    parser.add_argument("--persons", type=int, default=1_000_000, help="How many people --synthetic loads (default 1,000,000).")
    parser.add_argument("--seed", type=int, default=2022, help="Random seed for the synthetic people and the probes.")


def linkage_run(command: BaseCommand, options: dict[str, Any]) -> None:
    probes = options.get("probes", 100)
    if probes < 2:
        raise CommandError("--probes must be at least 2")
    seed = options.get("seed", 2022)
    load: LoadSummary | None = None
    if options.get("synthetic"):
        persons = options.get("persons", 1_000_000)
        if persons < 100:
            raise CommandError("--persons must be at least 100")
        try:
            load = build_synthetic_persons(persons=persons, seed=seed, progress=command.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        command.stdout.write(
            f"Loaded {load.persons:,} persons, {load.keys:,} person index keys, {load.homes:,} homes and "
            f"{load.aliases:,} aliases in {load.seconds:.0f} s ({load.index_seconds:.0f} s building the person index)."
        )
    output = None if options.get("no_write") else Path(options["output"])
    try:
        result = run_linkage_bench(probes=probes, seed=seed, output=output, load=load)
    except LookupError as error:
        raise CommandError(str(error)) from None
    command.stdout.write(summary_line(result))
    if output is not None:
        command.stdout.write(f"Wrote the linkage section of {output}.")


# --- synthetic people ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Human:
    given: str
    middle: str
    surname: str
    born: dt.date
    sex: str
    home: int | None  # index into the homes made for the run


@dataclass
class Written:
    """One record of a human as written in a report."""

    name: str
    born: str | None  # YYYY-MM-DD, YYYY or None
    sex: str
    home: int | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadSummary:
    persons: int
    keys: int
    homes: int
    aliases: int
    seconds: float
    index_seconds: float = 0.0  # making the keys, writing them and building their indexes


class NameSource:
    """Names drawn like an English and Welsh person index: a few very common, many rare."""

    def __init__(self, rng: random.Random) -> None:
        from faker.providers.person.en_GB import Provider

        from vigil.people.linkage import names

        self.rng = rng
        self.male = list(Provider.first_names_male)
        self.female = list(Provider.first_names_female)
        # Faker's en_GB given names are in rough order of popularity with no weights: weigh by
        # rank (Zipf), so John and Sarah are common and Tristram is rare.
        self.given_cum = _cumulative([1.0 / (rank + 1) ** 0.9 for rank in range(len(self.male))])
        self.surnames = list(Provider.last_names)
        self.surname_cum = _cumulative(list(Provider.last_names.values()))
        nicknames: dict[str, list[str]] = {}
        for nickname, full_names in names.nickname_table().items():
            for full in full_names:
                nicknames.setdefault(full, []).append(nickname)
        self.nicknames = {k: sorted(v) for k, v in nicknames.items()}

    def human(self, homes: int) -> Human:
        rng = self.rng
        sex = Sex.MALE if rng.random() < 0.6 else Sex.FEMALE  # offender-heavy indexes lean male
        pool = self.male if sex == Sex.MALE else self.female
        given = rng.choices(pool, cum_weights=self.given_cum)[0]
        middle = rng.choices(pool, cum_weights=self.given_cum)[0] if rng.random() < 0.15 else ""
        surname = rng.choices(self.surnames, cum_weights=self.surname_cum)[0]
        if rng.random() < 0.03:
            surname = f"{surname}-{rng.choices(self.surnames, cum_weights=self.surname_cum)[0]}"
        year = min(2010, max(1930, int(rng.gauss(1985, 14))))
        born = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        home = rng.randrange(homes) if homes and rng.random() < 0.65 else None
        return Human(given, middle, surname, born, sex, home)

    def written(self, human: Human) -> Written:
        """The human as a first report writes them."""
        rng = self.rng
        name = " ".join(p for p in (human.given, human.middle if rng.random() < 0.5 else "", human.surname) if p)
        roll = rng.random()
        born = human.born.isoformat() if roll < 0.82 else str(human.born.year) if roll < 0.9 else None
        sex = human.sex if rng.random() < 0.95 else Sex.UNKNOWN
        return Written(name, born, sex, human.home)

    def variant(self, human: Human, homes: int) -> Written:
        """Another report of the same human, written differently in one or two ways."""
        rng = self.rng
        given, surname = human.given, human.surname
        born: str | None = human.born.isoformat()
        changes = rng.sample(["nickname", "given_slip", "surname_slip", "order", "dob", "dob", "none"], k=2)
        if "nickname" in changes and self.nicknames.get(given.lower()):
            given = rng.choice(self.nicknames[given.lower()]).title()
        if "given_slip" in changes:
            given = _slip(rng, given)
        if "surname_slip" in changes:
            surname = _slip(rng, surname)
        name = f"{given} {surname}"
        if "order" in changes:
            name = rng.choice([f"{surname.upper()} {given}", f"{surname}, {given}"])
        if "dob" in changes:
            d = human.born
            born = rng.choice(
                [
                    str(d.year),
                    None,
                    f"{d.year}-{d.day:02d}-{d.month:02d}" if d.day <= 12 else str(d.year),
                    f"{d.year}-{d.month:02d}-{(d.day % 28) + 1:02d}",
                ]
            )
        home = human.home if rng.random() < 0.5 else (rng.randrange(homes) if homes and rng.random() < 0.5 else None)
        sex = human.sex if rng.random() < 0.9 else Sex.UNKNOWN
        return Written(name, born, sex, home)


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _slip(rng: random.Random, word: str) -> str:
    """One typing or hearing slip after the first letter: a letter changed, dropped or doubled."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word))
    how = rng.choice(("change", "drop", "double"))
    if how == "change":
        return word[:i] + rng.choice("aeioulnrsty") + word[i + 1 :]
    if how == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _born_columns(born: str | None) -> tuple[str, dt.date | None, int | None]:
    if born is None:
        return BirthPrecision.UNKNOWN, None, None
    if len(born) == 4:
        return BirthPrecision.YEAR, None, int(born)
    try:
        day = dt.date.fromisoformat(born)
    except ValueError:
        return BirthPrecision.YEAR, None, int(born[:4])
    return BirthPrecision.FULL, day, day.year


def synthetic_homes(rng: random.Random, source: NameSource, count: int) -> list[tuple[str, float, float]]:
    """(address, lat, lon) of `count` homes in twelve towns of England and Wales."""
    homes = []
    for _ in range(count):
        lat, lon, town = rng.choice(TOWNS)
        address = f"{rng.randint(1, 240)} {rng.choice(source.surnames)} {rng.choice(STREETS)}, {town}"
        homes.append((address, round(lat + rng.uniform(-0.08, 0.08), 6), round(lon + rng.uniform(-0.12, 0.12), 6)))
    return homes


def synthetic_records(rng: random.Random, source: NameSource, homes: int) -> Iterator[tuple[Written, int]]:
    """Person records as a force's index holds them, without end: (record, index of the human
    it is about). About one record in eight is another report of an earlier human, written
    differently; 3% carry an alias."""
    humans: list[Human] = []
    while True:
        if humans and rng.random() < 0.125:
            which = rng.randrange(len(humans))
            yield source.variant(humans[which], homes), which
            continue
        human = source.human(homes)
        humans.append(human)
        record = source.written(human)
        if rng.random() < 0.03:
            record.aliases = (source.variant(human, homes).name,)
        yield record, len(humans) - 1


def build_synthetic_persons(*, persons: int, seed: int = 2022, progress: Any = None) -> LoadSummary:
    """Bulk-load `persons` synthetic person records, their homes, aliases and person index keys
    into a database with no people. Keys are made by the same function link_new_person uses.
    Rows go in with executemany (SQLite) or COPY (PostgreSQL), not through model instances,
    so a million people load in minutes. The key table's indexes are dropped for the load and
    built once at the end (sorting once is far quicker than a million scattered inserts); the
    time to make the keys, write them and build their indexes is the index's build time."""
    from django.core.management.color import no_style
    from django.db.models import Max

    from vigil.people.linkage import PersonRecord
    from vigil.people.linking import index_keys
    from vigil.people.models import BlockingKey, Person, PersonAlias, Place

    if Person.objects.exists():
        raise RuntimeError("the database already holds people: load the synthetic index into an empty one")
    started = time.perf_counter()
    rng = random.Random(seed)
    source = NameSource(rng)
    sqlite = connection.vendor == "sqlite"
    now: Any = timezone.now()
    now = connection.ops.adapt_datetimefield_value(now) if sqlite else now
    address_field = Place._meta.get_field("address")
    home_count = max(1, persons // 3)
    first_place = (Place.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    totals = {"keys": 0, "aliases": 0}
    index_seconds = 0.0
    batch = 20_000
    with transaction.atomic():
        with connection.cursor() as cursor:
            if sqlite:
                cursor.execute("PRAGMA cache_size = -2000000")  # 2 GB of page cache for the index build
            else:
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        rebuild = _drop_indexes(BlockingKey)
        places = [
            {
                "id": first_place + i,
                "address": address_field.get_db_prep_save(address, connection),
                "label": "",
                "kind": PlaceKind.HOME,
                "person_id": None,
                "lat": lat,
                "lon": lon,
                "protected": False,
                "created_at": now,
            }
            for i, (address, lat, lon) in enumerate(synthetic_homes(rng, source, home_count))
        ]
        _insert(Place, places)
        records = synthetic_records(rng, source, home_count)
        for start in range(0, persons, batch):
            count = min(batch, persons - start)
            written = [w for w, _ in itertools.islice(records, count)]
            rows, aliases, keys = [], [], []
            keyed = 0.0
            for i, w in enumerate(written):
                pk = start + i + 1
                precision, born_on, born_year = _born_columns(w.born)
                rows.append(
                    {
                        "id": pk,
                        "full_name": w.name,
                        "born_on": born_on.isoformat() if sqlite and born_on else born_on,
                        "born_year": born_year,
                        "birth_precision": precision,
                        "sex": w.sex,
                        "home_id": first_place + w.home if w.home is not None else None,
                        "is_police_staff": False,
                        "ref": "",
                        "created_at": now,
                    }
                )
                aliases += [{"person_id": pk, "name": a} for a in w.aliases]
                clock = time.perf_counter()
                as_linked = PersonRecord(ref=str(pk), name=w.name, aliases=w.aliases, born=w.born, sex=w.sex)
                keys += [{"person_id": pk, "key": k} for k in index_keys(as_linked)]
                keyed += time.perf_counter() - clock
            _insert(Person, rows)
            _insert(PersonAlias, aliases)
            clock = time.perf_counter()
            _insert(BlockingKey, keys)
            index_seconds += keyed + time.perf_counter() - clock
            totals["aliases"] += len(aliases)
            totals["keys"] += len(keys)
            if progress is not None and (start // batch) % 10 == 9:
                progress(f"  {start + count:,} persons loaded ({time.perf_counter() - started:.0f} s)")
        clock = time.perf_counter()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The keys' foreign-key checks are deferred to the commit; a table with checks
                # pending cannot be altered, so they are run now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql in rebuild:
                cursor.execute(sql)
            for sql in connection.ops.sequence_reset_sql(no_style(), [Place, Person]):
                cursor.execute(sql)
        index_seconds += time.perf_counter() - clock
    if connection.vendor == "postgresql":
        # VACUUM sets the visibility map, so the key lookups are index-only scans; it cannot run
        # inside a transaction (a test's), where ANALYZE alone still gives the planner sizes.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (Place, Person, PersonAlias, BlockingKey):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    elif sqlite:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return LoadSummary(
        persons, totals["keys"], home_count, totals["aliases"], time.perf_counter() - started, index_seconds=index_seconds
    )


def _drop_indexes(model: Any) -> list[str]:
    """Drop the secondary indexes (and unique constraints) of `model`'s table; return the SQL
    that builds them again, as the migrations made them."""
    table = model._meta.db_table
    q = connection.ops.quote_name
    rebuild: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [table]
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f"DROP INDEX {q(name)}")
                rebuild.append(sql)
        elif connection.vendor == "postgresql":
            # Only the table's owner may drop its indexes; the application's role (docs/security.md)
            # loads with them in place, which is slower but the same data.
            cursor.execute("SELECT pg_has_role(current_user, relowner, 'MEMBER') FROM pg_class WHERE oid = %s::regclass", [table])
            if not cursor.fetchone()[0]:
                return rebuild
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
                [table],
            )
            constraints = cursor.fetchall()
            for name, definition in constraints:
                cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
                rebuild.append(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {q(name)}")
                rebuild.append(definition)
    return rebuild


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Rows of one table, the fastest way each database takes them. Every concrete column but
    an omitted `id` must be given, so a new column fails here instead of loading wrong data."""
    if not rows:
        return
    columns = [f.column for f in model._meta.concrete_fields if f.column in rows[0] or f.column != "id"]
    missing = set(columns) - set(rows[0])
    if missing:
        raise RuntimeError(f"synthetic {model.__name__} rows lack {', '.join(sorted(missing))}")
    q = connection.ops.quote_name
    table, names = q(model._meta.db_table), ", ".join(q(c) for c in columns)
    values = [tuple(row[c] for c in columns) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # psycopg 3
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # noqa: S608


# --- probes: a stored person written another way, one kind of variation each ---------------

# The kinds of variation a variant probe carries, with the words the report uses.
VARIANT_KINDS = {
    "nickname": "nickname",
    "misspelling": "misspelling or transposition",
    "swapped": "first and last name swapped",
    "dob_missing": "birth date missing",
    "day_month": "day and month swapped",
    "new_address": "a new address",
}


def variant_probe(rng: random.Random, source: NameSource, stored: Any, kind: str, homes: Sequence[Any]) -> Any | None:
    """A new report of the `stored` record (a PersonRecord) carrying one kind of variation, or
    None when the record cannot carry it (no nickname for the name, no full date of birth, no
    home). The probe keeps everything else the stored record says, but its home only half the
    time (a report often leaves the address out) and never the aliases. `homes` are
    (address, lat, lon) to move a person to."""
    from vigil.people.linkage import names
    from vigil.people.linkage.dob import parse_birth

    forms = names.name_forms(stored.name)
    if not forms or not forms[0].given or not forms[0].surname:
        return None
    given, surname = names.display(forms[0].given), names.display(forms[0].surname)
    name, born = f"{given} {surname}", stored.born
    places, addresses = (stored.places, stored.addresses) if rng.random() < 0.5 else ((), ())
    birth = parse_birth(stored.born)
    if kind == "nickname":
        choices = sorted(set(source.nicknames.get(forms[0].given, ())) | set(names.nickname_table().get(forms[0].given, ())))
        choices = [c for c in choices if c != forms[0].given and len(c) > 1]
        if not choices:
            return None
        name = f"{names.display(rng.choice(choices))} {surname}"
    elif kind == "misspelling":
        if rng.random() < 0.5 and len(given) >= 4:
            name = f"{misspell(rng, given)} {surname}"
        elif len(surname) >= 4:
            name = f"{given} {misspell(rng, surname)}"
        else:
            return None
    elif kind == "swapped":
        name = rng.choice([f"{surname} {given}", f"{surname.upper()} {given}", f"{surname}, {given}"])
    elif kind == "dob_missing":
        if birth is None:
            return None
        born = None
    elif kind == "day_month":
        if birth is None or not birth.full or birth.day is None or birth.day > 12 or birth.day == birth.month:
            return None
        born = f"{birth.year:04d}-{birth.day:02d}-{birth.month:02d}"
    elif kind == "new_address":
        if not stored.places or not homes:
            return None
        address, lat, lon = rng.choice(homes)
        if (lat, lon) in stored.places:
            return None
        places, addresses = ((lat, lon),), (address,)
    else:
        raise ValueError(f"unknown kind of variation {kind!r}")
    return replace(stored, name=name, born=born, aliases=(), places=places, addresses=addresses)


def misspell(rng: random.Random, word: str) -> str:
    """One slip after the first letter: a letter changed, dropped, doubled, or two neighbours
    swapped; always different from `word`."""
    for _ in range(20):
        i = rng.randrange(1, len(word) - 1) if len(word) > 2 else 1
        how = rng.choice(("change", "drop", "double", "transpose"))
        if how == "change":
            out = word[:i] + rng.choice("aeioulnrsty") + word[i + 1 :]
        elif how == "drop":
            out = word[:i] + word[i + 1 :]
        elif how == "double":
            out = word[:i] + word[i] + word[i:]
        else:
            out = word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :]
        if out.lower() != word.lower():
            return out
    return word + "e"


def decoy_probe(rng: random.Random, stored: Any, homes: Sequence[Any]) -> Any | None:
    """Another person with the stored record's name: same name and sex, a full date of birth
    in another year (not one typing slip from the stored one), and a home of their own or
    none. Must never be linked automatically."""
    from vigil.people.linkage.dob import DOB_DIFFERENT, compare_dob, parse_birth

    birth = parse_birth(stored.born)
    years = [y for y in range(1930, 2011) if birth is None or abs(y - birth.year) > 1]
    day = dt.date(rng.choice(years), 1, 1) + dt.timedelta(days=rng.randrange(365))
    while stored.born is not None and compare_dob(day.isoformat(), stored.born)[0] != DOB_DIFFERENT:
        day = dt.date(rng.choice(years), 1, 1) + dt.timedelta(days=rng.randrange(365))  # not one typing slip away
    places: tuple[tuple[float, float], ...] = ()
    addresses: tuple[str, ...] = ()
    if homes and rng.random() < 0.5:
        address, lat, lon = rng.choice(homes)
        places, addresses = ((lat, lon),), (address,)
    return replace(stored, born=day.isoformat(), aliases=(), places=places, addresses=addresses)


# --- probes and timing --------------------------------------------------------------------------

PROBE_KINDS = (*VARIANT_KINDS, "decoy", "unseen")


@dataclass(frozen=True)
class Probe:
    kind: str  # a VARIANT_KINDS key, "decoy" (another person with a stored person's name) or "unseen"
    record: Any  # the PersonRecord searched for (never saved)
    source: int | None  # the stored person it was written from (a variant), or imitates (a decoy)


@dataclass(frozen=True)
class Outcome:
    """What one search did with one probe."""

    kind: str
    ms: float
    cpu_ms: float
    candidates: int
    narrowed: int
    whole: int
    cut: int
    compared: bool  # the source record was among the candidates scored in full
    matched: bool  # ... and was linked or sent to review
    linked: bool  # ... and was linked automatically
    ceiling: bool  # the model links or reviews the pair when it is compared (what any search can find at best)
    links: int  # automatic links made (for a decoy or an unseen person every one is false)
    source_linked: bool  # a decoy linked to the person whose name it has
    reviews: int


@dataclass(frozen=True)
class LinkageResult:
    when: dt.datetime
    database: str
    machine: str
    persons: int
    keys: int
    index_bytes: int  # the key table and its indexes
    prior: float
    outcomes: tuple[Outcome, ...]
    queries: int
    load_average: float  # the 1-minute load average around the run (the higher of before and after)
    indexes: tuple[str, ...]
    load: LoadSummary | None = None

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    @property
    def variants(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind in VARIANT_KINDS]

    def ms(self, q: float) -> float:
        return percentile([o.ms for o in self.outcomes], q)

    def cpu_ms(self, q: float) -> float:
        return percentile([o.cpu_ms for o in self.outcomes], q)

    @property
    def false_links(self) -> int:
        return sum(o.links for o in self.of("unseen"))

    @property
    def decoys_linked(self) -> int:
        return sum(o.source_linked for o in self.of("decoy"))

    @property
    def recall(self) -> float:
        variants = self.variants
        return sum(o.compared for o in variants) / len(variants) if variants else 0.0


def make_probes(per_kind: int, *, seed: int) -> list[Probe]:
    """`per_kind` probes of each kind: a stored person written another way, one kind of
    variation each (VARIANT_KINDS); a same-name decoy of a stored person (another person with
    their name, born in another year); and people the index has never seen."""
    from vigil.people.models import Person

    rng = random.Random(seed + 1)
    source = NameSource(rng)
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    if last is None:
        raise LookupError("no people to search: load some first (vigil bench linkage --synthetic)")
    homes = _stored_homes(rng, 500)
    probes: list[Probe] = []
    for kind in (*VARIANT_KINDS, "decoy"):
        made = tries = 0
        while made < per_kind:
            tries += 1
            if tries > per_kind * 200:
                raise LookupError(f"the index holds too few people to write {per_kind} probes of the kind {kind!r}")
            stored = _stored_record(rng, last)
            if stored is None:
                continue
            record = decoy_probe(rng, stored, homes) if kind == "decoy" else variant_probe(rng, source, stored, kind, homes)
            if record is None:
                continue
            probes.append(Probe(kind, replace(record, ref=f"probe-{kind}-{made}"), int(stored.ref)))
            made += 1
    from vigil.people.linkage import PersonRecord

    for i in range(per_kind):
        w = source.written(source.human(0))
        where = rng.choice(homes) if homes and rng.random() < 0.65 else None
        places, addresses = (((where[1], where[2]),), (where[0],)) if where else ((), ())
        probes.append(Probe("unseen", PersonRecord(f"probe-unseen-{i}", w.name, (), w.born, w.sex, places, addresses), None))
    rng.shuffle(probes)
    return probes


def _stored_record(rng: random.Random, last: int) -> Any:
    """A stored person picked at random, as the linkage model sees it."""
    from vigil.people.linking import person_record
    from vigil.people.models import Person

    for _ in range(20):
        person = Person.objects.select_related("home").prefetch_related("aliases").filter(pk=rng.randint(1, last)).first()
        if person is not None:
            return person_record(person)
    return None


def _stored_homes(rng: random.Random, count: int) -> list[tuple[str, float, float]]:
    """(address, lat, lon) of up to `count` stored homes, to move probes to."""
    from vigil.people.models import Place

    top = Place.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = sorted({rng.randint(1, top) for _ in range(count)}) if top else []
    places = Place.objects.filter(pk__in=picks, lat__isnull=False).order_by("pk")
    return [(p.address, p.lat, p.lon) for p in places if p.lat is not None and p.lon is not None]


def _probe_once(record: Any, prior: float | None) -> tuple[float, float, Any]:
    """(wall ms, CPU ms of this process, the search). On a shared machine the wall time includes
    waiting for a core; the CPU time is what the search itself cost."""
    from vigil.people.linking import search

    started, cpu = time.perf_counter(), time.process_time()
    found = search(record, prior=prior)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, found


def _outcome(probe: Probe, ms: float, cpu_ms: float, found: Any, prior: float) -> Outcome:
    from vigil.people.linkage.person import score_candidates

    decisions = {pk: result.decision for pk, result in found.matches}
    ceiling = False
    if probe.kind in VARIANT_KINDS and probe.source is not None:
        ceiling = bool(score_candidates(probe.record, _records_by_id([probe.source]), prior=prior))
    compared = probe.source in found.compared if probe.source is not None else False
    return Outcome(
        kind=probe.kind,
        ms=ms,
        cpu_ms=cpu_ms,
        candidates=found.candidates,
        narrowed=len(found.narrowed),
        whole=len(found.whole),
        cut=len(found.cut),
        compared=compared and probe.kind in VARIANT_KINDS,
        matched=probe.kind in VARIANT_KINDS and probe.source in decisions,
        linked=probe.kind in VARIANT_KINDS and decisions.get(probe.source) == "link",
        ceiling=ceiling,
        links=sum(d == "link" for d in decisions.values()),
        source_linked=probe.kind == "decoy" and decisions.get(probe.source) == "link",
        reviews=sum(d == "review" for d in decisions.values()),
    )


def _records_by_id(ids: list[int]) -> list[Any]:
    from vigil.people.linking import person_record
    from vigil.people.models import Person

    return [person_record(p) for p in Person.objects.select_related("home").prefetch_related("aliases").filter(pk__in=ids)]


def plan_indexes(record: Any) -> tuple[str, ...]:
    """Index names in the plans of the search's queries, read with EXPLAIN."""
    from vigil.people.linking import alias_sql, block_sizes, block_sizes_sql, candidate_sql, choose_blocks, search_plan

    plan = search_plan(record)
    keys = sorted(plan)
    blocks = choose_blocks(plan, block_sizes(keys))
    read, whole = list(blocks.read) or keys[:1], list(blocks.whole)
    plans = []
    with connection.cursor() as cursor:
        cursor.execute(*candidate_sql(read, whole=whole))
        ids = [row[0] for row in cursor.fetchall()][:50] or [0]
        for sql, params in (block_sizes_sql(keys), candidate_sql(read, whole=whole), alias_sql(ids)):
            cursor.execute(connection.ops.explain_query_prefix() + " " + sql, params)
            plans.append("\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall()))
    found: list[str] = []
    for text in plans:
        for name in _INDEX.findall(text):
            if name not in found:
                found.append(name)
    return tuple(found)


def index_bytes() -> int:
    """Bytes on disk of the person index: the key table and its indexes."""
    from vigil.people.models import BlockingKey

    table = BlockingKey._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
            return int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name = %s AND type IN ('table', 'index')", [table])
            names = [row[0] for row in cursor.fetchall()]
            marks = ", ".join(["%s"] * len(names))
            try:
                cursor.execute(f"SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN ({marks})", names)  # noqa: S608
            except Exception:  # noqa: BLE001 - a SQLite built without the dbstat table: size unknown
                return 0
            return int(cursor.fetchone()[0])
    return 0


def database_version() -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"  # type: ignore[attr-defined]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    return connection.vendor


def machine() -> str:
    from vigil.core.benchmarks import machine_summary

    return f"{machine_summary()}, Python {platform.python_version()}"


def run_linkage_bench(*, probes: int, seed: int, output: Path | None, load: LoadSummary | None = None) -> LinkageResult:
    from django.test.utils import CaptureQueriesContext

    from vigil.people.linking import index_prior, index_size
    from vigil.people.models import BlockingKey, Person

    prior = index_prior(index_size())
    written = make_probes(probes, seed=seed)
    for probe in written[:WARMUP]:
        _probe_once(probe.record, prior)
    load_before = os.getloadavg()[0]
    timed = [(probe, *_probe_once(probe.record, prior)) for probe in written]
    load_average = max(load_before, os.getloadavg()[0])
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        _probe_once(written[0].record, None)
    outcomes = tuple(_outcome(probe, ms, cpu_ms, found, prior) for probe, ms, cpu_ms, found in timed)
    result = LinkageResult(
        when=timezone.localtime(),
        database=database_version(),
        machine=machine(),
        persons=Person.objects.count(),
        keys=BlockingKey.objects.count(),
        index_bytes=index_bytes(),
        prior=prior,
        outcomes=outcomes,
        queries=len(captured.captured_queries),
        load_average=load_average,
        indexes=plan_indexes(written[0].record),
        load=load,
    )
    if output is not None:
        from vigil.core.benchmarks import read_named_section, write_named_section

        write_named_section(output, "linkage", render_section(result, read_named_section(output, "linkage")))
    return result


def _share(outcomes: list[Outcome], attribute: str) -> str:
    if not outcomes:
        return "–"
    hits = sum(bool(getattr(o, attribute)) for o in outcomes)
    return f"{hits}/{len(outcomes)}"


def _percent(outcomes: list[Outcome], attribute: str) -> str:
    if not outcomes:
        return "–"
    return f"{100 * sum(bool(getattr(o, attribute)) for o in outcomes) / len(outcomes):.1f}%"


def summary_line(r: LinkageResult) -> str:
    cands = [o.candidates for o in r.outcomes]
    return (
        f"{r.persons:,} persons, {len(r.outcomes)} probes: p50 {r.ms(50):.1f} ms  p95 {r.ms(95):.1f} ms  "
        f"CPU p50 {r.cpu_ms(50):.1f} ms p95 {r.cpu_ms(95):.1f} ms  load {r.load_average:.1f}  "
        f"candidates median {statistics.median(cands):.0f} p95 {percentile(cands, 95):.0f} max {max(cands)}  "
        f"variants found {_share(r.variants, 'compared')} ({_percent(r.variants, 'compared')}), linked or sent to "
        f"review {_share(r.variants, 'matched')}  false links {r.false_links}  decoys linked {r.decoys_linked}  "
        f"index {r.keys:,} keys, {r.index_bytes / 1e6:,.0f} MB"
    )


def _engine(database: str) -> str:
    return database.split()[0] if database else ""


def _run_label(r: LinkageResult) -> str:
    return f"{r.database}, {r.persons:,} persons"


SPEED_HEADER = (
    "| measured | database | persons | probes | p50 ms | p95 ms | max ms | CPU p50 / p95 ms | candidates "
    "(median / p95 / max) | queries | person index | load average |"
)
RECALL_HEADER = (
    "| database | persons | "
    + " | ".join(VARIANT_KINDS.values())
    + " | all variants | linked or sent to review | false links (never seen) | decoys linked |"
)


def p95_verdict(p95_ms: float, load_average: float, cores: int) -> str:
    """Whether the latency target holds, or that this run cannot say: with as many processes
    waiting as there are cores, a probe's wall-clock time is mostly its wait for a processor
    (recall and false links do not depend on the load; the timings do)."""
    if load_average >= cores:
        return (
            f"p95 **not judged**: the load average was {load_average:.1f} on {cores} cores, so the timings "
            "include waiting for a processor; re-run on a quiet machine"
        )
    return "p95 met" if p95_ms < TARGET_MS else "p95 **not met**"


def render_section(r: LinkageResult, previous: str | None = None) -> str:
    """The section: per run (database engine and index size) a row in each table and a note.
    A run replaces the rows and note of its own engine and size, and keeps the others."""
    from vigil.people.linking import MAX_BLOCK, MAX_WHOLE

    mine = (_engine(r.database), f"{r.persons:,}")
    speed: list[str] = []
    recall: list[str] = []
    notes: list[str] = []
    table = None
    for line in (previous or "").splitlines():
        if line.startswith("| measured"):
            table = speed
        elif line.startswith("| database"):
            table = recall
        elif line.startswith("| ") and table is not None:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            engine, persons = (cells[1], cells[2]) if table is speed else (cells[0], cells[1])
            if (_engine(engine), persons) != mine:
                table.append(line)
        elif line.startswith("- **"):
            head = line[4:].split("**", 1)[0]
            if not head.startswith(f"{r.database.split()[0]} ") or f", {mine[1]} persons" not in head:
                notes.append(line)
    cands = [o.candidates for o in r.outcomes]
    speed.append(
        f"| {r.when:%Y-%m-%d %H:%M} | {r.database} | {r.persons:,} | {len(r.outcomes)} | {r.ms(50):.1f} | {r.ms(95):.1f} | "
        f"{r.ms(100):.1f} | {r.cpu_ms(50):.1f} / {r.cpu_ms(95):.1f} | "
        f"{statistics.median(cands):.0f} / {percentile(cands, 95):.0f} / {max(cands)} | {r.queries} | "
        f"{r.keys:,} keys, {r.index_bytes / 1e6:,.0f} MB | {r.load_average:.1f} |"
    )
    variants = r.variants
    recall.append(
        f"| {r.database} | {r.persons:,} | "
        + " | ".join(_share(r.of(kind), "compared") for kind in VARIANT_KINDS)
        + f" | **{_share(variants, 'compared')} ({_percent(variants, 'compared')})** | {_share(variants, 'matched')} "
        f"| {r.false_links} of {len(r.of('unseen'))} | {r.decoys_linked} of {len(r.of('decoy'))} |"
    )
    met = {"recall": r.recall >= 0.995, "false links": r.false_links == 0}
    verdict = ", ".join(f"{name} {'met' if ok else '**not met**'}" for name, ok in met.items())
    verdict += f", {p95_verdict(r.ms(95), r.load_average, os.cpu_count() or 1)}"
    server = "; CPU time is the Python process only, not the server's" if _engine(r.database) == "PostgreSQL" else ""
    ceiling = sum(o.ceiling for o in variants)
    note = (
        f"- **{_run_label(r)}** ({r.when:%Y-%m-%d}, {r.machine}): targets at this size: {verdict}. "
        f"Load average {r.load_average:.1f} on {os.cpu_count()} cores during the run{server}. "
        f"Prior one in {1 / r.prior:,.0f}. Blocks larger than {MAX_BLOCK} records: narrowed "
        f"{sum(o.narrowed for o in r.outcomes):,} times, read whole (the narrowest key) "
        f"{sum(o.whole for o in r.outcomes):,} times, cut at {MAX_WHOLE:,} records {sum(o.cut for o in r.outcomes)} times. "
        f"Of the {len(variants)} variant probes, the model links or reviews {ceiling} when it compares them with their "
        f"source; the search compared {sum(o.compared for o in variants)}, linked {sum(o.linked for o in variants)} and "
        f"sent {sum(o.matched and not o.linked for o in variants)} to review. Never-seen people: "
        f"{sum(o.reviews for o in r.of('unseen')):,} reviews; same-name decoys: "
        f"{sum(o.links for o in r.of('decoy'))} links, {sum(o.reviews for o in r.of('decoy')):,} reviews."
    )
    if r.load is not None:
        note += (
            f" Synthetic index loaded in this run: {r.load.persons:,} persons, {r.load.homes:,} homes, "
            f"{r.load.aliases:,} aliases and {r.load.keys:,} keys in {r.load.seconds:,.0f} s, of which "
            f"{r.load.index_seconds:,.0f} s built the person index (keys made and written, indexes built)."
        )
    notes.append(note)
    lines = [
        "## Person linkage (`vigil bench linkage`)",
        "",
        "One new person record searched against the whole person index through the database (`linking.search`, "
        "the read side of `link_new_person`: the record's keys, their block sizes, the candidates' columns and "
        "aliases, and the model's score for every candidate; nothing is written). Each run times "
        f"{WARMUP} warm-up probes, then every probe below: the same number of each kind, six kinds of variant "
        "of a stored person (one variation each), same-name decoys (another person with a stored person's name, "
        "born in another year) and people the index has never seen. A variant is *found* when its stored "
        "person is among the candidates the model compares in full. Targets: at least 99.5% of variants found, "
        f"no false links among never-seen people, p95 < {TARGET_MS:.0f} ms. A run replaces the rows of its own "
        "database engine and index size.",
        "",
        SPEED_HEADER,
        "|---|---|---:|---:|---:|---:|---:|---|---|---:|---|---:|",
        *sorted(speed, key=_row_order),
        "",
        "Variants found, by kind of variation:",
        "",
        RECALL_HEADER,
        "|---|---:|" + "---:|" * (len(VARIANT_KINDS) + 4),
        *sorted(recall, key=_row_order),
        "",
        *notes,
    ]
    return "\n".join(lines)


def _row_order(line: str) -> tuple[str, int]:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    engine, persons = (cells[1], cells[2]) if re.match(r"\d{4}-", cells[0]) else (cells[0], cells[1])
    return (_engine(engine), int(persons.replace(",", "") or 0))
