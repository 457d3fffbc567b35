"""`vigil gazetteer load`: the published layouts, bad rows named by line, reruns that update."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vigil.demo.data import CENTRE
from vigil.gazetteer import loader
from vigil.gazetteer.demo import DEMO_FILE
from vigil.gazetteer.models import Postcode
from vigil.gazetteer.osgb import grid_point
from vigil.gazetteer.services import normalise_postcode, postcode_lookup

pytestmark = pytest.mark.django_db

ONSPD_HEADER = "pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,lat,long,pfa"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _load(*paths: Path) -> str:
    out = io.StringIO()
    call_command("gazetteer", "load", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def test_the_ons_postcode_directory_layout_is_read_and_rows_without_coordinates_are_skipped(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "onspd.csv",
        f"{ONSPD_HEADER}\n"
        '"SW1A1AA","SW1A 1AA","SW1A 1AA","198001","","529090","179645",51.501009,-0.141588,"E23000001"\n'
        '"ZZ991ZZ","ZZ99 1ZZ","ZZ99 1ZZ","198001","","","",99.999999,0.000000,""\n'
        '"LS1 4AP","LS1  4AP","LS1 4AP","198001","","429990","433660",53.799631,-1.549060,"E23000010"\n',
    )
    output = _load(path)
    assert "Read 3 rows (ONS Postcode Directory)" in output and "2 postcodes written" in output
    assert "1 without coordinates skipped" in output
    found = postcode_lookup("sw1a1aa")
    assert found is not None and (found.lat, found.lon) == (51.501009, -0.141588)
    assert not Postcode.objects.filter(postcode="ZZ99 1ZZ").exists()


def test_code_point_open_eastings_and_northings_become_wgs84(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "sw.csv",
        '"SW1A1AA",10,529090,179645,"E92000001","E19000003","E18000007","","E09000033","E05000644"\n'
        '"SW1A2AA",10,530047,179951,"E92000001","E19000003","E18000007","","E09000033","E05000644"\n'
        '"SW1A9ZZ",90,0,0,"E92000001","","","","",""\n',
    )
    output = _load(path)
    assert "Code-Point Open" in output and "2 postcodes written" in output and "1 without coordinates" in output
    found = postcode_lookup("SW1A 1AA")
    assert found is not None
    # Buckingham Palace's postcode centre, as the ONS directory gives it (51.501009, -0.141588).
    assert math.dist((found.lat, found.lon), (51.501009, -0.141588)) < 0.0002


def test_the_national_grid_conversion_matches_the_ordnance_survey_worked_example() -> None:
    # OS "A guide to coordinate systems in Great Britain": Big Ben at 530268 E, 179640 N.
    lat, lon = grid_point(530268, 179640)
    assert abs(lat - 51.50069) < 0.0001 and abs(lon - -0.12463) < 0.0001


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("NOT A CODE,53.8,-1.5", "'NOT A CODE' is not a postcode"),
        ("LS1 4AP,north,-1.5", "latitude 'north' is not a number"),
        ("LS1 4AP,53.8,-200", "longitude -200.0 is outside -180 to 180"),
        ("LS1 4AP,53.8", "2 columns where the postcode, latitude, longitude layout has 3"),
        ("LS1 4AP,nan,-1.5", "latitude 'nan' is not a number"),
    ],
)
def test_a_bad_row_stops_the_load_naming_its_line_and_keeps_the_batches_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str, words: str
) -> None:
    monkeypatch.setattr(loader, "BATCH_ROWS", 2)
    path = _write(tmp_path, "bad.csv", f"postcode,latitude,longitude\nLS1 1AA,53.79,-1.54\nLS1 1AB,53.79,-1.55\n{row}\n")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("gazetteer", "load", str(path), stderr=err)
    assert raised.value.returncode == 2
    assert f"{path}, line 4: {words}" in err.getvalue()
    assert "run the command again" in str(raised.value)
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {"LS1 1AA", "LS1 1AB"}


def test_an_unknown_layout_and_a_missing_file_are_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "odd.csv", "name,age\nA,3\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("gazetteer", "load", str(path), stderr=err)
    assert "line 1: the layout is not recognised" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("gazetteer", "load", str(tmp_path / "missing.csv"), stderr=err)
    assert "missing.csv: no such file" in err.getvalue()


def test_running_again_updates_and_never_duplicates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "BATCH_ROWS", 3)
    monkeypatch.setattr(loader, "STATEMENT_ROWS", 2)
    rows = "".join(f"LS{n} 1AA,53.{n:02d},-1.5\n" for n in range(1, 11))
    path = _write(tmp_path, "a.csv", "postcode,lat,lon\n" + rows)
    _load(path)
    _load(path)
    assert Postcode.objects.count() == 10
    moved = _write(tmp_path, "b.csv", "postcode,lat,lon\nLS3 1AA,54.0,-2.0\nLS3 1AA,54.5,-2.5\n")
    _load(moved)
    assert Postcode.objects.count() == 10
    assert postcode_lookup("ls31aa") == postcode_lookup("LS3 1AA")
    found = postcode_lookup("LS3 1AA")
    assert found is not None and (found.lat, found.lon) == (54.5, -2.5)


def test_the_demo_file_covers_the_demo_city() -> None:
    output = _load(DEMO_FILE)
    assert "postcodes written" in output
    count = Postcode.objects.count()
    assert count > 1000
    for lat, lon in Postcode.objects.values_list("lat", "lon"):
        # Every postcode lies within about 9 km of the demo city's centre.
        assert abs(lat - CENTRE[0]) * 111 < 9 and abs(lon - CENTRE[1]) * 66 < 9
    assert all(p.startswith("VG") for p in Postcode.objects.values_list("postcode", flat=True))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("sw1a1aa", "SW1A 1AA"), (" ls1   4ap ", "LS1 4AP"), ("VG12 3AB", "VG12 3AB"), ("hello", None), ("LS1 4A", None)],
)
def test_postcodes_are_read_as_people_type_them(typed: str, expected: str | None) -> None:
    assert normalise_postcode(typed) == expected


def test_lookup_prints_the_centre_or_says_it_is_unknown(tmp_path: Path) -> None:
    _load(_write(tmp_path, "a.csv", "postcode,latitude,longitude\nLS1 4AP,53.799631,-1.54906\n"))
    out = io.StringIO()
    call_command("gazetteer", "lookup", "ls14ap", stdout=out)
    assert out.getvalue().split() == ["LS1", "4AP", "53.799631", "-1.549060"]
    with pytest.raises(CommandError, match="LS1 9ZZ is not in the gazetteer"):
        call_command("gazetteer", "lookup", "LS1 9ZZ")
