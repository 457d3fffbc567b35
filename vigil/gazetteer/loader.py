"""`vigil gazetteer load`: read postcode centres from the published files into the gazetteer.

Three layouts are read, told apart by the first line:

- the ONS Postcode Directory (ONSPD) and its cousins: a header row naming `pcds` (or `pcd`)
  and `lat` and `long`. Postcodes without a grid reference are written with latitude
  99.999999; they are skipped and counted;
- Code-Point Open (Ordnance Survey): no header, ten columns, the postcode then a positional
  quality code then eastings and northings on the National Grid, converted here to WGS84.
  Quality 90 means no coordinates; those rows are skipped and counted;
- a plain file with a header `postcode,latitude,longitude` (`lat`/`lon`/`long` also read),
  which is what the demo ships.

Rows go in in batches, each batch in its own transaction, as one upsert per few hundred rows:
a national file (about 2.7 million rows) loads in minutes, and running the command again
updates what is there instead of duplicating it. A bad row stops the load with its file and
line number and what is wrong with it; the batches before it stay loaded, and the command
can simply be run again once the line is mended.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from vigil.gazetteer.models import Postcode
from vigil.gazetteer.osgb import grid_to_wgs84
from vigil.gazetteer.services import normalise_postcode

BATCH_ROWS = 20_000  # rows per transaction
STATEMENT_ROWS = 500  # rows per INSERT statement (3 parameters each)
ONSPD_NO_COORDINATES = 99.999999
CODEPOINT_NO_COORDINATES = "90"

ONSPD, CODEPOINT, PLAIN = "onspd", "codepoint", "plain"
LAYOUT_WORDS = {
    ONSPD: "ONS Postcode Directory",
    CODEPOINT: "Code-Point Open (National Grid eastings and northings)",
    PLAIN: "postcode, latitude, longitude",
}


class GazetteerError(Exception):
    """A file the gazetteer cannot read, with where and why."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.message = str(path), line, message


@dataclass
class Layout:
    kind: str
    postcode: int
    first: int  # latitude (or eastings) column
    second: int  # longitude (or northings) column
    quality: int | None = None
    header: bool = True
    width: int = 0


@dataclass
class LoadResult:
    files: list[str] = field(default_factory=list)
    layouts: set[str] = field(default_factory=set)
    rows: int = 0
    loaded: int = 0
    without_coordinates: int = 0


def _column(header: list[str], *names: str) -> int | None:
    lowered = [h.strip().strip('"').lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def detect_layout(path: Path, first_row: list[str]) -> Layout:
    """Which published layout a file is in, from its first row."""
    lowered = [h.strip().lower() for h in first_row]
    lat = _column(first_row, "lat", "latitude")
    lon = _column(first_row, "long", "lon", "longitude", "lng")
    if "pcds" in lowered or "pcd" in lowered:
        code = _column(first_row, "pcds", "pcd")
        if lat is None or lon is None or code is None:
            raise GazetteerError(path, 1, "an ONS Postcode Directory header needs the columns pcds (or pcd), lat and long")
        return Layout(ONSPD, code, lat, lon, width=len(first_row))
    code = _column(first_row, "postcode", "post code", "postcode_")
    if code is not None:
        if lat is None or lon is None:
            raise GazetteerError(path, 1, "the header names a postcode column but no latitude and longitude columns")
        return Layout(PLAIN, code, lat, lon, width=len(first_row))
    if len(first_row) >= 4 and normalise_postcode(first_row[0]) is not None:
        if first_row[2].strip().isdigit() and first_row[3].strip().isdigit():
            return Layout(CODEPOINT, 0, 2, 3, quality=1, header=False, width=4)
    raise GazetteerError(
        path,
        1,
        "the layout is not recognised: expected an ONS Postcode Directory header (pcds, lat, long), "
        "a header 'postcode,latitude,longitude', or Code-Point Open rows (postcode, quality, eastings, northings)",
    )


def _rows(path: Path, on_bytes: Callable[[int], None]) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each row. Progress is reported from the file's byte position
    every few thousand rows, not every line."""
    size = path.stat().st_size
    done = 0
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text:
        reader = csv.reader(text)
        for count, row in enumerate(reader):
            if count % 20_000 == 0:
                position = raw.tell()
                on_bytes(position - done)
                done = position
            yield reader.line_num, row
    on_bytes(size - done)


def _number(path: Path, line: int, name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GazetteerError(path, line, f"{name} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise GazetteerError(path, line, f"{name} {text.strip()!r} is not a number")
    return value


@dataclass
class _Row:
    line: int
    postcode: str
    first: float
    second: float


def read_rows(path: Path, on_bytes: Callable[[int], None], result: LoadResult) -> Iterator[tuple[Layout, list[_Row]]]:
    """The file's rows in batches, checked, with the layout they were read in."""
    layout: Layout | None = None
    batch: list[_Row] = []
    for line, row in _rows(path, on_bytes):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        if layout is None:
            layout = detect_layout(path, row)
            result.layouts.add(layout.kind)
            if layout.header:
                continue
        if len(row) < layout.width:
            words = LAYOUT_WORDS[layout.kind]
            raise GazetteerError(path, line, f"{len(row)} columns where the {words} layout has {layout.width}")
        result.rows += 1
        postcode = normalise_postcode(row[layout.postcode])
        if postcode is None:
            raise GazetteerError(path, line, f"{row[layout.postcode].strip()!r} is not a postcode")
        if layout.kind == CODEPOINT:
            assert layout.quality is not None
            quality = row[layout.quality].strip()
            east, north = row[layout.first].strip(), row[layout.second].strip()
            if not east.isdigit() or not north.isdigit():
                raise GazetteerError(path, line, f"eastings {east!r} and northings {north!r} must be whole metres")
            if quality == CODEPOINT_NO_COORDINATES or (east == "0" and north == "0"):
                result.without_coordinates += 1
                continue
            if int(east) > 800_000 or int(north) > 1_400_000:
                raise GazetteerError(path, line, f"eastings {east} and northings {north} are outside the National Grid")
            batch.append(_Row(line, postcode, float(east), float(north)))
        else:
            lat = _number(path, line, "latitude", row[layout.first])
            lon = _number(path, line, "longitude", row[layout.second])
            if layout.kind == ONSPD and abs(lat - ONSPD_NO_COORDINATES) < 1e-6:
                result.without_coordinates += 1
                continue
            if not -90 <= lat <= 90:
                raise GazetteerError(path, line, f"latitude {lat} is outside -90 to 90")
            if not -180 <= lon <= 180:
                raise GazetteerError(path, line, f"longitude {lon} is outside -180 to 180")
            batch.append(_Row(line, postcode, lat, lon))
        if len(batch) >= BATCH_ROWS:
            yield layout, batch
            batch = []
    if layout is None:
        raise GazetteerError(path, None, "the file is empty")
    if batch:
        yield layout, batch


def _upsert_sql(rows: int) -> str:
    q = connection.ops.quote_name
    table = q(Postcode._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * rows)
    # Only quoted names and placeholders are written into the SQL; the values are parameters.
    return (
        f"INSERT INTO {table} ({q('postcode')}, {q('lat')}, {q('lon')}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({q('postcode')}) DO UPDATE SET {q('lat')} = excluded.{q('lat')}, {q('lon')} = excluded.{q('lon')}"
    )


def _write(layout: Layout, batch: list[_Row]) -> int:
    if layout.kind == CODEPOINT:
        lats, lons = grid_to_wgs84([r.first for r in batch], [r.second for r in batch])
        points = {r.postcode: (round(float(a), 6), round(float(b), 6)) for r, a, b in zip(batch, lats, lons, strict=True)}
    else:
        points = {r.postcode: (r.first, r.second) for r in batch}  # a postcode twice in a batch: the last row wins
    items = list(points.items())
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(items), STATEMENT_ROWS):
            chunk = items[start : start + STATEMENT_ROWS]
            params: list[str | float] = []
            for postcode, (lat, lon) in chunk:
                params += [postcode, lat, lon]
            cursor.execute(_upsert_sql(len(chunk)), params)
    return len(items)


def gazetteer_load(
    paths: list[Path], *, on_bytes: Callable[[int], None] | None = None, on_file: Callable[[Path], None] | None = None
) -> LoadResult:
    """Load postcode centres from `paths` (each any of the layouts). Raises GazetteerError
    naming the file and line of the first bad row; what was loaded before it stays."""
    result = LoadResult()
    for path in paths:
        if not path.is_file():
            raise GazetteerError(path, None, "no such file")
        if on_file is not None:
            on_file(path)
        result.files.append(str(path))
        for layout, batch in read_rows(path, on_bytes or (lambda _n: None), result):
            result.loaded += _write(layout, batch)
    return result


def total_bytes(paths: list[Path]) -> int:
    return sum(os.path.getsize(p) for p in paths if p.is_file())
