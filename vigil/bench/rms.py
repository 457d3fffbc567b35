"""Synthetic records-management exports for `vigil import csv`: the examples in docs/ and
`vigil bench import`'s 100,000 rows.

One seeded story (Faker, en_GB: invented people at invented addresses) written in two invented
layouts: "Niche-like" (docs/rms-niche-like.toml: comma-separated, day-first dates, forenames
and surname apart, latitude and longitude) and "Athena-like" (docs/rms-athena-like.toml:
semicolon-separated, ISO dates, one name column, British National Grid eastings and
northings, other codes). Each household is a report of domestic abuse or stalking, a DASH
assessment, and perhaps an order with an exclusion zone around the home, its breach, an
arrest, and a warrant issued and executed; some victims report again in a later household,
and some rows are record types the mappings skip (a theft elsewhere on the system).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faker import Faker

from vigil.gazetteer.osgb import grid_point

# Local wall-clock times, as an export writes them (the mapping names their time zone).
START = dt.datetime(2023, 1, 2, 8, 0)  # noqa: DTZ001


@dataclass
class Person:
    ref: int
    forenames: str
    surname: str
    born: dt.date
    sex: str  # female / male


@dataclass
class Home:
    ref: int
    address: str
    east: int
    north: int


@dataclass
class Record:
    """One row of the export, in neither layout."""

    id: int
    kind: str  # report, risk, order, breach, arrest, warrant, executed, other
    at: dt.datetime
    victim: Person | None = None
    offender: Person | None = None
    home: Home | None = None
    category: str = ""
    dash_yes: list[int] = field(default_factory=list)
    order: str = ""
    expiry: dt.datetime | None = None
    radius: int = 0
    warrant: str = ""
    narrative: str = ""


NARRATIVES = {
    "report": "Caller states ex-partner came to the address, shouting and banging on the door.",
    "risk": "DASH completed with the victim at the address.",
    "order": "Order granted at the magistrates' court.",
    "breach": "Subject seen in the exclusion zone by a neighbour.",
    "arrest": "Subject arrested on suspicion of harassment.",
    "warrant": "Warrant issued: failed to appear.",
    "executed": "Warrant executed; subject in custody.",
    "other": "Pedal cycle stolen from outside a shop.",
}


def records(rows: int, *, seed: int = 2022, until: dt.datetime | None = None) -> Iterator[Record]:
    """`rows` records of the story, in the order an export lists them (by record id)."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    last = until or dt.datetime(2025, 9, 1)  # noqa: DTZ001
    span = int((last - START - dt.timedelta(days=40)).total_seconds() // 60)
    people = iter(range(100_001, 10**9))
    places = iter(range(500_001, 10**9))
    victims: list[tuple[Person, Home]] = []
    made, serial = 0, 7_000_000

    def person(sex: str) -> Person:
        forenames = fake.first_name_female() if sex == "female" else fake.first_name_male()
        born = fake.date_of_birth(minimum_age=18, maximum_age=70)
        return Person(next(people), forenames, fake.last_name(), born, sex)

    household = 0
    while made < rows:
        household += 1
        if victims and rng.random() < 0.08:
            victim, home = rng.choice(victims)  # she reports again, another man
        else:
            victim = person("female" if rng.random() < 0.85 else "male")
            home = Home(next(places), fake.street_address().replace("\n", ", ") + ", " + fake.postcode(), 0, 0)
            home.east, home.north = rng.randint(520_000, 545_000), rng.randint(170_000, 190_000)
            victims.append((victim, home))
        offender = person("male" if victim.sex == "female" else "female")
        t0 = START + dt.timedelta(minutes=rng.randrange(span))
        story: list[Record] = []
        counter = [serial]

        def add(
            kind: str,
            after: dt.timedelta,
            /,
            *,
            _ctx: tuple[Any, ...] = (t0, victim, offender, home, story, counter),
            **extra: Any,
        ) -> Record:
            at, who, other, where, into, count = _ctx
            count[0] += rng.randint(1, 3)
            record = Record(count[0], kind, at + after, who, other, where, narrative=NARRATIVES[kind], **extra)
            into.append(record)
            return record

        add("report", dt.timedelta(0), category="stalking" if rng.random() < 0.25 else "domestic_abuse")
        add("risk", dt.timedelta(hours=2), dash_yes=sorted(rng.sample(range(1, 25), rng.randint(2, 16))))
        if rng.random() < 0.2:
            add("arrest", dt.timedelta(days=1))
        if rng.random() < 0.5:
            order = f"ORD/{household:06d}"
            add(
                "order", dt.timedelta(days=2), order=order, expiry=t0 + dt.timedelta(days=365), radius=rng.choice((100, 200, 500))
            )
            if rng.random() < 0.4:
                add("breach", dt.timedelta(days=9), order=order)
        if rng.random() < 0.3:
            warrant = f"WAR/{household:06d}"
            add("warrant", dt.timedelta(days=10), warrant=warrant)
            if rng.random() < 0.7:
                add("executed", dt.timedelta(days=13), warrant=warrant)
        if rng.random() < 0.1:
            add("other", dt.timedelta(days=3))
        serial = counter[0]
        for record in story[: rows - made]:
            yield record
            made += 1


# --- the two layouts ---------------------------------------------------------------------------------

NICHE_TYPES = {
    "report": "DA INCIDENT",
    "risk": "DASH",
    "order": "DVPO GRANTED",
    "breach": "DVPO BREACH",
    "arrest": "ARREST",
    "warrant": "WARRANT ISSUED",
    "executed": "WARRANT EXECUTED",
    "other": "THEFT",
}
NICHE_COLUMNS = [
    "OccurrenceRef",
    "RecordType",
    "ReportedDateTime",
    "VictimPersonId",
    "VictimForenames",
    "VictimSurname",
    "VictimDOB",
    "VictimGender",
    "OffenderPersonId",
    "OffenderForenames",
    "OffenderSurname",
    "OffenderDOB",
    "OffenderGender",
    "LocationId",
    "LocationAddress",
    "Latitude",
    "Longitude",
    "OffenceGroup",
    "DashYes",
    "OrderRef",
    "OrderExpiry",
    "ExclusionRadiusM",
    "WarrantRef",
    "Narrative",
]
ATHENA_TYPES = {
    "report": "INC-DA",
    "risk": "RISK-DASH",
    "order": "ORD-GRANT",
    "breach": "ORD-BREACH",
    "arrest": "CUST-ARREST",
    "warrant": "WAR-ISS",
    "executed": "WAR-EXE",
    "other": "INC-OTHER",
}
ATHENA_COLUMNS = [
    "Record ID",
    "Event Code",
    "Event Date",
    "Victim Ref",
    "Victim Name",
    "Victim DoB",
    "Victim Sex",
    "Subject Ref",
    "Subject Name",
    "Subject DoB",
    "Subject Sex",
    "Address Ref",
    "Address",
    "Easting",
    "Northing",
    "Crime Class",
    "DASH Yes Answers",
    "Order No",
    "Order Kind",
    "Expiry",
    "Zone Radius",
    "Warrant No",
    "Notes",
]


def _niche(r: Record) -> dict[str, str]:
    day = "%d/%m/%Y"
    row = {"OccurrenceRef": f"OCC{r.id}", "RecordType": NICHE_TYPES[r.kind], "ReportedDateTime": r.at.strftime(day + " %H:%M")}
    row["Narrative"] = r.narrative
    if r.kind == "other":
        return row
    for prefix, who in (("Victim", r.victim), ("Offender", r.offender)):
        if who is None or (prefix == "Victim" and r.kind in ("arrest", "warrant", "executed", "breach")):
            continue
        row |= {
            f"{prefix}PersonId": f"PER{who.ref}",
            f"{prefix}Forenames": who.forenames,
            f"{prefix}Surname": who.surname.upper(),
            f"{prefix}DOB": who.born.strftime(day),
            f"{prefix}Gender": who.sex[0].upper(),
        }
    if r.home is not None and r.kind in ("report", "order", "breach"):
        lat, lon = grid_point(r.home.east, r.home.north)
        row |= {
            "LocationId": f"LOC{r.home.ref}",
            "LocationAddress": r.home.address,
            "Latitude": f"{lat:.6f}",
            "Longitude": f"{lon:.6f}",
        }
    row["OffenceGroup"] = {"domestic_abuse": "DA", "stalking": "STK"}.get(r.category, "")
    row["DashYes"] = ";".join(str(n) for n in r.dash_yes)
    row["OrderRef"] = r.order
    row["OrderExpiry"] = r.expiry.strftime(day + " %H:%M") if r.expiry else ""
    row["ExclusionRadiusM"] = str(r.radius) if r.radius else ""
    row["WarrantRef"] = r.warrant
    return row


def _athena(r: Record) -> dict[str, str]:
    row = {"Record ID": f"A-{r.id}", "Event Code": ATHENA_TYPES[r.kind], "Event Date": r.at.strftime("%Y-%m-%d %H:%M:%S")}
    row["Notes"] = r.narrative
    if r.kind == "other":
        return row
    for prefix, who in (("Victim", r.victim), ("Subject", r.offender)):
        if who is None or (prefix == "Victim" and r.kind in ("arrest", "warrant", "executed", "breach")):
            continue
        row |= {
            f"{prefix} Ref": f"ATH-{who.ref}",
            f"{prefix} Name": f"{who.forenames} {who.surname}",
            f"{prefix} DoB": who.born.isoformat(),
            f"{prefix} Sex": who.sex.capitalize(),
        }
    if r.home is not None and r.kind in ("report", "order", "breach"):
        row |= {
            "Address Ref": f"ADR-{r.home.ref}",
            "Address": r.home.address,
            "Easting": str(r.home.east),
            "Northing": str(r.home.north),
        }
    row["Crime Class"] = {"domestic_abuse": "DOMESTIC", "stalking": "STALKING/HARASSMENT"}.get(r.category, "")
    row["DASH Yes Answers"] = ",".join(str(n) for n in r.dash_yes)
    row["Order No"] = r.order
    row["Order Kind"] = "DVPO" if r.order and r.kind == "order" else ""
    row["Expiry"] = r.expiry.date().isoformat() if r.expiry else ""
    row["Zone Radius"] = str(r.radius) if r.radius else ""
    row["Warrant No"] = r.warrant
    return row


LAYOUTS = {"niche": (NICHE_COLUMNS, _niche, ","), "athena": (ATHENA_COLUMNS, _athena, ";")}


def write_export(path: Path, layout: str, rows: int, *, seed: int = 2022, until: dt.datetime | None = None) -> int:
    """Write `rows` rows of the story in `layout` ('niche' or 'athena'); the rows written."""
    columns, shape, delimiter = LAYOUTS[layout]
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, delimiter=delimiter, restval="")
        writer.writeheader()
        for record in records(rows, seed=seed, until=until):
            writer.writerow(shape(record))
            written += 1
    return written
