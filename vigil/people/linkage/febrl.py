"""FEBRL files: loading, the FEBRL field model, linking two files, and scoring the result.

FEBRL (Freely Extensible Biomedical Record Linkage, Christen et al.) ships synthetic person
files whose duplicates carry realistic typing, OCR and phonetic errors and missing values.
The person model's machinery (model.py) is reused with a field configuration for FEBRL's
columns; m, u and the prior are estimated by EM on the blocked pairs, with no labels.
"""

from __future__ import annotations

import csv
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein

from vigil.people.linkage import dob as dobs
from vigil.people.linkage import names
from vigil.people.linkage.model import FellegiSunter, Field, Level, Thresholds, estimate_em, probability_from_weight

COLUMNS = (
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


class FebrlInputError(ValueError):
    """A FEBRL input file that cannot be used; the message names the file (and column)."""


@dataclass(frozen=True)
class FebrlRecord:
    rec_id: str
    given_name: str
    surname: str
    street_number: str
    address_1: str
    address_2: str
    suburb: str
    postcode: str
    state: str
    date_of_birth: str
    soc_sec_id: str


def load_febrl(path: str | Path) -> list[FebrlRecord]:
    """Read a CSV in FEBRL's column layout (extra columns ignored, spaces around values
    stripped). Raises FebrlInputError naming the file and the missing column."""
    path = Path(path)
    if not path.is_file():
        raise FebrlInputError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, skipinitialspace=True)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            noun = "column" if len(missing) == 1 else "columns"
            raise FebrlInputError(f"{path}: missing {noun} {', '.join(repr(c) for c in missing)}")
        where = [header.index(c) for c in COLUMNS]
        records = []
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            record = FebrlRecord(*(_clean(row[i]) for i in where))
            if not record.rec_id:
                raise FebrlInputError(f"{path}: line {line}: empty rec_id")
            records.append(record)
    return records


def _clean(value: str) -> str:
    return " ".join(value.strip().lower().split())


def load_truth(path: str | Path, left: Sequence[FebrlRecord], right: Sequence[FebrlRecord]) -> set[tuple[str, str]]:
    """True pairs as (left rec_id, right rec_id), from a CSV of two rec_id columns. A first row
    that names no known record is taken as a header. Either column order is accepted."""
    path = Path(path)
    if not path.is_file():
        raise FebrlInputError(f"{path}: no such file")
    left_ids, right_ids = {r.rec_id for r in left}, {r.rec_id for r in right}
    pairs: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.reader(handle, skipinitialspace=True), start=1):
            cells = [_clean(c) for c in row if c.strip()]
            if not cells:
                continue
            if len(cells) < 2:
                raise FebrlInputError(f"{path}: line {line}: expected two rec_id columns")
            a, b = cells[0], cells[1]
            if a in left_ids and b in right_ids:
                pairs.add((a, b))
            elif b in left_ids and a in right_ids:
                pairs.add((b, a))
            elif line == 1:
                continue  # header
            else:
                raise FebrlInputError(f"{path}: line {line}: rec_id pair ({a}, {b}) not found in the two files")
    return pairs


_FEBRL_ID = re.compile(r"^rec-(\d+)-(org|dup-\d+)$")


def truth_from_ids(left: Sequence[FebrlRecord], right: Sequence[FebrlRecord]) -> set[tuple[str, str]]:
    """FEBRL4's truth: rec-N-org in one file is the same person as rec-N-dup-K in the other."""
    by_number: dict[str, list[str]] = defaultdict(list)
    for record in right:
        if match := _FEBRL_ID.match(record.rec_id):
            by_number[match.group(1)].append(record.rec_id)
    pairs: set[tuple[str, str]] = set()
    for record in left:
        if match := _FEBRL_ID.match(record.rec_id):
            pairs.update((record.rec_id, other) for other in by_number.get(match.group(1), ()))
    return pairs


# ---------------------------------------------------------------------------------------------
# The FEBRL field model. Starting m/u values only; EM re-estimates them on the data.

EXACT, CLOSE, FAIR, MISSING, DIFFERENT = "exact", "close", "fair", "missing", "different"


def _levels(field: str, close: str | None, fair: str | None) -> Field:
    levels = [Level(EXACT, 0.85, 0.01, f"same {field}")]
    if close:
        levels.append(Level(CLOSE, 0.08, 0.01, f"{field} {close}"))
    if fair:
        levels.append(Level(FAIR, 0.03, 0.02, f"{field} {fair}"))
    levels += [
        Level(MISSING, 1.0, 1.0, f"no {field} on one record", neutral=True),
        Level(DIFFERENT, 0.04, 0.96, f"different {field}"),
    ]
    return Field(field, tuple(levels))


FEBRL_MODEL = FellegiSunter(
    fields=(
        _levels("given_name", "nearly the same (Jaro-Winkler >= 0.92)", "similar (Jaro-Winkler >= 0.8) or sounds alike"),
        _levels("surname", "nearly the same (Jaro-Winkler >= 0.92)", "similar (Jaro-Winkler >= 0.8) or sounds alike"),
        _levels("street_number", "one typing slip apart", None),
        _levels("address_1", "nearly the same", "similar"),
        _levels("address_2", "nearly the same", "similar"),
        _levels("suburb", "nearly the same", "similar"),
        _levels("postcode", "one typing slip apart", "two edits apart"),
        _levels("state", None, None),
        _levels("date_of_birth", "one typing slip or day/month swap apart", "same year"),
        _levels("soc_sec_id", "one edit apart", "two edits apart"),
    ),
    prior=0.01,
    thresholds=Thresholds(link=0.5, review=0.5),
)

NAME_FIELDS = ("given_name", "surname")
TEXT_FIELDS = ("address_1", "address_2", "suburb")
CODE_FIELDS = ("street_number", "postcode", "soc_sec_id")


@lru_cache(maxsize=1 << 20)
def _name_level(a: str, b: str) -> int:
    if not a or not b:
        return 3
    if a == b:
        return 0
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= 0.92:
        return 1
    if similarity >= 0.8 or names.sounds_alike(a, b):
        return 2
    return 4


@lru_cache(maxsize=1 << 20)
def _text_level(a: str, b: str) -> int:
    if not a or not b:
        return 3
    if a == b:
        return 0
    if JaroWinkler.similarity(a, b) >= 0.92:
        return 1
    if fuzz.token_set_ratio(a, b) >= 80:
        return 2
    return 4


@lru_cache(maxsize=1 << 20)
def _code_level(a: str, b: str, fair: bool) -> int:
    """exact 0, one edit or neighbour swap 1, two edits 2 (when the field has that level),
    missing, different."""
    if not a or not b:
        return 3 if fair else 2
    if a == b:
        return 0
    if dobs.one_slip(a, b) or Levenshtein.distance(a, b) <= 1:
        return 1
    if fair and Levenshtein.distance(a, b) <= 2:
        return 2
    return 4 if fair else 3


@lru_cache(maxsize=1 << 20)
def _dob_level(a: str, b: str) -> int:
    level, _detail = dobs.compare_birth(dobs.parse_birth(a or None), dobs.parse_birth(b or None))
    if level == dobs.DOB_EXACT:
        return 0
    if level in (dobs.DOB_TRANSPOSED, dobs.DOB_ONE_SLIP):
        return 1
    if level in (dobs.DOB_SAME_YEAR, dobs.DOB_YEAR_ONLY):
        return 2
    if level == dobs.DOB_MISSING:
        return 3
    return 4


def compare_febrl(a: FebrlRecord, b: FebrlRecord) -> tuple[int, ...]:
    """The comparison pattern: one level index per field of FEBRL_MODEL, in order."""
    return (
        _name_level(a.given_name, b.given_name),
        _name_level(a.surname, b.surname),
        _code_level(a.street_number, b.street_number, False),
        _text_level(a.address_1, b.address_1),
        _text_level(a.address_2, b.address_2),
        _text_level(a.suburb, b.suburb),
        _code_level(a.postcode, b.postcode, True),
        (1 if not a.state or not b.state else 0 if a.state == b.state else 2),
        _dob_level(a.date_of_birth, b.date_of_birth),
        _code_level(a.soc_sec_id, b.soc_sec_id, True),
    )


def febrl_blocking_keys(record: FebrlRecord) -> set[str]:
    """Keys chosen so that a true pair usually shares several, and a pair with many errors
    still shares one: any exact identifier, or a phonetic name with a stable second field."""
    keys = set()
    given = names.phonetic_keys(record.given_name)[0] if record.given_name else ""
    surname = names.phonetic_keys(record.surname)[0] if record.surname else ""
    if record.soc_sec_id:
        keys.add(f"ssn|{record.soc_sec_id}")
    if record.date_of_birth:
        keys.add(f"dob|{record.date_of_birth}")
    if given and surname:
        keys.add(f"names|{given}|{surname}")
        keys.add(f"names|{surname}|{given}")
    if surname and record.postcode:
        keys.add(f"sp|{surname}|{record.postcode}")
    if given and record.postcode:
        keys.add(f"gp|{given}|{record.postcode}")
    if record.postcode and record.street_number:
        keys.add(f"addr|{record.postcode}|{record.street_number}")
    if surname and record.date_of_birth[:4]:
        keys.add(f"sy|{surname}|{record.date_of_birth[:4]}")
    return keys


@dataclass(frozen=True)
class LinkageRun:
    pairs: set[tuple[str, str]]
    compared: int
    seconds: float
    model: FellegiSunter
    em_iterations: int


# Below this many compared pairs EM has too little to learn from; the starting values stand.
MIN_PAIRS_FOR_EM = 200


def candidate_pairs(left: Sequence[FebrlRecord], right: Sequence[FebrlRecord]) -> set[tuple[int, int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for j, record in enumerate(right):
        for key in febrl_blocking_keys(record):
            index[key].append(j)
    pairs: set[tuple[int, int]] = set()
    for i, record in enumerate(left):
        for key in febrl_blocking_keys(record):
            pairs.update((i, j) for j in index.get(key, ()))
    return pairs


def link_febrl(left: Sequence[FebrlRecord], right: Sequence[FebrlRecord], *, one_to_one: bool = True) -> LinkageRun:
    """Block, compare, estimate the model by EM, and keep pairs with posterior >= 0.5; with
    `one_to_one`, each record joins at most one of the other file (strongest pairs first),
    which is right when neither file holds duplicates of its own."""
    started = time.perf_counter()
    candidates = candidate_pairs(left, right)
    patterns = {(i, j): compare_febrl(left[i], right[j]) for i, j in candidates}
    if len(patterns) >= MIN_PAIRS_FOR_EM:
        em = estimate_em(FEBRL_MODEL, Counter(patterns.values()))
        model, iterations = em.model, em.iterations
    else:
        model, iterations = FEBRL_MODEL, 0
    weight_of = {p: model.pattern_weight(p) for p in set(patterns.values())}
    threshold = model.thresholds.link
    scored = sorted(
        ((weight_of[p], i, j) for (i, j), p in patterns.items() if probability_from_weight(weight_of[p]) >= threshold),
        key=lambda item: (-item[0], left[item[1]].rec_id, right[item[2]].rec_id),
    )
    chosen: set[tuple[str, str]] = set()
    taken_left: set[int] = set()
    taken_right: set[int] = set()
    for _weight, i, j in scored:
        if one_to_one and (i in taken_left or j in taken_right):
            continue
        taken_left.add(i)
        taken_right.add(j)
        chosen.add((left[i].rec_id, right[j].rec_id))
    return LinkageRun(chosen, len(candidates), time.perf_counter() - started, model, iterations)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int


def evaluate(predicted: Iterable[tuple[str, str]], truth: set[tuple[str, str]]) -> Scores:
    found = set(predicted)
    tp = len(found & truth)
    fp = len(found - truth)
    fn = len(truth - found)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn)
