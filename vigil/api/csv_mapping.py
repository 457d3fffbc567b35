"""A mapping file for `vigil import csv`: which columns of a force's records-management export
hold the people, places, incidents, orders and warrants, and which of its codes mean what.

The file is TOML (`vigil-csv-mapping/1`); docs/csv-import.md describes every key and
docs/rms-*.toml are two worked examples. A mapping is checked whole before a row is read,
and a bad one is refused naming its key (`events.report.victim: …`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigil.api.batch import DEFINED_BY, PERSON_KEYS, PERSON_LIST_KEYS
from vigil.timeline import reader as R
from vigil.timeline.schema import EVENT_KEYS, EVENT_TYPES, MAX_EVENTS

FORMAT = "vigil-csv-mapping/1"
SKIP = "skip"
MOMENT_KEYS = ("expires", "bail_until")
BOOL_KEYS = ("weapons", "threat_to_kill")
PLACE_KEYS = ("place",)
# Keys of an order's event that make its conditions (the format's `conditions` list).
CONDITION_KEYS = ("no_contact", "exclusion_zone")
TRUE = ("y", "yes", "true", "1", "t")
FALSE = ("n", "no", "false", "0", "f", "")
# The vocabularies a code table can map to, by the event or record key it serves.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "category": tuple(R.REPORT_CATEGORIES),
    "order_type": tuple(R.ORDER_TYPES),
    "sex": tuple(R.SEXES),
    "kind": tuple(R.PLACE_KINDS),
    "instrument": tuple(R.INSTRUMENTS),
    "officer_level": tuple(R.LEVELS),
    "channel": tuple(R.CHANNELS),
    "outcome": tuple(R.OUTCOMES),
    "route": tuple(R.DISCLOSURE_ROUTES),
    "decision": tuple(R.DISCLOSURE_DECISIONS),
    "action": tuple(R.ACTION_KINDS),
}


class MappingError(Exception):
    """A mapping refused: `key` is its dotted path in the file."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass(frozen=True)
class Cell:
    """Where an event key's value comes from: a column (with a code table), a constant, or a
    person or place group."""

    column: str | None = None
    codes: str | None = None
    value: Any = None
    person: str | None = None
    place: str | None = None


@dataclass(frozen=True)
class PersonGroup:
    name: str
    id: str
    full_name: str | None = None
    surname: str | None = None
    forenames: str | None = None
    born: str | None = None
    sex: str | None = None
    aliases: str | None = None
    home: str | None = None  # a place group


@dataclass(frozen=True)
class PlaceGroup:
    name: str
    id: str | None
    address: str | None = None
    label: str | None = None
    kind: Cell = field(default_factory=lambda: Cell(value="other"))
    lat: str | None = None
    lon: str | None = None
    easting: str | None = None
    northing: str | None = None


@dataclass(frozen=True)
class EventMap:
    type: str
    cells: dict[str, Cell]
    answers_yes: str | None = None  # risk_assessment: the column listing the questions answered yes
    questions: int = 0
    exclusion_place: str | None = None  # order_granted/varied: a place group and a radius column
    exclusion_radius: Cell | None = None
    no_contact: Cell | None = None


@dataclass(frozen=True)
class CsvMapping:
    path: str
    title: str
    source: str
    client: str
    team: int | None
    timezone: str
    datetime_format: str
    date_format: str
    batch_size: int
    delimiter: str
    encoding: str
    id_columns: tuple[str, ...]
    type_column: str
    at_column: str
    summary_column: str | None
    types: dict[str, str]  # the export's record type code -> event type, or "skip"
    people: dict[str, PersonGroup]
    places: dict[str, PlaceGroup]
    events: dict[str, EventMap]
    codes: dict[str, dict[str, Any]]

    def columns(self) -> set[str]:
        """Every column the mapping reads (each must be in the file's header)."""
        used = {*self.id_columns, self.type_column, self.at_column, *([self.summary_column] if self.summary_column else [])}
        for person in self.people.values():
            used |= {
                c
                for c in (person.id, person.full_name, person.surname, person.forenames, person.born, person.sex, person.aliases)
                if c
            }
        for place in self.places.values():
            used |= {c for c in (place.id, place.address, place.label, place.lat, place.lon, place.easting, place.northing) if c}
            used |= {place.kind.column} if place.kind.column else set()
        for event in self.events.values():
            cells = [*event.cells.values(), event.exclusion_radius, event.no_contact]
            used |= {c.column for c in cells if c is not None and c.column}
            used |= {event.answers_yes} if event.answers_yes else set()
        return used


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise MappingError(f"{where}{key}", "must be a table")
    return value


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = False, default: str | None = None) -> str | None:
    value = data.get(key, default)
    if value is None:
        if required:
            raise MappingError(f"{where}{key}", "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise MappingError(f"{where}{key}", "must be a non-empty string")
    return value


def _only(data: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise MappingError(f"{where}{unknown[0]}", f"unknown key (this table takes {', '.join(allowed)})")


def _cell(
    value: Any, key: str, where: str, *, people: Mapping[str, Any], places: Mapping[str, Any], codes: Mapping[str, Any]
) -> Cell:
    path = f"{where}{key}"
    if key in PERSON_KEYS or key in PERSON_LIST_KEYS:
        if not isinstance(value, str) or value not in people:
            raise MappingError(path, f"must name a [people.NAME] group (one of {', '.join(people) or 'none'})")
        return Cell(person=value)
    if key in PLACE_KEYS:
        if not isinstance(value, str) or value not in places:
            raise MappingError(path, f"must name a [places.NAME] group (one of {', '.join(places) or 'none'})")
        return Cell(place=value)
    if isinstance(value, dict):
        _only(value, ("column", "codes", "value"), f"{path}.")
        if ("column" in value) == ("value" in value):
            raise MappingError(path, "give either `column` or `value`")
        if "value" in value:
            return Cell(value=value["value"])
        table = _text(value, "codes", f"{path}.")
        if table is not None and table not in codes:
            raise MappingError(f"{path}.codes", f"no [codes.{table}] table")
        return Cell(column=_text(value, "column", f"{path}.", required=True), codes=table)
    if isinstance(value, str) and value.strip():
        return Cell(column=value, codes=key if key in codes else None)
    if isinstance(value, bool | int | float):
        return Cell(value=value)
    raise MappingError(path, "must be a column name, a group name, or a table {column = …} / {value = …}")


def _people(data: Mapping[str, Any], places: Mapping[str, Any]) -> dict[str, PersonGroup]:
    groups = {}
    for name, spec in _table(data, "people", "").items():
        where = f"people.{name}."
        if not isinstance(spec, dict):
            raise MappingError(f"people.{name}", "must be a table")
        _only(spec, ("id", "name", "surname", "forenames", "born", "sex", "aliases", "home"), where)
        if "name" in spec and ("surname" in spec or "forenames" in spec):
            raise MappingError(f"{where}name", "give `name`, or `surname` and `forenames`, not both")
        if "name" not in spec and "surname" not in spec:
            raise MappingError(f"{where}name", "is required (or `surname`, with `forenames`)")
        home = _text(spec, "home", where)
        if home is not None and home not in places:
            raise MappingError(f"{where}home", f"must name a [places.NAME] group (one of {', '.join(places) or 'none'})")
        groups[name] = PersonGroup(
            name=name,
            id=_text(spec, "id", where, required=True) or "",
            full_name=_text(spec, "name", where),
            surname=_text(spec, "surname", where),
            forenames=_text(spec, "forenames", where),
            born=_text(spec, "born", where),
            sex=_text(spec, "sex", where),
            aliases=_text(spec, "aliases", where),
            home=home,
        )
    return groups


def _places(data: Mapping[str, Any], codes: Mapping[str, Any]) -> dict[str, PlaceGroup]:
    groups = {}
    for name, spec in _table(data, "places", "").items():
        where = f"places.{name}."
        if not isinstance(spec, dict):
            raise MappingError(f"places.{name}", "must be a table")
        _only(spec, ("id", "address", "label", "kind", "lat", "lon", "easting", "northing"), where)
        has_ll, has_en = "lat" in spec or "lon" in spec, "easting" in spec or "northing" in spec
        if has_ll == has_en:
            raise MappingError(f"{where}lat", "give `lat` and `lon`, or `easting` and `northing` (British National Grid)")
        kind = _cell(spec.get("kind", {"value": "other"}), "kind", where, people={}, places={}, codes=codes)
        if kind.value is not None and kind.value not in R.PLACE_KINDS:
            raise MappingError(f"{where}kind", f"{kind.value!r} is not a place kind ({', '.join(R.PLACE_KINDS)})")
        if "id" not in spec and "address" not in spec:
            raise MappingError(f"{where}id", "is required (or `address`, which then names the place)")
        groups[name] = PlaceGroup(
            name=name,
            id=_text(spec, "id", where),
            address=_text(spec, "address", where),
            label=_text(spec, "label", where),
            kind=kind,
            lat=_text(spec, "lat", where, required=has_ll),
            lon=_text(spec, "lon", where, required=has_ll),
            easting=_text(spec, "easting", where, required=has_en),
            northing=_text(spec, "northing", where, required=has_en),
        )
    return groups


def _event(kind: str, spec: Any, *, people: Mapping[str, Any], places: Mapping[str, Any], codes: Mapping[str, Any]) -> EventMap:
    where = f"events.{kind}."
    if not isinstance(spec, dict):
        raise MappingError(f"events.{kind}", "must be a table")
    keys = dict(EVENT_KEYS[kind])
    extra: tuple[str, ...] = ()
    if kind == "risk_assessment":
        keys.pop("answers")
        extra = ("answers_yes", "questions")
    if kind in ("order_granted", "order_varied"):
        keys.pop("conditions")
        extra = ("exclusion_zone", "no_contact")
    _only(spec, (*keys, *extra), where)
    cells = {
        key: _cell(value, key, where, people=people, places=places, codes=codes) for key, value in spec.items() if key in keys
    }
    for key, (_, default) in keys.items():
        if default is ... and key not in cells:
            raise MappingError(f"{where}{key}", f"is required for {kind} events")
    answers_yes = questions = None
    if kind == "risk_assessment":
        answers_yes = _text(spec, "answers_yes", where, required=True)
        questions = spec.get("questions")
        if not isinstance(questions, int) or isinstance(questions, bool) or not 1 <= questions <= 99:
            raise MappingError(f"{where}questions", "is required: how many questions the instrument asks (1 to 99)")
    zone_place = zone_radius = None
    if "exclusion_zone" in spec:
        zone = spec["exclusion_zone"]
        if not isinstance(zone, dict):
            raise MappingError(f"{where}exclusion_zone", "must be a table {place = GROUP, radius_m = COLUMN}")
        _only(zone, ("place", "radius_m"), f"{where}exclusion_zone.")
        zone_place = _cell(zone.get("place"), "place", f"{where}exclusion_zone.", people={}, places=places, codes={}).place
        if "radius_m" not in zone:
            raise MappingError(f"{where}exclusion_zone.radius_m", "is required")
        zone_radius = _cell(zone["radius_m"], "radius_m", f"{where}exclusion_zone.", people={}, places={}, codes=codes)
    no_contact = (
        _cell(spec["no_contact"], "no_contact", where, people={}, places={}, codes=codes) if "no_contact" in spec else None
    )
    return EventMap(kind, cells, answers_yes, questions or 0, zone_place, zone_radius, no_contact)


def _codes(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    tables = {}
    for name, table in _table(data, "codes", "").items():
        if not isinstance(table, dict) or not table:
            raise MappingError(f"codes.{name}", "must be a non-empty table: the export's code = Vigil's")
        wanted = VOCABULARIES.get(name)
        for code, meaning in table.items():
            if wanted is not None and meaning not in wanted:
                raise MappingError(f"codes.{name}.{code}", f"{meaning!r} is not one of {', '.join(wanted)}")
        tables[name] = {str(code).strip().casefold(): meaning for code, meaning in table.items()}
    return tables


TOP = (
    "format",
    "title",
    "source",
    "client",
    "team",
    "timezone",
    "datetime_format",
    "date_format",
    "batch_size",
    "delimiter",
    "encoding",
    "row",
    "types",
    "people",
    "places",
    "events",
    "codes",
)


def read_mapping(path: str | Path) -> CsvMapping:
    """The mapping at `path`, checked whole; raises `MappingError` naming the first bad key."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise MappingError("(file)", f"cannot read {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MappingError("(file)", f"not valid TOML: {error}") from None
    _only(data, TOP, "")
    if data.get("format") != FORMAT:
        raise MappingError("format", f'must be "{FORMAT}"')
    codes = _codes(data)
    places = _places(data, codes)
    people = _people(data, places)
    row = _table(data, "row", "")
    _only(row, ("id", "type", "at", "summary"), "row.")
    ids = row.get("id")
    if isinstance(ids, str):
        ids = [ids]
    if not isinstance(ids, list) or not ids or not all(isinstance(c, str) and c for c in ids):
        raise MappingError("row.id", "is required: the column (or list of columns) that is each row's own id")
    types: dict[str, str] = {}
    written = _table(data, "types", "")
    for code, kind in written.items():
        if kind != SKIP and kind not in EVENT_TYPES:
            raise MappingError(f"types.{code}", f'{kind!r} is not an event type ({", ".join(EVENT_TYPES)}) or "skip"')
        types[code.strip().casefold()] = kind
    if not types:
        raise MappingError("types", "is required: the export's record types and the event each is")
    events = {}
    for kind, spec in _table(data, "events", "").items():
        if kind not in EVENT_TYPES:
            raise MappingError(f"events.{kind}", f"not an event type ({', '.join(EVENT_TYPES)})")
        events[kind] = _event(kind, spec, people=people, places=places, codes=codes)
    for code, kind in written.items():
        if kind != SKIP and kind not in events:
            raise MappingError(f"types.{code}", f"no [events.{kind}] table says where its columns are")
    batch_size = data.get("batch_size", 500)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or not 1 <= batch_size <= MAX_EVENTS:
        raise MappingError("batch_size", f"must be a whole number from 1 to {MAX_EVENTS}")
    team = data.get("team")
    if team is not None and (not isinstance(team, int) or isinstance(team, bool)):
        raise MappingError("team", "must be a team's id (vigil api-client show NAME lists the client's)")
    delimiter = _text(data, "delimiter", "", default=",") or ","
    if len(delimiter) != 1:
        raise MappingError("delimiter", "must be one character")
    source = _text(data, "source", "", required=True) or ""
    from vigil.api.services import SOURCE

    if not SOURCE.match(source):
        raise MappingError("source", f"{source!r}: use 2 to 60 lower case letters, digits, dots, hyphens or underscores")
    return CsvMapping(
        path=str(path),
        title=_text(data, "title", "", default="") or "",
        source=source,
        client=_text(data, "client", "", required=True) or "",
        team=team,
        timezone=_text(data, "timezone", "", default="Europe/London") or "Europe/London",
        datetime_format=_text(data, "datetime_format", "", required=True) or "",
        date_format=_text(data, "date_format", "", required=True) or "",
        batch_size=batch_size,
        delimiter=delimiter,
        encoding=_text(data, "encoding", "", default="utf-8-sig") or "utf-8-sig",
        id_columns=tuple(ids),
        type_column=_text(row, "type", "row.", required=True) or "",
        at_column=_text(row, "at", "row.", required=True) or "",
        summary_column=_text(row, "summary", "row."),
        types=types,
        people=people,
        places=places,
        events=events,
        codes=codes,
    )


def check_header(mapping: CsvMapping, header: Sequence[str]) -> None:
    """Every column the mapping names is in the file's header (else refused naming one)."""
    missing = sorted(mapping.columns() - set(header))
    if missing:
        raise MappingError("(columns)", f"the file has no column {missing[0]!r} (its header: {', '.join(header)})")


__all__ = ["DEFINED_BY", "FALSE", "TRUE", "CsvMapping", "MappingError", "check_header", "read_mapping"]
