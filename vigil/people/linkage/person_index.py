"""The keys of a force's person index, and the search plan for a new record.

`blocking.blocking_keys` serves one closed account (a timeline of a few records), where no
block is ever large. A force's index holds a million records or more, and there the broad
keys become enormous for common names (`g|david|s` holds every David S-something). A
block that is too large is not skipped: it is narrowed by a second key, which the index
also stores. Each record is stored under:

- `d|<year>|<day and month in either order>` a full date of birth, any name;
- `g|<canonical given>|<surname initial>` nicknames (Danny and Daniel both give `daniel`);
- `x|<soundex surname>|<given initial>` misspelt surnames;

and their narrower forms:

- `gy|<canonical given>|<surname initial>|<year>` and `sy|<metaphone surname>|<year>|<given
  metaphone initial>`, for records with a year of birth;
- `gx|<canonical given>|<soundex surname>`, `n|<canonical given>|<metaphone surname>` and
  `xs|<soundex surname>|<soundex given>`, for every record;
- `gu`, `xu`, `nu`, `gxu` and `xsu` (the same, marked `u`), for records with no year of
  birth, so that a dated record can reach the undated ones with the same name without
  reading the dated thousands.

The search plan (`search_plan`) says, for each key of a new record, which narrower keys
replace it when its block is too large. A record with a year of birth narrows `g` by the
year (`gy`) and by the undated (`gu`, itself narrowed to `nu` and `gxu`), and `x` by the
undated (`xu`, narrowed to `xsu`); its dated namesakes with a varied name are reached
through `sy` (the given name varied) and `gy` (the surname varied). A record with no year
narrows `g` to `gx` and then `n`, and `x` to `xs`. A narrowest key that is still too large
(every David Smith, for a David Smith with no date of birth) is read whole. See
docs/linkage.md ("Blocking at scale").
"""

from __future__ import annotations

from vigil.people.linkage import names
from vigil.people.linkage.dob import parse_birth
from vigil.people.linkage.person import PersonRecord

# Keys are stored in a column of 80 characters; a name part is cut well short of that.
PART = 30

# Key families kept only for records with no year of birth.
UNDATED_FAMILIES = ("gu", "xu", "nu", "gxu", "xsu")


def _codes(form: names.NameForm) -> tuple[str, str, str, str, str, list[str]]:
    """(surname, its metaphone, its soundex, given metaphone, given soundex, canonical givens)."""
    surname = form.surname.replace("-", "")
    metaphone, _nysiis, soundex = names.phonetic_keys(surname)
    given_metaphone, _gn, given_soundex = names.phonetic_keys(form.given) if form.given else ("", "", "")
    canonical = sorted(names.canonical_given(form.given)) if form.given and len(form.given) > 1 else []
    return surname[:PART], metaphone[:PART], soundex, given_metaphone, given_soundex, [c[:PART] for c in canonical]


def _plan(record: PersonRecord, *, stored: bool) -> dict[str, tuple[str, ...]]:
    """key -> narrower keys, for the record as a new one (stored=False), or with every key the
    record is stored under (stored=True; the narrower lists then do not matter)."""
    birth = parse_birth(record.born)
    year = birth.year if birth is not None else None
    plan: dict[str, list[str]] = {}

    def add(key: str, narrower: tuple[str | None, ...] = ()) -> None:
        found = plan.setdefault(key, [])
        for n in narrower:
            if n is not None and n not in found:
                found.append(n)
                plan.setdefault(n, [])

    for form in names.all_name_forms((record.name, *record.aliases)):
        surname, metaphone, soundex, given_metaphone, given_soundex, canonical = _codes(form)
        initial = form.given[:1]
        for c in canonical:
            broad = f"g|{c}|{surname[:1]}"
            by_soundex = f"gx|{c}|{soundex}" if soundex else None
            by_metaphone = f"n|{c}|{metaphone}" if metaphone else None
            undated = f"gu|{c}|{surname[:1]}"
            undated_narrower = (f"nu|{c}|{metaphone}" if metaphone else None, f"gxu|{c}|{soundex}" if soundex else None)
            if year is not None:
                add(broad, (f"gy|{c}|{surname[:1]}|{year}", undated))
                add(undated, undated_narrower)
                if stored:
                    add(by_soundex or broad)
                    add(by_metaphone or broad)
            else:
                add(broad, (by_soundex,))
                if by_soundex:
                    add(by_soundex, (by_metaphone,))
                if stored:
                    add(undated, undated_narrower)
        if soundex:
            broad = f"x|{soundex}|{initial}"
            by_given = f"xs|{soundex}|{given_soundex}" if given_soundex else None
            undated = f"xu|{soundex}|{initial}"
            if year is not None:
                add(broad, (undated,))
                add(undated, (f"xsu|{soundex}|{given_soundex}" if given_soundex else None,))
                if stored and by_given:
                    add(by_given)
            else:
                add(broad, (by_given,))
                if stored:
                    add(undated, (f"xsu|{soundex}|{given_soundex}" if given_soundex else None,))
        if year is not None and metaphone and given_metaphone:
            add(f"sy|{metaphone}|{year}|{given_metaphone[:1]}")
    if birth is not None and birth.full and birth.month is not None and birth.day is not None:
        low, high = sorted((birth.month, birth.day))
        add(f"d|{birth.year}|{low:02d}{high:02d}")
    return {key: tuple(narrower) for key, narrower in plan.items()}


def family(key: str) -> str:
    return key.split("|", 1)[0]


def person_index_keys(record: PersonRecord) -> frozenset[str]:
    """Every key the record is stored under in a force's person index."""
    keys = _plan(record, stored=True)
    if parse_birth(record.born) is not None:
        # A dated record is not stored under the undated families (its plan names them only
        # as places to look for undated namesakes).
        return frozenset(k for k in keys if family(k) not in UNDATED_FAMILIES)
    return frozenset(keys)


def search_plan(record: PersonRecord) -> dict[str, tuple[str, ...]]:
    """The keys to search for a new record: each with the narrower keys that replace it when
    its block is too large (an empty tuple: the narrowest, read whole if need be)."""
    return _plan(record, stored=False)
