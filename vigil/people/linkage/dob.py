"""Dates of birth as records hold them: a full date, a year only, or nothing; and the ways a
true date goes wrong between two reports (day and month swapped, one digit mistyped)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

DOB_EXACT = "exact"
DOB_TRANSPOSED = "transposed"
DOB_ONE_SLIP = "one_slip"
DOB_YEAR_ONLY = "year_only"
DOB_YEAR_ONLY_NEAR = "year_only_near"
DOB_SAME_YEAR = "same_year"
DOB_DIFFERENT = "different"
DOB_MISSING = "missing"


@dataclass(frozen=True, slots=True)
class BirthDate:
    """year always; month and day only for a full date. `digits` is YYYYMMDD or YYYY."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def full(self) -> bool:
        return self.month is not None and self.day is not None

    @property
    def digits(self) -> str:
        if self.full:
            return f"{self.year:04d}{self.month:02d}{self.day:02d}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        if self.full:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}"


_FULL = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_UK = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


@lru_cache(maxsize=65536)
def parse_birth(text: str | None) -> BirthDate | None:
    """ "YYYY-MM-DD", "YYYYMMDD", "DD/MM/YYYY" or "YYYY"; anything else counts as missing.
    Month and day are kept as written, even when impossible (1980-11-71 stays comparable digit
    by digit with 1980-11-17); a month or day of 00 makes the date year-only."""
    if text is None:
        return None
    text = text.strip()
    if match := _FULL.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _UK.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YEAR.match(text):
        return BirthDate(int(match.group(1)))
    else:
        return None
    if not 1 <= month <= 99 or not 1 <= day <= 99:
        return BirthDate(year)
    return BirthDate(year, month, day)


def one_slip(a: str, b: str) -> bool:
    """One digit mistyped (19801117/19801118) or two neighbouring digits swapped (…17/…71)."""
    if len(a) != len(b):
        return False
    wrong = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(wrong) == 1:
        return True
    return len(wrong) == 2 and wrong[1] == wrong[0] + 1 and a[wrong[0]] == b[wrong[1]] and a[wrong[1]] == b[wrong[0]]


@lru_cache(maxsize=65536)
def compare_dob(a: str | None, b: str | None) -> tuple[str, str]:
    """(level, detail) for two written dates of birth. Symmetric."""
    return compare_birth(parse_birth(a), parse_birth(b))


def compare_birth(a: BirthDate | None, b: BirthDate | None) -> tuple[str, str]:
    if a is None or b is None:
        return DOB_MISSING, ""
    first, second = sorted((str(a), str(b)))
    both = f"{first}/{second}"
    if not a.full or not b.full:
        if a.year == b.year:
            return DOB_YEAR_ONLY, str(a.year)
        return (DOB_YEAR_ONLY_NEAR if abs(a.year - b.year) == 1 else DOB_DIFFERENT), both
    if a == b:
        return DOB_EXACT, str(a)
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return DOB_TRANSPOSED, both
    if one_slip(a.digits, b.digits):
        return DOB_ONE_SLIP, both
    if a.year == b.year:
        return DOB_SAME_YEAR, both
    return DOB_DIFFERENT, both
