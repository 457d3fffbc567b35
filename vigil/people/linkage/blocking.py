"""Blocking: a new record is scored only against records that share a key with it.

Each key is a short string, so a database can keep (person, key) rows under an index and
find candidates with one `key IN (...)` query. Keys are built from every reading of every
name (aliases, surname first, middle name), so that each name rule the model knows has a key
that brings its pairs together:

- `s|<metaphone surname>|<birth year>`   spelling and phonetic surname variants, same year;
- `g|<canonical given name>|<surname initial>`   nicknames (Danny and Daniel both give `daniel`);
- `x|<soundex surname>|<given initial>`   misspelt surnames and initials, with no date of birth;
- `d|<year>|<day and month, in either order>`   same or transposed date of birth, any name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from vigil.people.linkage import names
from vigil.people.linkage.dob import parse_birth
from vigil.people.linkage.person import PersonRecord

# Keys are stored in a column of 80 characters; a name part is cut well short of that.
PART = 30


def _name_keys(form: names.NameForm, year: int | None) -> set[str]:
    keys: set[str] = set()
    surname = form.surname.replace("-", "")
    metaphone, _nysiis, soundex = names.phonetic_keys(surname)
    if metaphone and year is not None:
        keys.add(f"s|{metaphone[:PART]}|{year}")
    if soundex:
        keys.add(f"x|{soundex}|{form.given[:1]}")
    if form.given and len(form.given) > 1:
        for canonical in names.canonical_given(form.given):
            keys.add(f"g|{canonical[:PART]}|{surname[:1]}")
    return keys


def blocking_keys(record: PersonRecord) -> frozenset[str]:
    """The record's blocking keys; two records are compared only when they share one."""
    birth = parse_birth(record.born)
    year = birth.year if birth is not None else None
    keys: set[str] = set()
    for form in names.all_name_forms((record.name, *record.aliases)):
        keys |= _name_keys(form, year)
    if birth is not None and birth.full and birth.month is not None and birth.day is not None:
        low, high = sorted((birth.month, birth.day))
        keys.add(f"d|{birth.year}|{low:02d}{high:02d}")
    return frozenset(keys)


def candidates(new: PersonRecord, index: Mapping[str, Iterable[str]]) -> set[str]:
    """Refs in `index` (key -> refs holding it) that share at least one key with `new`."""
    found: set[str] = set()
    for key in blocking_keys(new):
        found.update(index.get(key, ()))
    found.discard(new.ref)
    return found
