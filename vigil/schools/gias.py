"""Reading the DfE's Get Information about Schools (GIAS) establishment export.

The export ("edubasealldata…csv", or a GIAS download of selected establishments) is a CSV
with a header row; the columns Vigil reads are named below. GIAS files are Windows-1252;
UTF-8 (with or without a byte-order mark) is read too. Every other column is ignored.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction

from vigil.audit.services import audit_record
from vigil.core.times import now
from vigil.schools.models import School

T = TypeVar("T")

COLUMNS = {
    "urn": "URN",
    "name": "EstablishmentName",
    "postcode": "Postcode",
    "phase": "PhaseOfEducation (name)",
    "status": "EstablishmentStatus (name)",
}
OPTIONAL = {"local_authority": "LA (name)"}
# GIAS statuses under which a school still takes pupils.
OPEN_STATUSES = frozenset({"Open", "Open, but proposed to close"})


class GiasError(Exception):
    """The file cannot be loaded; the message names the line and the column."""


@dataclass(frozen=True)
class GiasRow:
    urn: int
    name: str
    postcode: str
    phase: str
    status: str
    local_authority: str

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


def _text(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise GiasError("the file is neither UTF-8 nor Windows-1252 text")


def read_gias(raw: bytes, *, name: str = "the file") -> list[GiasRow]:
    """Every establishment in the file, checked. Raises GiasError naming the first problems."""
    reader = csv.DictReader(io.StringIO(_text(raw), newline=""))
    headers = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    missing = [column for column in COLUMNS.values() if column not in headers]
    if missing:
        raise GiasError(f"{name} is not a GIAS establishment export: it has no column {', '.join(repr(m) for m in missing)}")
    rows: list[GiasRow] = []
    problems: list[str] = []
    seen: dict[int, int] = {}
    for line, record in enumerate(reader, start=2):
        value = (record.get(COLUMNS["urn"]) or "").strip()
        if not value.isdigit() or int(value) == 0:
            problems.append(f"line {line}: URN {value!r} is not a reference number")
            continue
        urn = int(value)
        school_name = (record.get(COLUMNS["name"]) or "").strip()
        if not school_name:
            problems.append(f"line {line}: URN {urn} has no EstablishmentName")
            continue
        if urn in seen:
            problems.append(f"line {line}: URN {urn} is also on line {seen[urn]}")
            continue
        seen[urn] = line
        rows.append(
            GiasRow(
                urn=urn,
                name=school_name[:200],
                postcode=(record.get(COLUMNS["postcode"]) or "").strip().upper()[:10],
                phase=(record.get(COLUMNS["phase"]) or "").strip()[:60],
                status=(record.get(COLUMNS["status"]) or "").strip()[:60] or "Not known",
                local_authority=(record.get(OPTIONAL["local_authority"]) or "").strip()[:100],
            )
        )
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise GiasError(f"{name}: " + "; ".join(problems[:5]) + more + ". Nothing was loaded.")
    return rows


@dataclass(frozen=True)
class LoadResult:
    read: int
    created: int
    updated: int
    unchanged: int
    open: int


def schools_load(
    path: Path, *, actor: Any, progress: Callable[[Iterable[GiasRow], int], Iterator[GiasRow]] | None = None
) -> LoadResult:
    """Add or update every school in a GIAS export, by URN, all or nothing. Schools missing
    from the file are left as they are (a partial download must not close them)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise GiasError(f"{path} cannot be read: {error.strerror or error}") from None
    rows = read_gias(raw, name=str(path))
    fields = ("name", "postcode", "phase", "status", "open", "local_authority")
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {s.urn: s for s in School.objects.all()}
        moment = now()
        iterator: Iterable[GiasRow] = progress(rows, len(rows)) if progress else rows
        fresh: list[School] = []
        changed: list[School] = []
        for row in iterator:
            values = {f: getattr(row, f) for f in fields}
            school = existing.get(row.urn)
            if school is None:
                fresh.append(School(urn=row.urn, updated_at=moment, **values))
                created += 1
            elif any(getattr(school, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(school, f, v)
                school.updated_at = moment
                changed.append(school)
                updated += 1
            else:
                unchanged += 1
        School.objects.bulk_create(fresh, batch_size=1000)
        School.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=1000)
        result = LoadResult(len(rows), created, updated, unchanged, sum(1 for r in rows if r.open))
        audit_record(
            actor=actor,
            action="schools.load",
            object_type="schools.school",
            object_id="gias",
            new={"file": path.name, "sha256": hashlib.sha256(raw).hexdigest(), **result.__dict__},
        )
    return result
