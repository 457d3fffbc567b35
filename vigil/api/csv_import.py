"""`vigil import csv FILE --mapping MAPPING.toml [--dry-run]`: a force's records-management
export, through the event API's own path.

Each row becomes one event of the API's shape (`external_id` is the row's id, people and
places the export's own ids), and the rows go, in time order, in batches through
`check_batch` and `record_batch` (vigil.api.batch, vigil.api.recording): the same checks,
services, linking, policy and audit as `POST /api/v1/events`, written as the API client the
mapping names. There is no second importer.

- The whole file is read and checked first, row by row and batch by batch; every bad row is
  reported with its line, column and reason. A dry run stops there; a real run with a bad
  row writes nothing.
- Each batch is one transaction. The API's idempotency by source and event id makes a run
  resumable: killed, and run again, the batches already written are skipped (their rows are
  answered as duplicates), nothing is doubled, nothing is lost.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigil.api.batch import DEFINED_BY, KnownRefs, check_batch, check_shape
from vigil.api.csv_mapping import (
    FALSE,
    SKIP,
    TRUE,
    Cell,
    CsvMapping,
    EventMap,
    MappingError,
    PersonGroup,
    PlaceGroup,
    check_header,
)
from vigil.api.models import ApiClient, ExternalRef, ReceivedEvent
from vigil.api.problems import ApiProblem

_LIST = re.compile(r"[;,|\s]+")


@dataclass(frozen=True)
class BadRow:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


@dataclass
class Row:
    line: int
    at: dt.datetime
    event: dict[str, Any]
    columns: dict[str, str]  # the event's key -> the column it came from
    people: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)


@dataclass
class Defined:
    """A person or place record as the export wrote it, and the row and columns it came from."""

    record: dict[str, Any]
    line: int
    columns: dict[str, str]


@dataclass
class Export:
    rows: list[Row]
    bad: list[BadRow]
    people: dict[str, Defined]
    places: dict[str, Defined]
    skipped: int
    total: int


class _Bad(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


# --- reading rows --------------------------------------------------------------------------------


class _RowReader:
    def __init__(self, mapping: CsvMapping, values: dict[str, str], line: int) -> None:
        self.m, self.values, self.line = mapping, values, line

    def cell(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def coded(self, cell: Cell, key: str) -> Any:
        if cell.column is None:
            return cell.value
        raw = self.cell(cell.column)
        if cell.codes is None or raw == "":
            return raw or None
        table = self.m.codes[cell.codes]
        if raw.casefold() not in table:
            raise _Bad(cell.column, f"{raw!r} is not in the mapping's [codes.{cell.codes}] ({', '.join(table)})")
        return table[raw.casefold()]

    def moment(self, column: str, *, date_only: bool = False) -> dt.datetime | None:
        raw = self.cell(column)
        if not raw:
            return None
        pattern = self.m.date_format if date_only else self.m.datetime_format
        try:
            return dt.datetime.strptime(raw, pattern)  # noqa: DTZ007 - local to the batch's timezone, as the API reads it
        except ValueError:
            if not date_only:
                try:
                    return dt.datetime.strptime(raw, self.m.date_format).replace(hour=9)  # noqa: DTZ007 - as above
                except ValueError:
                    pass
            raise _Bad(column, f"{raw!r} is not a date in the mapping's format {pattern!r}") from None

    def number(self, column: str) -> float | None:
        raw = self.cell(column)
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            raise _Bad(column, f"{raw!r} is not a number") from None

    def boolean(self, cell: Cell, key: str) -> bool:
        value = self.coded(cell, key)
        if isinstance(value, bool):
            return value
        text = str(value or "").strip().casefold()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise _Bad(cell.column or key, f"{value!r} is not yes or no ({'/'.join(TRUE)} or {'/'.join(f for f in FALSE if f)})")


def _person(r: _RowReader, group: PersonGroup, export: Export) -> str | None:
    ref = r.cell(group.id)
    if not ref:
        return None
    if group.full_name:
        name = r.cell(group.full_name)
    else:
        name = " ".join(p for p in (r.cell(group.forenames) if group.forenames else "", r.cell(group.surname or "")) if p)
    if name and ref not in export.people:
        columns = {"name": group.full_name or group.surname or group.id, "ref": group.id}
        record: dict[str, Any] = {"ref": ref, "name": name}
        if group.born:
            born = r.moment(group.born, date_only=True)
            columns["born"] = group.born
            if born is not None:
                record["born"] = born.date().isoformat()
        if group.sex:
            columns["sex"] = group.sex
            record["sex"] = r.coded(Cell(column=group.sex, codes="sex" if "sex" in r.m.codes else None), "sex") or "unknown"
        if group.aliases and r.cell(group.aliases):
            columns["aliases"] = group.aliases
            record["aliases"] = [a.strip() for a in r.cell(group.aliases).split(";") if a.strip()]
        if group.home:
            home = _place(r, r.m.places[group.home], export)
            if home is not None:
                record["home"] = home
                columns["home"] = r.m.places[group.home].id or r.m.places[group.home].address or group.home
        export.people[ref] = Defined(record, r.line, columns)
    return ref


def _place(r: _RowReader, group: PlaceGroup, export: Export) -> str | None:
    address = r.cell(group.address) if group.address else ""
    ref = r.cell(group.id) if group.id else (f"address:{' '.join(address.casefold().split())}" if address else "")
    if not ref:
        return None
    if ref in export.places:
        return ref
    columns = {"ref": group.id or group.address or group.name}
    if group.lat and group.lon:
        lat, lon = r.number(group.lat), r.number(group.lon)
        columns |= {"lat": group.lat, "lon": group.lon}
        if lat is None or lon is None:
            raise _Bad(group.lat if lat is None else group.lon, "is empty: a place needs its position")
    else:
        assert group.easting and group.northing
        east, north = r.number(group.easting), r.number(group.northing)
        columns |= {"lat": group.northing, "lon": group.easting}
        if east is None or north is None:
            raise _Bad(group.easting if east is None else group.northing, "is empty: a place needs its position")
        if not (0 <= east <= 700_000 and 0 <= north <= 1_300_000):
            raise _Bad(group.easting, f"{east:.0f}, {north:.0f} is not a British National Grid position")
        from vigil.gazetteer.osgb import grid_point

        lat, lon = grid_point(east, north)
    kind = r.coded(group.kind, "kind") or "other"
    record: dict[str, Any] = {"ref": ref, "kind": kind, "lat": round(lat, 6), "lon": round(lon, 6)}
    if address:
        record["address"] = address[:300]
    if group.label and r.cell(group.label):
        record["label"] = r.cell(group.label)[:150]
    export.places[ref] = Defined(record, r.line, columns)
    return ref


def _event_keys(r: _RowReader, spec: EventMap, row: Row, export: Export) -> None:
    from vigil.api.batch import PERSON_LIST_KEYS

    event = row.event
    for key, cell in spec.cells.items():
        where = cell.column or key
        if cell.person is not None:
            group = r.m.people[cell.person]
            ref = _person(r, group, export)
            where = group.id
            if ref is not None:
                row.people.add(ref)
                event[key] = [ref] if key in PERSON_LIST_KEYS else ref
        elif cell.place is not None:
            group_place = r.m.places[cell.place]
            ref = _place(r, group_place, export)
            where = group_place.id or group_place.address or cell.place
            if ref is not None:
                row.places.add(ref)
                event[key] = ref
        elif key in ("expires", "bail_until") and cell.column:
            moment = r.moment(cell.column)
            if moment is not None:
                event[key] = moment.isoformat()
        elif key in ("weapons", "threat_to_kill"):
            event[key] = r.boolean(cell, key)
        else:
            value = r.coded(cell, key)
            if value is not None and value != "":
                event[key] = value
        row.columns[key] = where
    if spec.answers_yes:
        raw = r.cell(spec.answers_yes)
        yes = set()
        for part in _LIST.split(raw):
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= spec.questions:
                raise _Bad(spec.answers_yes, f"{part!r} is not a question number from 1 to {spec.questions}")
            yes.add(int(part))
        event["answers"] = {str(n): n in yes for n in range(1, spec.questions + 1)}
        row.columns["answers"] = spec.answers_yes
    conditions: list[dict[str, Any]] = []
    if spec.no_contact is not None and r.boolean(spec.no_contact, "no_contact"):
        conditions.append({"kind": "no_contact"})
        row.columns["conditions"] = spec.no_contact.column or "no_contact"
    if spec.exclusion_place is not None and spec.exclusion_radius is not None:
        centre = _place(r, r.m.places[spec.exclusion_place], export)
        radius_cell = spec.exclusion_radius
        radius = r.number(radius_cell.column) if radius_cell.column else radius_cell.value
        if centre is not None and radius:
            row.places.add(centre)
            conditions.append({"kind": "exclusion_zone", "place": centre, "radius_m": radius})
            row.columns.setdefault("conditions", radius_cell.column or "exclusion_zone")
    if conditions:
        event["conditions"] = conditions


def _read_row(mapping: CsvMapping, values: dict[str, str], line: int, export: Export) -> Row | None:
    r = _RowReader(mapping, values, line)
    code = r.cell(mapping.type_column)
    kind = mapping.types.get(code.casefold())
    if kind is None:
        raise _Bad(
            mapping.type_column, f'record type {code!r} is not in the mapping\'s [types] (map it to an event, or to "skip")'
        )
    if kind == SKIP:
        return None
    ids = [r.cell(c) for c in mapping.id_columns]
    for column, value in zip(mapping.id_columns, ids, strict=True):
        if not value:
            raise _Bad(column, "is empty: every row needs its own id")
    at = r.moment(mapping.at_column)
    if at is None:
        raise _Bad(mapping.at_column, "is empty: when were the police told?")
    row = Row(line, at, {"external_id": ":".join(ids), "type": kind, "at": at.isoformat()}, {"at": mapping.at_column})
    row.columns |= {"external_id": mapping.id_columns[0], "type": mapping.type_column}
    if mapping.summary_column and r.cell(mapping.summary_column):
        row.event["summary"] = r.cell(mapping.summary_column)
        row.columns["summary"] = mapping.summary_column
    _event_keys(r, mapping.events[kind], row, export)
    return row


def read_export(path: str | Path, mapping: CsvMapping) -> Export:
    """Every row of the export, read (not yet checked against the API's rules): the rows as
    events, the bad ones with their line, column and reason, and the people and places they
    define. Raises `MappingError` for a file whose header lacks a mapped column."""
    export = Export([], [], {}, {}, 0, 0)
    seen: dict[str, int] = {}
    try:
        handle = open(path, newline="", encoding=mapping.encoding)  # noqa: SIM115 - closed below
    except OSError as error:
        raise MappingError("(file)", f"cannot read {path}: {error.strerror}") from None
    with handle:
        reader = csv.DictReader(handle, delimiter=mapping.delimiter)
        try:
            check_header(mapping, reader.fieldnames or [])
            start = reader.line_num + 1
            for values in reader:
                export.total += 1
                line, start = start, reader.line_num + 1
                if None in values:
                    export.bad.append(BadRow(line, "(row)", f"{len(reader.fieldnames or [])} columns expected, more found"))
                    continue
                try:
                    row = _read_row(mapping, values, line, export)
                except _Bad as bad:
                    export.bad.append(BadRow(line, bad.column, bad.reason))
                    continue
                if row is None:
                    export.skipped += 1
                    continue
                first = seen.setdefault(row.event["external_id"], line)
                if first != line:
                    export.bad.append(
                        BadRow(line, mapping.id_columns[0], f"id {row.event['external_id']!r} is also line {first}")
                    )
                    continue
                export.rows.append(row)
        except UnicodeDecodeError as error:
            raise MappingError("encoding", f"the file is not {mapping.encoding}: {error}") from None
        except csv.Error as error:
            raise MappingError("(file)", f"line {reader.line_num}: {error}") from None
    export.rows.sort(key=lambda row: (row.at, row.line))
    return export


# --- checking and batching -------------------------------------------------------------------------


def batch_body(mapping: CsvMapping, rows: Sequence[Row], export: Export) -> dict[str, Any]:
    """The rows as one `POST /api/v1/events` body, with every person and place they name."""
    people = sorted({ref for row in rows for ref in row.people if ref in export.people})
    places = {ref for row in rows for ref in row.places if ref in export.places}
    places |= {export.people[ref].record["home"] for ref in people if "home" in export.people[ref].record}
    body: dict[str, Any] = {
        "source": mapping.source,
        "timezone": mapping.timezone,
        "people": [export.people[ref].record for ref in people],
        "places": [export.places[ref].record for ref in sorted(places)],
        "events": [row.event for row in rows],
    }
    if mapping.team is not None:
        body["team"] = mapping.team
    return body


def _where(item_field: str, row: Row | None, export: Export, body: dict[str, Any]) -> tuple[int | None, str]:
    """The line and column of a problem the API named as a path of the body."""
    found = re.match(r"^(events|people|places)\[(\d+)\](?:\.([a-z_]+))?", item_field)
    if found is None:
        return (row.line if row else None), item_field
    part, index, key = found[1], int(found[2]), found[3] or ""
    if part == "events" and row is not None:
        return row.line, row.columns.get(key, key or "(row)")
    records = body.get(part, [])
    if index < len(records):
        defined = (export.people if part == "people" else export.places).get(records[index]["ref"])
        if defined is not None:
            return defined.line, defined.columns.get(key, key or "(row)")
    return (row.line if row else None), item_field


def _row_problems(mapping: CsvMapping, row: Row, export: Export, defined: dict[str, set[str]], known: KnownRefs) -> list[BadRow]:
    """One row on its own: the API's shapes, and the refs it names defined before it."""
    body = batch_body(mapping, [row], export)
    try:
        check_shape(body)
    except ApiProblem as problem:
        bad = []
        for item in problem.errors:
            line, column = _where(item.field, row, export, body)
            key = item.field.rsplit(".", 1)[-1]
            detail = f"is empty: a {row.event['type']} event needs its {key}" if item.detail == "Field required" else item.detail
            bad.append(BadRow(line or row.line, column, detail))
        return bad
    problems = []
    for person in row.people:
        if person not in export.people and person not in known.people:
            column = next((c for k, c in row.columns.items() if row.event.get(k) in (person, [person])), "(row)")
            problems.append(BadRow(row.line, column, f"person {person!r} has no name in this file and was not sent before"))
    for key, defining in DEFINED_BY.items():
        ref = row.event.get(key)
        if not isinstance(ref, str):
            continue
        if row.event["type"] == defining:
            defined[key].add(ref)
        elif ref not in defined[key] and ref not in known.of(key):
            problems.append(
                BadRow(
                    row.line,
                    row.columns.get(key, key),
                    f"{key} {ref!r} is not {defining.split('_')[1]} on an earlier row nor sent before",
                )
            )
    return problems


def batches(rows: Sequence[Row], size: int) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def check_export(client: ApiClient, mapping: CsvMapping, export: Export, *, size: int) -> list[BadRow]:
    """Every bad row, by the API's own checks: each row alone, then each batch as it would be
    sent (refs granted by an earlier batch of this file count as known). Writes nothing."""
    bad = list(export.bad)
    wanted: dict[str, set[str]] = {kind: set() for kind in ("person", *DEFINED_BY)}
    for row in export.rows:
        wanted["person"] |= row.people - set(export.people)
        for key in DEFINED_BY:
            if isinstance(row.event.get(key), str):
                wanted[key].add(row.event[key])
    known = KnownRefs()
    for kind, refs in wanted.items():
        if refs:
            rows_known = ExternalRef.objects.filter(source=mapping.source, kind=kind, external_id__in=refs)
            known.of(kind).update(rows_known.values_list("external_id", "object_id"))
    defined: dict[str, set[str]] = {key: set() for key in DEFINED_BY}
    good = []
    for row in export.rows:
        problems = _row_problems(mapping, row, export, defined, known)
        bad.extend(problems)
        if not problems:
            good.append(row)
    earlier = KnownRefs(**{name: dict(getattr(known, name)) for name in ("people", "places", "orders", "warrants", "requests")})
    for chunk in batches(good, size):
        rows = list(chunk)
        for _ in range(len(rows)):
            if not rows:
                break
            body = batch_body(mapping, rows, export)
            try:
                check_batch(client, body, assumed=earlier)
                break
            except ApiProblem as problem:
                if not problem.errors:
                    raise
                found = _bad_rows(problem, rows, export, body)
                bad.extend(found)
                dropped = {b.line for b in found}
                if not any(row.line in dropped for row in rows):
                    break  # a record another row defined: reported, and the rest of the batch with it
                rows = [row for row in rows if row.line not in dropped]
        for row in rows:
            for key in DEFINED_BY:
                if isinstance(row.event.get(key), str):
                    earlier.of(key).setdefault(row.event[key], 0)
    return sorted(set(bad), key=lambda b: (b.line, b.column))


# --- writing -----------------------------------------------------------------------------------------


@dataclass
class Written:
    rows: int = 0
    recorded: int = 0
    already: int = 0  # rows an earlier run wrote
    batches: int = 0
    actions: int = 0
    seconds: float = 0.0


def write_export(
    client: ApiClient,
    mapping: CsvMapping,
    export: Export,
    *,
    size: int,
    advance: Callable[[int], None] = lambda n: None,
) -> Written:
    """Write the checked rows, a batch a transaction, through the API's own path; a batch an
    earlier run wrote whole is skipped without a look at the policy."""
    from vigil.api.recording import record_batch

    written = Written()
    began = time.perf_counter()
    for chunk in batches(export.rows, size):
        ids = [row.event["external_id"] for row in chunk]
        done = ReceivedEvent.objects.filter(source=mapping.source, external_id__in=ids).count()
        if done == len(ids):
            written.already += done
        else:
            body = batch_body(mapping, chunk, export)
            try:
                answer = record_batch(check_batch(client, body))
            except ApiProblem as problem:
                written.seconds = time.perf_counter() - began
                raise ImportStopped(problem, _bad_rows(problem, chunk, export, body), written) from None
            written.recorded += answer["recorded"]
            written.already += answer["duplicates"]
            written.actions += sum(len(e["policy"]["created"]) for e in answer["events"] if e["status"] == "recorded")
            written.batches += 1
        written.rows += len(chunk)
        advance(len(chunk))
    written.seconds = time.perf_counter() - began
    return written


class ImportStopped(Exception):
    """A batch refused while writing (a service's refusal, another run writing the same ids):
    that batch wrote nothing; the batches before it stay written."""

    def __init__(self, problem: ApiProblem, bad: list[BadRow], written: Written) -> None:
        super().__init__(problem.detail)
        self.problem, self.bad, self.written = problem, bad, written


def _bad_rows(problem: ApiProblem, rows: Sequence[Row], export: Export, body: dict[str, Any]) -> list[BadRow]:
    bad = []
    for item in problem.errors:
        row = rows[item.index] if item.index is not None and item.index < len(rows) else None
        line, column = _where(item.field, row, export, body)
        bad.append(BadRow(line or rows[0].line, column, item.detail))
    return bad


def import_client(mapping: CsvMapping, name: str | None = None) -> ApiClient:
    """The API client the import writes as: `--client`, else the mapping's `client`."""
    wanted = name or mapping.client
    client = ApiClient.objects.filter(name=wanted).first()
    if client is None:
        raise MappingError(
            "client", f"no API client called {wanted!r} (vigil api-client create {wanted} --source {mapping.source} …)"
        )
    if not client.active:
        raise MappingError("client", f"the API client {wanted!r} is revoked")
    if mapping.source not in client.sources:
        raise MappingError("source", f"the API client {wanted!r} sends for {', '.join(client.sources)}, not {mapping.source!r}")
    return client
