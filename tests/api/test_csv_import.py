"""`vigil import csv FILE --mapping MAPPING.toml [--dry-run]`: both example exports in docs/
through the event API's own path (the same services, linking, policy and audit), a dry run
that names every bad row by line, column and reason and writes nothing, a real run that
refuses a file with a bad row whole, a second run that doubles nothing, and mappings refused
naming their key. (Killing a real run part way: test_csv_import_killed.py.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.api.conftest import MakeClient
from vigil.actions.models import Action
from vigil.api.csv_mapping import MappingError, read_mapping
from vigil.api.models import ExternalRef, ReceivedEvent
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case, Report, RiskAssessment
from vigil.orders.models import Breach, ProtectiveOrder
from vigil.people.models import Person
from vigil.warrants.models import Warrant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
NOW = dt.datetime(2025, 10, 1, 12, 0, tzinfo=dt.UTC)
DOCS = Path(__file__).resolve().parents[2] / "docs"
NICHE = (DOCS / "rms-niche-like.csv", DOCS / "rms-niche-like.toml")
ATHENA = (DOCS / "rms-athena-like.csv", DOCS / "rms-athena-like.toml")


@pytest.fixture
def importers(make_api_client: MakeClient, api_team: Any) -> None:
    make_api_client("niche-import", sources=["niche"], teams=[api_team])
    make_api_client("athena-import", sources=["athena"], teams=[api_team])


def run(csv: Path, mapping: Path, *extra: str, capsys: Any) -> tuple[int, str, str]:
    try:
        call_command("import", "csv", str(csv), "--mapping", str(mapping), *extra)
    except SystemExit as stop:
        code = int(stop.code or 0)
    else:  # pragma: no cover - the command always ends with its status
        code = -1
    out, err = capsys.readouterr()
    return code, out, err


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Person, Case, Report, RiskAssessment, ProtectiveOrder, Breach, Warrant, Action, ReceivedEvent, ExternalRef)
    )


def rows_of(csv: Path, delimiter: str) -> list[list[str]]:
    import csv as csvlib

    with open(csv, newline="", encoding="utf-8") as handle:
        return list(csvlib.reader(handle, delimiter=delimiter))


@pytest.mark.parametrize(("csv", "mapping", "delimiter", "source"), [(*NICHE, ",", "niche"), (*ATHENA, ";", "athena")])
def test_an_example_export_goes_through_the_api_path_once(
    importers: None, capsys: Any, csv: Path, mapping: Path, delimiter: str, source: str
) -> None:
    lines = rows_of(csv, delimiter)
    header, body = lines[0], lines[1:]
    m = read_mapping(mapping)
    kinds = [m.types[row[header.index(m.type_column)].casefold()] for row in body]
    wanted = [k for k in kinds if k != "skip"]

    code, out, err = run(csv, mapping, "--dry-run", capsys=capsys)
    assert (code, err) == (0, ""), err
    assert f"{len(body)} rows: {len(wanted)} good, 0 bad, {len(kinds) - len(wanted)} of record types the mapping skips" in out
    assert "Dry run: nothing was written." in out and not any(counts())

    code, out, err = run(csv, mapping, capsys=capsys)
    assert (code, err) == (0, ""), err
    assert f"{len(wanted)} rows recorded" in out and "0 already recorded" in out
    # Every mapped row is one event, received once under the export's own id, and recorded
    # through the services: as many reports, assessments, orders, breaches, warrants as rows.
    assert ReceivedEvent.objects.filter(source=source).count() == len(wanted)
    assert Report.objects.count() == wanted.count("report")
    assert RiskAssessment.objects.count() == wanted.count("risk_assessment")
    assert ProtectiveOrder.objects.count() == wanted.count("order_granted")
    assert Breach.objects.count() == wanted.count("breach")
    assert Warrant.objects.count() == wanted.count("warrant_issued")
    assert Warrant.objects.filter(status="executed").count() == wanted.count("warrant_executed")
    # People and places by the export's ids; the same victim on many rows is one record.
    victims = {row[header.index(m.people["victim"].id)] for row in body if row[header.index(m.people["victim"].id)]}
    assert set(ExternalRef.objects.filter(source=source, kind="person").values_list("external_id", flat=True)) >= victims
    assert Person.objects.count() == ExternalRef.objects.filter(source=source, kind="person").count()
    # The policy acted on each: every report's case has its risk assessment work and review.
    assert Action.objects.filter(rule="R1").exists() and Action.objects.filter(kind="supervisor_review").exists()
    # A breach of an order with an exclusion zone is acted on (R5/R4), as from an officer.
    if wanted.count("breach"):
        assert Action.objects.filter(rule__in=["R4", "R5"]).exists()
    # Written as the API client the mapping names, and audited under it.
    assert AuditEvent.objects.filter(actor_label=f"api:{m.client}", action="report.record").count() == wanted.count("report")

    before = counts()
    code, out, err = run(csv, mapping, capsys=capsys)
    assert (code, err) == (0, "") and counts() == before
    assert f"0 rows recorded in 0 batches, {len(wanted)} already recorded by an earlier run" in out


BAD_ROWS = {
    # line: (the change, the column and words the dry run must name)
    2: ({"ReportedDateTime": "2023-03-13 15:43"}, "ReportedDateTime", "is not a date in the mapping's format '%d/%m/%Y %H:%M'"),
    3: ({"DashYes": "2;31"}, "DashYes", "'31' is not a question number from 1 to 24"),
    4: ({"RecordType": "DVPO GRANTD"}, "RecordType", "record type 'DVPO GRANTD' is not in the mapping's [types]"),
    5: ({"OffenceGroup": "BURG"}, "OffenceGroup", "'BURG' is not in the mapping's [codes.category]"),
    6: ({"VictimPersonId": ""}, "VictimPersonId", "is empty: a report event needs its victim"),
    7: ({"OrderRef": "ORD/NEVER"}, "OrderRef", "order 'ORD/NEVER' is not granted on an earlier row nor sent before"),
    8: ({"Latitude": "north"}, "Latitude", "'north' is not a number"),
    9: ({"OccurrenceRef": "SAME"}, "OccurrenceRef", ""),
    10: ({"OccurrenceRef": "SAME"}, "OccurrenceRef", "id 'SAME' is also line 9"),
    11: ({"ReportedDateTime": "01/01/2099 10:00"}, "ReportedDateTime", "is in the future"),
}


def _bad_export(tmp_path: Path) -> tuple[Path, list[list[str]]]:
    """The Niche-like example with a mistake on each of lines 2-11 (some rows changed into the
    type that shows the mistake)."""
    lines = rows_of(NICHE[0], ",")
    header = lines[0]
    col = header.index
    # Lines to reshape first: 3 a DASH row, 4-6 reports, 7 a breach, 8 a report, 9 a DASH (so no
    # mistake breaks a row it does not name: line 4 is no longer the first order's grant).
    donors = {kind: next(r for r in lines[1:] if r[col("RecordType")] == kind) for kind in ("DASH", "DA INCIDENT", "DVPO BREACH")}
    shape = {3: "DASH", 4: "DA INCIDENT", 5: "DA INCIDENT", 6: "DA INCIDENT", 7: "DVPO BREACH", 8: "DA INCIDENT", 9: "DASH"}
    for line, kind in shape.items():
        lines[line - 1] = [*donors[kind]]
        lines[line - 1][col("OccurrenceRef")] = f"RESHAPED{line}"
        lines[line - 1][col("LocationId")] = lines[line - 1][col("LocationId")] and f"LOC-NEW-{line}"
    for line, (change, _, _) in BAD_ROWS.items():
        for column, value in change.items():
            lines[line - 1][col(column)] = value
    path = tmp_path / "bad.csv"
    import csv as csvlib

    with open(path, "w", newline="", encoding="utf-8") as handle:
        csvlib.writer(handle).writerows(lines)
    return path, lines


def test_a_dry_run_names_every_bad_row_by_line_and_column_and_writes_nothing(
    importers: None, capsys: Any, tmp_path: Path
) -> None:
    path, lines = _bad_export(tmp_path)
    code, out, err = run(path, NICHE[1], "--dry-run", capsys=capsys)
    assert code == 2 and not any(counts())
    reported = [line for line in err.splitlines() if line.startswith(str(path))]
    for line, (_, column, words) in BAD_ROWS.items():
        if not words:
            continue
        expected = f"{path}: line {line}, column {column}: "
        assert any(r.startswith(expected) and words in r for r in reported), f"line {line} not reported: {err}"
    assert {int(r.split("line ")[1].split(",")[0]) for r in reported} == set(BAD_ROWS) - {9}
    assert f"{len(lines) - 1} rows: {len(lines) - 1 - 9} good, 9 bad" in out and "Dry run: nothing was written." in out


def test_a_real_run_with_a_bad_row_writes_nothing(importers: None, capsys: Any, tmp_path: Path) -> None:
    path, _ = _bad_export(tmp_path)
    code, out, err = run(path, NICHE[1], capsys=capsys)
    assert code == 2 and "line 2, column ReportedDateTime" in err
    assert "Nothing was written: mend the rows and run again." in out and not any(counts())


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = NICHE[1].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda t: t.replace('format = "vigil-csv-mapping/1"', 'format = "csv"'), "format"),
        (lambda t: t.replace('victim = "victim"\nsuspect', 'victim = "victm"\nsuspect', 1), "events.report.victim"),
        (lambda t: t.replace('category = "OffenceGroup"\n', ""), "events.report.category"),
        (lambda t: t.replace('"ARREST" = "arrest"', '"ARREST" = "arrested"'), "types.ARREST"),
        (lambda t: t.replace('STK = "stalking"', 'STK = "stalker"'), "codes.category.STK"),
        (lambda t: t.replace('id = "OccurrenceRef"', 'id = "OccurrenceNumber"'), "(columns)"),
        (lambda t: t.replace("questions = 24", "questions = 0"), "events.risk_assessment.questions"),
        (lambda t: t.replace('source = "niche"', 'source = "Niche RMS"'), "source"),
        (lambda t: t.replace('client = "niche-import"', 'client = "nobody"'), "client"),
        (lambda t: t.replace("[events.arrest]\n", '[events.arrest]\nvictim = "victim"\n'), "events.arrest.victim"),
        (lambda t: t.replace("batch_size = 500", "batch_size = 5000"), "batch_size"),
        (lambda t: t + "\n[events.report.oops\n", "(file)"),
    ],
)
def test_a_bad_mapping_is_refused_naming_its_key(importers: None, capsys: Any, tmp_path: Path, change: Any, key: str) -> None:
    text = change(GOOD)
    assert text != GOOD
    code, out, err = run(NICHE[0], _mapping(tmp_path, text), "--dry-run", capsys=capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"vigil import csv: mapping {tmp_path / 'mapping.toml'}: {key}: "), err
    assert not any(counts())


def test_the_two_examples_map_different_layouts() -> None:
    niche, athena = read_mapping(NICHE[1]), read_mapping(ATHENA[1])
    assert niche.columns().isdisjoint(athena.columns())
    assert (niche.delimiter, athena.delimiter) == (",", ";") and niche.datetime_format != athena.datetime_format
    assert niche.places["location"].lat and athena.places["address"].easting
    with pytest.raises(MappingError) as refused:
        read_mapping(DOCS / "no-such-mapping.toml")
    assert refused.value.key == "(file)"
