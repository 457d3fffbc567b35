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
import os
import platform
import random
import re
import statistics
import time
from dataclasses import dataclass, field
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


# --- the command's two functions (registered in vigil/core/management/commands/bench.py) -------


def linkage_arguments(parser: CommandParser) -> None:
    parser.add_argument("--probes", type=int, default=200, help="New records to search for (default 200).")
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="First bulk-load --persons synthetic people and their blocking keys (empty database only; no audit rows).",
    )
    parser.add_argument("--persons", type=int, default=1_000_000, help="How many people --synthetic loads (default 1,000,000).")
    parser.add_argument("--seed", type=int, default=2022, help="Random seed for the synthetic people and the probes.")


def linkage_run(command: BaseCommand, options: dict[str, Any]) -> None:
    probes = options.get("probes", 200)
    if probes < 10:
        raise CommandError("--probes must be at least 10")
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
            f"Loaded {load.persons:,} persons, {load.keys:,} blocking keys, {load.homes:,} homes and "
            f"{load.aliases:,} aliases in {load.seconds:.0f} s."
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


def build_synthetic_persons(*, persons: int, seed: int = 2022, progress: Any = None) -> LoadSummary:
    """Bulk-load `persons` synthetic person records, their homes, aliases and blocking keys
    into a database with no people. Keys are made by the same function link_new_person uses.
    Rows go in with executemany (SQLite) or COPY (PostgreSQL), not through model instances,
    so a million people load in minutes."""
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
    humans: list[Human] = []
    totals = {"keys": 0, "aliases": 0}
    batch = 20_000
    with transaction.atomic():
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -2000000")  # 2 GB of page cache for the index inserts
        places = []
        for i in range(home_count):
            lat, lon, town = rng.choice(TOWNS)
            address = f"{rng.randint(1, 240)} {rng.choice(source.surnames)} {rng.choice(STREETS)}, {town}"
            places.append(
                {
                    "id": first_place + i,
                    "address": address_field.get_db_prep_save(address, connection),
                    "label": "",
                    "kind": PlaceKind.HOME,
                    "person_id": None,
                    "lat": round(lat + rng.uniform(-0.08, 0.08), 6),
                    "lon": round(lon + rng.uniform(-0.12, 0.12), 6),
                    "protected": False,
                    "created_at": now,
                }
            )
        _insert(Place, places)
        for start in range(0, persons, batch):
            count = min(batch, persons - start)
            written: list[Written] = []
            for _ in range(count):
                if humans and rng.random() < 0.125:
                    written.append(source.variant(rng.choice(humans), home_count))
                    continue
                human = source.human(home_count)
                humans.append(human)
                record = source.written(human)
                if rng.random() < 0.03:
                    record.aliases = (source.variant(human, home_count).name,)
                written.append(record)
            rows, aliases, keys = [], [], []
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
                as_linked = PersonRecord(ref=str(pk), name=w.name, aliases=w.aliases, born=w.born, sex=w.sex)
                keys += [{"person_id": pk, "key": k} for k in index_keys(as_linked)]
            _insert(Person, rows)
            _insert(PersonAlias, aliases)
            _insert(BlockingKey, keys)
            totals["aliases"] += len(aliases)
            totals["keys"] += len(keys)
            if progress is not None and (start // batch) % 10 == 9:
                progress(f"  {start + count:,} persons loaded ({time.perf_counter() - started:.0f} s)")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Place, Person]):
                cursor.execute(sql)
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
    return LoadSummary(persons, totals["keys"], home_count, totals["aliases"], time.perf_counter() - started)


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


# --- probes and timing --------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkageResult:
    when: dt.datetime
    database: str
    machine: str
    persons: int
    keys: int
    probes: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    load_average: float  # the 1-minute load average around the run (the higher of before and after)
    candidates: tuple[int, ...]
    queries: int
    searched_keys: float  # mean keys whose blocks were read, per probe
    all_keys: float  # mean blocking keys per probe
    variants: int  # probes written from a stored record
    variants_found: int  # ... whose source record was among the candidates
    variants_matched: int  # ... which the model linked or sent to review
    matches: int  # link or review decisions over all probes
    indexes: tuple[str, ...]
    load: LoadSummary | None = None
    samples: tuple[float, ...] = field(default=(), repr=False)


def make_probes(count: int, *, seed: int) -> list[tuple[Any, int | None]]:
    """(record, source person id or None): half are new reports of a stored person written
    differently, half are people the index has never seen."""
    from vigil.people.linkage import PersonRecord
    from vigil.people.models import Person

    rng = random.Random(seed + 1)
    source = NameSource(rng)
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    if last is None:
        raise LookupError("no people to search: load some first (vigil bench linkage --synthetic)")
    probes: list[tuple[Any, int | None]] = []
    for i in range(count):
        if i % 2 == 0:
            stored = _stored_record(rng, last)
            if stored is not None:
                probes.append((_rewrite(rng, source, stored, i), int(stored.ref)))
                continue
        human = source.human(0)
        w = source.written(human)
        probes.append((PersonRecord(ref=f"probe-{i}", name=w.name, born=w.born, sex=w.sex), None))
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


def _rewrite(rng: random.Random, source: NameSource, stored: Any, i: int) -> Any:
    """A new report of the stored person: the name and date of birth written another way."""
    from dataclasses import replace

    from vigil.people.linkage import names

    forms = names.name_forms(stored.name)
    if not forms or not forms[0].given:
        return replace(stored, ref=f"probe-{i}", aliases=())
    form = forms[0]
    born = dt.date.fromisoformat(stored.born) if stored.born and len(stored.born) == 10 else None
    human = Human(
        names.display(form.given),
        "",
        names.display(form.surname),
        born or dt.date(int(stored.born or 1985), 6, 15),
        stored.sex,
        None,
    )
    w = source.variant(human, 0)
    if born is None:
        w.born = stored.born if rng.random() < 0.5 else None
    return replace(stored, ref=f"probe-{i}", name=w.name, born=w.born, aliases=())


def _probe_once(record: Any) -> tuple[float, float, Any]:
    """(wall ms, CPU ms of this process, the search). On a shared machine the wall time includes
    waiting for a core; the CPU time is what the search itself cost."""
    from vigil.people.linking import search

    started, cpu = time.perf_counter(), time.process_time()
    found = search(record)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, found


def plan_indexes(record: Any) -> tuple[str, ...]:
    """Index names in the plans of the search's queries, read with EXPLAIN."""
    from vigil.people.linking import alias_sql, block_sizes, block_sizes_sql, candidate_sql, index_keys, searched_keys

    keys = index_keys(record)
    searched = searched_keys(block_sizes(keys)) or keys[:1]
    plans = []
    with connection.cursor() as cursor:
        cursor.execute(*candidate_sql(searched))
        ids = [row[0] for row in cursor.fetchall()][:50] or [0]
        for sql, params in (block_sizes_sql(keys), candidate_sql(searched), alias_sql(ids)):
            cursor.execute(connection.ops.explain_query_prefix() + " " + sql, params)
            plans.append("\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall()))
    found: list[str] = []
    for plan in plans:
        for name in _INDEX.findall(plan):
            if name not in found:
                found.append(name)
    return tuple(found)


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

    from vigil.people.models import BlockingKey, Person

    records = make_probes(probes + WARMUP, seed=seed)
    for record, _ in records[:WARMUP]:
        _probe_once(record)
    records = records[WARMUP:]
    samples: list[float] = []
    cpu_samples: list[float] = []
    searches = []
    load_before = os.getloadavg()[0]
    for record, _ in records:
        ms, cpu_ms, found = _probe_once(record)
        samples.append(ms)
        cpu_samples.append(cpu_ms)
        searches.append(found)
    load_average = max(load_before, os.getloadavg()[0])
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        _probe_once(records[0][0])
    variants = found_count = matched = 0
    for (_record, source), found in zip(records, searches, strict=True):
        if source is None:
            continue
        variants += 1
        found_count += BlockingKey.objects.filter(person_id=source, key__in=found.searched).exists()
        matched += any(pk == source for pk, _ in found.matches)
    result = LinkageResult(
        when=timezone.localtime(),
        database=database_version(),
        machine=machine(),
        persons=Person.objects.count(),
        keys=BlockingKey.objects.count(),
        probes=len(records),
        p50_ms=statistics.median(samples),
        p95_ms=percentile(samples, 95),
        max_ms=max(samples),
        cpu_p50_ms=statistics.median(cpu_samples),
        cpu_p95_ms=percentile(cpu_samples, 95),
        load_average=load_average,
        candidates=tuple(s.candidates for s in searches),
        queries=len(captured.captured_queries),
        searched_keys=statistics.mean(len(s.searched) for s in searches),
        all_keys=statistics.mean(len(s.keys) for s in searches),
        variants=variants,
        variants_found=found_count,
        variants_matched=matched,
        matches=sum(len(s.matches) for s in searches),
        indexes=plan_indexes(records[0][0]),
        load=load,
        samples=tuple(samples),
    )
    if output is not None:
        from vigil.core.benchmarks import read_named_section, write_named_section

        write_named_section(output, "linkage", render_section(result, read_named_section(output, "linkage")))
    return result


def summary_line(r: LinkageResult) -> str:
    return (
        f"{r.persons:,} persons, {r.probes} probes: p50 {r.p50_ms:.1f} ms  p95 {r.p95_ms:.1f} ms  max {r.max_ms:.1f} ms  "
        f"CPU p50 {r.cpu_p50_ms:.1f} ms p95 {r.cpu_p95_ms:.1f} ms  load {r.load_average:.1f}  "
        f"candidates median {statistics.median(r.candidates):.0f} p95 {percentile(list(r.candidates), 95):.0f} "
        f"max {max(r.candidates)}  queries {r.queries}  variants found {r.variants_found}/{r.variants}  "
        f"indexes {', '.join(r.indexes) or '-'}"
    )


ROW_HEADER = (
    "| measured | database | persons | p50 ms | p95 ms | max ms | CPU p50 / p95 ms | candidates scored "
    "(median / p95 / max) | queries | indexes in the plan |"
)


def _engine(database: str) -> str:
    return database.split()[0] if database else ""


def render_section(r: LinkageResult, previous: str | None = None) -> str:
    """The section: one table row and one note per database engine. A run replaces the row
    and note of its own engine (SQLite or PostgreSQL) and keeps the other's from `previous`."""
    from vigil.people.linking import MAX_BLOCK, MAX_CANDIDATES

    engine = _engine(r.database)
    rows: list[str] = []
    notes: list[str] = []
    for line in (previous or "").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and not line.startswith("| measured") and len(cells) > 2 and _engine(cells[1]) != engine:
            rows.append(line)
        elif line.startswith("- **") and _engine(line[4:]) != engine:
            notes.append(line)
    indexes = ", ".join(f"`{i}`" for i in r.indexes) or "none (table scan)"
    cands = list(r.candidates)
    rows.append(
        f"| {r.when:%Y-%m-%d %H:%M} | {r.database} | {r.persons:,} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.max_ms:.1f} | "
        f"{r.cpu_p50_ms:.1f} / {r.cpu_p95_ms:.1f} | "
        f"{statistics.median(cands):.0f} / {percentile(cands, 95):.0f} / {max(cands)} | {r.queries} | {indexes} |"
    )
    met = "met" if r.p95_ms < TARGET_MS else "**not met**"
    server = "; CPU time is the Python process only, not the server's" if engine == "PostgreSQL" else ""
    note = (
        f"- **{r.database}** ({r.when:%Y-%m-%d}, {r.machine}): {r.persons:,} persons, {r.keys:,} blocking keys, "
        f"{r.probes} probes; target {met} (wall-clock p95). Load average {r.load_average:.1f} on "
        f"{os.cpu_count()} cores during the run{server}. Keys per probe: {r.all_keys:.1f} on average, {r.searched_keys:.1f} "
        f"searched (the rest common-name blocks of more than {MAX_BLOCK} records, or beyond the budget of "
        f"{MAX_CANDIDATES} candidates). Of the {r.variants} probes written from a stored person, that person was a "
        f"candidate for {r.variants_found} and was linked or sent to review for {r.variants_matched}; all probes "
        f"together made {r.matches:,} link or review decisions."
    )
    if r.load is not None:
        note += (
            f" Synthetic index loaded in this run: {r.load.persons:,} persons, {r.load.homes:,} homes, "
            f"{r.load.aliases:,} aliases and {r.load.keys:,} keys in {r.load.seconds:,.0f} s."
        )
    notes.append(note)
    lines = [
        "## Person linkage (`vigil bench linkage`)",
        "",
        "One new person record searched against the whole person index through the database: its blocking "
        "keys, the block sizes, the candidates' columns and aliases, and the model's score for every candidate "
        "(`linking.search`, the read side of `link_new_person`; its writes are not timed, and nothing is "
        f"written). Each run times {WARMUP} warm-up probes, then the probes counted below; half are a stored "
        "person written another way, half people the index has never seen. Target: p95 < "
        f"{TARGET_MS:.0f} ms. A run replaces the row of its own database engine.",
        "",
        ROW_HEADER,
        "|---|---|---:|---:|---:|---:|---|---|---:|---|",
        *rows,
        "",
        *notes,
    ]
    return "\n".join(lines)
