"""`vigil schools load FILE` reads the DfE's Get Information about Schools export."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vigil.audit.models import AuditEvent
from vigil.schools.models import School

pytestmark = pytest.mark.django_db

HEADER = (
    "URN,LA (name),EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),PhaseOfEducation (name),Postcode\n"
)
DEMO = Path(__file__).resolve().parents[2] / "vigil" / "schools" / "data" / "demo-gias.csv"


def _write(tmp_path: Path, rows: str, encoding: str = "cp1252") -> Path:
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes((HEADER + rows).encode(encoding))
    return path


def test_the_demo_file_loads_and_a_second_load_updates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("schools", "load", str(DEMO))
    assert "Read 12 schools (11 open): 12 added, 0 updated, 0 unchanged." in capsys.readouterr().out
    assert not School.objects.get(urn=990011).open and School.objects.get(urn=990007).open
    changed = _write(tmp_path, "990001,Northshire,Hollin Brook Primary School,Community school,Closed,Primary,ZZ99 1AA\n")
    call_command("schools", "load", str(changed))
    assert "1 updated" in capsys.readouterr().out
    assert not School.objects.get(urn=990001).open and School.objects.count() == 12
    assert AuditEvent.objects.filter(action="schools.load").count() == 2


def test_windows_1252_names_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "123456,Northshire,École Sainte-Thérèse,Independent school,Open,Primary,zz99 9zz\n")
    call_command("schools", "load", str(path))
    school = School.objects.get(urn=123456)
    assert school.name == "École Sainte-Thérèse" and school.postcode == "ZZ99 9ZZ" and school.open


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("URN,Name\n1,x\n", "has no column 'EstablishmentName'"),
        (HEADER + "12a,N,Bad School,x,Open,Primary,ZZ1\n", "line 2: URN '12a' is not a reference number"),
        (HEADER + "5,N,One,x,Open,Primary,Z\n5,N,Two,x,Open,Primary,Z\n", "line 3: URN 5 is also on line 2"),
        (HEADER + "7,N,,x,Open,Primary,Z\n", "line 2: URN 7 has no EstablishmentName"),
    ],
)
def test_a_bad_file_is_refused_naming_the_problem_and_nothing_is_loaded(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("schools", "load", str(path))
    assert School.objects.count() == 0


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="nope.csv cannot be read"):
        call_command("schools", "load", str(tmp_path / "nope.csv"))
