"""Dates of birth in every shape a record holds them, and every way two can relate."""

from __future__ import annotations

import pytest

from vigil.people.linkage import dob


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-07-23", dob.BirthDate(1990, 7, 23)),
        ("19900723", dob.BirthDate(1990, 7, 23)),
        ("23/07/1990", dob.BirthDate(1990, 7, 23)),
        ("1990", dob.BirthDate(1990)),
        ("1990-00-00", dob.BirthDate(1990)),
        ("", None),
        ("unknown", None),
        (None, None),
    ],
)
def test_parse(text: str | None, expected: dob.BirthDate | None) -> None:
    assert dob.parse_birth(text) == expected


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("1990-07-23", "1990-07-23", dob.DOB_EXACT),
        ("1990-07-23", "1990", dob.DOB_YEAR_ONLY),
        ("1990", "1990", dob.DOB_YEAR_ONLY),
        ("1990", "1991-02-03", dob.DOB_YEAR_ONLY_NEAR),
        ("1990", "1995", dob.DOB_DIFFERENT),
        ("1990-07-23", None, dob.DOB_MISSING),
        (None, None, dob.DOB_MISSING),
        ("1990-07-03", "1990-03-07", dob.DOB_TRANSPOSED),
        ("1990-07-23", "1990-07-28", dob.DOB_ONE_SLIP),
        ("1980-11-17", "1980-11-71", dob.DOB_ONE_SLIP),
        ("1990-07-23", "1990-02-11", dob.DOB_SAME_YEAR),
        ("1964-01-15", "1990-07-23", dob.DOB_DIFFERENT),
    ],
)
def test_compare(a: str | None, b: str | None, level: str) -> None:
    assert dob.compare_dob(a, b)[0] == level
    assert dob.compare_dob(b, a) == dob.compare_dob(a, b)


def test_detail_names_both_dates_in_a_fixed_order() -> None:
    assert dob.compare_dob("1990-07-23", "1964-01-15") == (dob.DOB_DIFFERENT, "1964-01-15/1990-07-23")
    assert dob.compare_dob("1990", "1990-07-23") == (dob.DOB_YEAR_ONLY, "1990")


def test_one_slip() -> None:
    assert dob.one_slip("19900723", "19900724")
    assert dob.one_slip("19900723", "19900732")
    assert not dob.one_slip("19900723", "19900811")
    assert not dob.one_slip("1990", "19900723")
