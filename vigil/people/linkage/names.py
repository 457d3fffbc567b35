"""Names as police records write them: normalised, split into given name and surname, and
compared the ways a person's name really varies between reports (nicknames, misspellings,
names that sound alike, surname written first, a middle name used as the first name,
aliases). Every comparison returns a level and the two spellings, for the evidence."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jellyfish
from rapidfuzz.distance import JaroWinkler, Levenshtein

NICKNAMES_CSV = Path(__file__).with_name("nicknames.csv")
COMMON_NAMES_CSV = Path(__file__).with_name("common_names.csv")

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "lord", "lady"})
SUFFIXES = frozenset({"jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii", "iv"})
# Lower-case particles that belong to the surname that follows (van der Berg, de la Cruz).
PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "la", "le", "du", "da", "di", "del", "della", "st", "bin", "al", "el", "ap"}
)

# How a written name was read into given name and surname.
AS_WRITTEN = "as written"
SURNAME_FIRST = "name order swapped"
MIDDLE_AS_GIVEN = "middle name as given name"


def fold(text: str) -> str:
    """Lower case, accents removed, apostrophes dropped (O'Brien = OBrien), other
    punctuation turned into spaces; hyphens kept inside double-barrelled names."""
    if text.isascii():  # most names: one table lookup per character does the same as below
        plain = text.translate(_ASCII_FOLD)
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        plain = re.sub(r"['’`]", "", plain)
        plain = re.sub(r"[^a-z\- ]+", " ", plain)
    if "-" in plain:
        plain = re.sub(r"\s*-\s*", "-", plain)
    return " ".join(plain.strip("- ").split())


# ASCII folding: letters to lower case, hyphen and space kept, apostrophes dropped, the rest spaces.
_ASCII_FOLD = {i: (chr(i).lower() if chr(i).isalpha() or chr(i) in "- " else None if chr(i) in "'`" else " ") for i in range(128)}


@lru_cache(maxsize=65536)
def display(token: str) -> str:
    """A folded token written back for people to read: mackey -> Mackey, smith-jones -> Smith-Jones."""
    return "-".join(part[:1].upper() + part[1:] for part in token.split("-"))


@lru_cache(maxsize=1)
def nickname_table() -> dict[str, frozenset[str]]:
    """nickname -> the full names it can stand for, from nicknames.csv."""
    table: dict[str, set[str]] = defaultdict(set)
    with NICKNAMES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(line for line in handle if not line.startswith("#"))
        header = next(rows)
        if header != ["nickname", "name"]:
            raise ValueError(f"{NICKNAMES_CSV}: expected header 'nickname,name', found {header!r}")
        for row in rows:
            if len(row) == 2 and row[0].strip() and row[1].strip():
                table[fold(row[0])].add(fold(row[1]))
    return {nick: frozenset(names) for nick, names in table.items()}


@lru_cache(maxsize=1)
def common_name_table() -> dict[tuple[str, str], float]:
    """(kind, name) -> share of the population holding it, from common_names.csv."""
    table: dict[tuple[str, str], float] = {}
    with COMMON_NAMES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(line for line in handle if not line.startswith("#"))
        header = next(rows)
        if header != ["kind", "name", "share"]:
            raise ValueError(f"{COMMON_NAMES_CSV}: expected header 'kind,name,share', found {header!r}")
        for kind, name, share in rows:
            table[(kind, fold(name))] = float(share)
    return table


def common_share(name: str) -> float | None:
    """How common a folded name is, if listed, as a given name or a surname, whichever is more
    common. The role is ignored on purpose: "Smith John" read the other way round must not
    escape the adjustment that "John Smith" gets."""
    table = common_name_table()
    shares = [share for kind in ("given", "surname") if (share := table.get((kind, name))) is not None]
    return max(shares) if shares else None


@lru_cache(maxsize=65536)
def canonical_given(name: str) -> frozenset[str]:
    """The name itself and every full name it is a nickname of: harry -> {harry, henry, harold}."""
    folded = fold(name)
    return frozenset({folded}) | nickname_table().get(folded, frozenset())


def is_nickname_pair(a: str, b: str) -> bool:
    return bool(canonical_given(a) & canonical_given(b))


@lru_cache(maxsize=65536)
def phonetic_keys(token: str) -> tuple[str, str, str]:
    """(metaphone, NYSIIS, soundex) of one folded name; hyphens and spaces ignored."""
    letters = token.replace("-", "").replace(" ", "")
    if not letters:
        return ("", "", "")
    return (jellyfish.metaphone(letters), jellyfish.nysiis(letters), jellyfish.soundex(letters))


def sounds_alike(a: str, b: str) -> bool:
    """Same metaphone or same NYSIIS code. Soundex alone is too loose (Robert/Rupert) to count
    as evidence; it serves only as a blocking key."""
    ka, kb = phonetic_keys(a), phonetic_keys(b)
    return bool(ka[0]) and (ka[0] == kb[0] or ka[1] == kb[1])


def spelt_alike(a: str, b: str) -> bool:
    """A typing or hearing slip: Jaro-Winkler >= 0.9 on names of four letters or more, or an edit
    distance small for the length (1 up to 7 letters, 2 from 8)."""
    shorter = min(len(a), len(b))
    if shorter < 3:
        return False
    if shorter >= 4 and JaroWinkler.similarity(a, b) >= 0.9:
        return True
    return Levenshtein.distance(a, b) <= (1 if shorter < 8 else 2)


@dataclass(frozen=True, order=True, slots=True)
class NameForm:
    """One reading of a written name: given name, surname, and how it was read."""

    given: str
    surname: str
    how: str = AS_WRITTEN
    written: str = ""


def _tokens(text: str) -> list[str]:
    words = fold(text).split()
    words = [w for w in words if w.rstrip(".") not in TITLES]
    while words and words[-1] in SUFFIXES:
        words.pop()
    return words


def _join_particles(words: list[str]) -> list[str]:
    """Glue surname particles to the word after them: ["ruud", "van", "nistelrooy"] -> ["ruud", "vannistelrooy"]."""
    out: list[str] = []
    carry = ""
    for i, word in enumerate(words):
        if word in PARTICLES and i not in (0, len(words) - 1):
            carry += word
            continue
        out.append(carry + word)
        carry = ""
    return out


@lru_cache(maxsize=65536)
def name_forms(written: str) -> tuple[NameForm, ...]:
    """Every plausible reading of one written name.

    "Daniel James Rourke" reads as Daniel/Rourke as written, James/Rourke (middle name used as
    the given name), and Rourke/Daniel (surname first). "Rourke, Daniel" and "ROURKE Daniel"
    are surname-first by convention, so that is their as-written reading. A single word is a
    surname with no given name.
    """
    return _read(written, written)


def _read(text: str, written: str) -> tuple[NameForm, ...]:
    """Readings of `text`, each remembering the name as it was `written` for the evidence."""
    if "," in text:
        before, _, after = text.partition(",")
        return _read(f"{after} {before}".strip(), written) if before.strip() else _read(after, written)
    raw_words = [w for w in re.split(r"\s+", text.strip()) if w]
    capitals = [w for w in raw_words if w.isupper() and len(re.sub(r"[^A-Za-z]", "", w)) > 1]
    if len(raw_words) >= 2 and len(capitals) == 1 and raw_words[0] == capitals[0]:
        return _read(" ".join(raw_words[1:]) + " " + raw_words[0], written)
    words = _join_particles(_tokens(text))
    if not words:
        return ()
    if len(words) == 1:
        return (NameForm("", words[0], AS_WRITTEN, written),)
    given, middles, surname = words[0], words[1:-1], words[-1]
    forms = [NameForm(given, surname, AS_WRITTEN, written), NameForm(surname, given, SURNAME_FIRST, written)]
    forms += [NameForm(m, surname, MIDDLE_AS_GIVEN, written) for m in middles if len(m) > 1]
    return tuple(dict.fromkeys(forms))


def all_name_forms(names: Iterable[str]) -> tuple[NameForm, ...]:
    forms: dict[NameForm, None] = {}
    for written in names:
        for form in name_forms(written):
            forms.setdefault(form, None)
    return tuple(forms)


def pair_detail(a: str, b: str) -> str:
    """Both spellings, in a fixed order so that comparing a with b reads as b with a."""
    first, second = sorted((display(a), display(b)))
    return f"{first}/{second}"


# Given-name comparison levels, best first.
GIVEN_EXACT = "exact"
GIVEN_NICKNAME = "nickname"
GIVEN_SPELLING = "spelling"
GIVEN_SOUNDS = "sounds"
GIVEN_INITIAL = "initial"
GIVEN_MISSING = "missing"
GIVEN_DIFFERENT = "different"


@lru_cache(maxsize=65536)
def compare_given(a: str, b: str) -> tuple[str, str]:
    """(level, detail) for two folded given names. Symmetric."""
    if not a or not b:
        return GIVEN_MISSING, ""
    if a == b:
        return GIVEN_EXACT, display(a)
    detail = pair_detail(a, b)
    if len(a) == 1 or len(b) == 1:
        return (GIVEN_INITIAL if a[0] == b[0] else GIVEN_DIFFERENT), detail
    if is_nickname_pair(a, b):
        return GIVEN_NICKNAME, detail
    if spelt_alike(a, b):
        return GIVEN_SPELLING, detail
    if sounds_alike(a, b):
        return GIVEN_SOUNDS, detail
    return GIVEN_DIFFERENT, detail


# Surname comparison levels, best first.
SURNAME_EXACT = "exact"
SURNAME_SPELLING = "spelling"
SURNAME_PART = "part"
SURNAME_SOUNDS = "sounds"
SURNAME_MISSING = "missing"
SURNAME_DIFFERENT = "different"


@lru_cache(maxsize=65536)
def compare_surname(a: str, b: str) -> tuple[str, str]:
    """(level, detail) for two folded surnames. Symmetric."""
    if not a or not b:
        return SURNAME_MISSING, ""
    if a == b:
        return SURNAME_EXACT, display(a)
    detail = pair_detail(a, b)
    if spelt_alike(a, b):
        return SURNAME_SPELLING, detail
    parts_a, parts_b = set(a.split("-")), set(b.split("-"))
    if (len(parts_a) > 1 or len(parts_b) > 1) and parts_a & parts_b:
        return SURNAME_PART, detail
    if sounds_alike(a, b):
        return SURNAME_SOUNDS, detail
    return SURNAME_DIFFERENT, detail
