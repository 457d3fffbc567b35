"""The person model: is this record the same human being as that one, and why.

Fields compared: given name, surname, how the name was read (surname first, middle name,
alias), date of birth, sex, and home (places within ~100 m, or address text). The m and u
probabilities below are set by hand and explained in docs/linkage.md; they are the
project's judgement, not estimates from police data (none is available to the project).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz

from vigil.people.linkage import dob as dobs
from vigil.people.linkage import names
from vigil.people.linkage.model import (
    LINK,
    REVIEW,
    FellegiSunter,
    Field,
    Level,
    Outcome,
    Scored,
    Thresholds,
    log2_odds,
    probability_from_weight,
)
from vigil.people.linkage.model import (
    NONE as NONE_DECISION,
)


@dataclass(frozen=True)
class PersonRecord:
    ref: str
    name: str
    aliases: tuple[str, ...] = ()
    born: str | None = None
    sex: str = "unknown"
    places: tuple[tuple[float, float], ...] = ()
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchResult:
    probability: float
    match_weight: float
    decision: str
    evidence: tuple[str, ...]
    reason: str
    held: bool = False  # a strong disagreement (dates of birth, given names): never linked automatically


# Levels of the "name_form" field: how the best-matching names were read.
FORM_AS_WRITTEN = "as_written"
FORM_SURNAME_FIRST = "surname_first"
FORM_MIDDLE = "middle_as_given"

SEX_SAME, SEX_DIFFERENT, SEX_MISSING = "same", "different", "missing"
HOME_SAME, HOME_NEAR, HOME_FAR, HOME_MISSING = "same", "near", "far", "missing"

SAME_PLACE_METRES = 100.0
NEAR_PLACE_METRES = 1000.0
SAME_ADDRESS_RATIO = 95.0
SIMILAR_ADDRESS_RATIO = 85.0

PERSON_MODEL = FellegiSunter(
    fields=(
        Field(
            "given",
            (
                Level(names.GIVEN_EXACT, 0.82, 0.008, "same given name ({detail})"),
                Level(names.GIVEN_NICKNAME, 0.07, 0.003, "given name is a nickname ({detail})"),
                Level(names.GIVEN_SPELLING, 0.04, 0.002, "given name is a spelling variant ({detail})"),
                Level(names.GIVEN_SOUNDS, 0.02, 0.004, "given names sound alike ({detail})"),
                Level(names.GIVEN_INITIAL, 0.02, 0.005, "given name matches an initial ({detail})"),
                Level(names.GIVEN_MISSING, 1.0, 1.0, "no given name on one record", neutral=True),
                Level(names.GIVEN_DIFFERENT, 0.03, 0.978, "given names differ ({detail})", holds=True),
            ),
        ),
        Field(
            "surname",
            (
                Level(names.SURNAME_EXACT, 0.86, 0.0015, "same surname ({detail})"),
                Level(names.SURNAME_SPELLING, 0.06, 0.0015, "surname is a spelling variant ({detail})"),
                Level(names.SURNAME_PART, 0.02, 0.0005, "surnames share part of a double-barrelled name ({detail})"),
                Level(names.SURNAME_SOUNDS, 0.02, 0.003, "surnames sound alike ({detail})"),
                Level(names.SURNAME_MISSING, 1.0, 1.0, "no surname on one record", neutral=True),
                Level(names.SURNAME_DIFFERENT, 0.04, 0.994, "surnames differ ({detail})"),
            ),
        ),
        Field(
            "name_form",
            (
                Level(FORM_AS_WRITTEN, 0.96, 0.92, "{detail}"),
                Level(FORM_SURNAME_FIRST, 0.02, 0.16, "given name and surname the other way round on one record ({detail})"),
                Level(FORM_MIDDLE, 0.02, 0.08, "a middle name used as the given name ({detail})"),
            ),
        ),
        Field(
            "born",
            (
                Level(dobs.DOB_EXACT, 0.88, 0.00005, "same date of birth ({detail})"),
                Level(dobs.DOB_TRANSPOSED, 0.01, 0.00005, "dates of birth match with day and month swapped ({detail})"),
                Level(dobs.DOB_ONE_SLIP, 0.03, 0.001, "dates of birth differ by one typing slip ({detail})"),
                Level(dobs.DOB_YEAR_ONLY, 0.97, 0.025, "same year of birth ({detail}; one record has the year only)"),
                Level(dobs.DOB_YEAR_ONLY_NEAR, 0.02, 0.033, "years of birth one apart ({detail}; year only)"),
                Level(dobs.DOB_SAME_YEAR, 0.012, 0.0165, "different dates of birth in the same year ({detail})", holds=True),
                Level(dobs.DOB_DIFFERENT, 0.008, 0.98, "different dates of birth ({detail})", holds=True),
                Level(dobs.DOB_MISSING, 1.0, 1.0, "no date of birth on one record", neutral=True),
            ),
        ),
        Field(
            "sex",
            (
                Level(SEX_SAME, 0.97, 0.5, ""),
                Level(SEX_DIFFERENT, 0.01, 0.5, "recorded sex differs ({detail})"),
                Level(SEX_MISSING, 1.0, 1.0, "", neutral=True),
            ),
        ),
        Field(
            "home",
            (
                Level(HOME_SAME, 0.45, 0.002, "{detail}"),
                Level(HOME_NEAR, 0.10, 0.02, "{detail}"),
                Level(HOME_FAR, 0.45, 0.97, "{detail}"),
                Level(HOME_MISSING, 1.0, 1.0, "", neutral=True),
            ),
        ),
    ),
    # About one chance in 65,000 that two records picked at random from a force's person
    # index are the same human being, before looking at them.
    prior=2.0**-16,
    thresholds=Thresholds(link=0.99, review=0.05),
    hold_wording="held for review, not linked automatically, because of: {detail}",
)


def normalise_sex(sex: str) -> str | None:
    value = sex.strip().lower()
    if value in ("male", "m", "man"):
        return "male"
    if value in ("female", "f", "woman"):
        return "female"
    return None


def compare_sex(a: str, b: str) -> Outcome:
    sa, sb = normalise_sex(a), normalise_sex(b)
    if sa is None or sb is None:
        return Outcome("sex", SEX_MISSING)
    if sa == sb:
        return Outcome("sex", SEX_SAME, sa)
    return Outcome("sex", SEX_DIFFERENT, "/".join(sorted((sa, sb))))


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(min(1.0, math.sqrt(h)))


def _distance_words(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


@lru_cache(maxsize=65536)
def _address_key(address: str) -> str:
    return names.fold(address.replace(",", " "))


# A full UK postcode: outward code (area, district) and inward code (sector, unit).
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")


@lru_cache(maxsize=65536)
def _postcode(address: str) -> str | None:
    found = _POSTCODE.findall(address.upper())
    return f"{found[-1][0]} {found[-1][1]}" if found else None


def _postcodes(addresses: Iterable[str]) -> set[str]:
    return {code for code in map(_postcode, addresses) if code}


_HOUSE_NUMBER = re.compile(r"\b[0-9]+[A-Z]?\b")


@lru_cache(maxsize=65536)
def _house_numbers(address: str) -> frozenset[str]:
    """The numbers in an address outside its postcode: house, flat, block."""
    return frozenset(_HOUSE_NUMBER.findall(_POSTCODE.sub(" ", address.upper())))


def _address_ratio(x: str, y: str) -> float:
    """How alike two addresses read (0-100). Two addresses whose numbers have none in common
    are other homes, however alike the rest: 27 and 14 Cliff Road are neighbours, not one
    home (the text of the street alone reads as 95 alike). Flat 1, 14 Cliff Road and 14 Cliff
    Road share 14."""
    numbers_x, numbers_y = _house_numbers(x), _house_numbers(y)
    if numbers_x and numbers_y and not numbers_x & numbers_y:
        return 0.0
    return fuzz.token_set_ratio(_address_key(x), _address_key(y))


def compare_home(a: PersonRecord, b: PersonRecord) -> Outcome:
    """The best agreement between any place or address of one and any of the other. Address
    text is never put in the evidence: a protected address must not leak through a reason."""
    outcomes: list[tuple[int, Outcome]] = []
    if a.places and b.places:
        metres = min(metres_between(p, q) for p in a.places for q in b.places)
        words = _distance_words(metres)
        if metres <= SAME_PLACE_METRES:
            outcomes.append((0, Outcome("home", HOME_SAME, f"homes within 100 m ({words} apart)")))
        elif metres <= NEAR_PLACE_METRES:
            outcomes.append((1, Outcome("home", HOME_NEAR, f"homes {words} apart")))
        else:
            outcomes.append((2, Outcome("home", HOME_FAR, f"homes {words} apart")))
    texts_a = [x for x in a.addresses if _address_key(x)]
    texts_b = [y for y in b.addresses if _address_key(y)]
    if texts_a and texts_b:
        ratio = max(_address_ratio(x, y) for x in texts_a for y in texts_b)
        if ratio >= SAME_ADDRESS_RATIO:
            outcomes.append((0, Outcome("home", HOME_SAME, "same address")))
        elif ratio >= SIMILAR_ADDRESS_RATIO:
            outcomes.append((1, Outcome("home", HOME_NEAR, "similar addresses")))
        elif _postcodes(a.addresses) & _postcodes(b.addresses):
            # A full postcode is a street or part of one (about fifteen addresses).
            outcomes.append((1, Outcome("home", HOME_NEAR, "same postcode")))
        else:
            outcomes.append((2, Outcome("home", HOME_FAR, "different addresses")))
    if not outcomes:
        return Outcome("home", HOME_MISSING)
    return min(outcomes, key=lambda pair: pair[0])[1]


@dataclass(frozen=True, slots=True)
class _Form:
    form: names.NameForm
    alias: bool


def _forms(record: PersonRecord) -> tuple[_Form, ...]:
    return _forms_of(record.name, record.aliases)


@lru_cache(maxsize=65536)
def _forms_of(name: str, aliases: tuple[str, ...]) -> tuple[_Form, ...]:
    forms = [_Form(f, False) for f in names.name_forms(name)]
    seen = {f.form for f in forms}
    for alias in aliases:
        for f in names.name_forms(alias):
            if f not in seen:
                seen.add(f)
                forms.append(_Form(f, True))
    return tuple(forms)


def _common_name(outcome: Outcome, name: str, model: FellegiSunter) -> Outcome:
    """An exact match on a common name weighs less: the level's u becomes the name's share."""
    share = names.common_share(name)
    level = model.level(outcome)
    if share is None or share <= level.u:
        return outcome
    return replace(outcome, detail=f"{outcome.detail}, a common name", adjust=math.log2(level.u / share))


_PLAIN_FORM = Outcome("name_form", FORM_AS_WRITTEN, "")


def _form_outcome(x: _Form, y: _Form) -> Outcome:
    if not (x.alias or y.alias) and x.form.how == y.form.how == names.AS_WRITTEN:
        return _PLAIN_FORM  # the common case, without building the wording
    aliases = sorted({f.form.written for f in (x, y) if f.alias})
    alias_words = f"through the alias {' and '.join(aliases)}" if aliases else ""
    for level, how in ((FORM_SURNAME_FIRST, names.SURNAME_FIRST), (FORM_MIDDLE, names.MIDDLE_AS_GIVEN)):
        written = sorted({f.form.written for f in (x, y) if f.form.how == how})
        if written:
            detail = " and ".join(written) + (f", {alias_words}" if alias_words else "")
            return Outcome("name_form", level, detail)
    return Outcome("name_form", FORM_AS_WRITTEN, f"matched {alias_words}" if alias_words else "")


# The caches below are deliberately few and bounded: every cached entry is an object Python's
# garbage collector walks in a full collection, and a long-running process with millions of
# them pauses for most of a second each time (measured in `vigil bench linkage`). The name
# comparisons themselves are cached once, in names.py.
def _given_outcome(a: str, b: str) -> Outcome:
    return Outcome("given", *names.compare_given(a, b))


def _surname_outcome(a: str, b: str) -> Outcome:
    return Outcome("surname", *names.compare_surname(a, b))


@lru_cache(maxsize=65536)
def _person_given(a: str, b: str) -> Outcome:
    given = _given_outcome(a, b)
    return _common_name(given, a, PERSON_MODEL) if given.level == names.GIVEN_EXACT else given


@lru_cache(maxsize=65536)
def _person_surname(a: str, b: str) -> Outcome:
    surname = _surname_outcome(a, b)
    return _common_name(surname, a, PERSON_MODEL) if surname.level == names.SURNAME_EXACT else surname


def _form_level(x: _Form, y: _Form) -> Outcome:
    """The name_form level of a pair of readings, without the wording (see _form_outcome)."""
    hows = (x.form.how, y.form.how)
    if names.SURNAME_FIRST in hows:
        return _FORM_LEVELS[FORM_SURNAME_FIRST]
    if names.MIDDLE_AS_GIVEN in hows:
        return _FORM_LEVELS[FORM_MIDDLE]
    return _FORM_LEVELS[FORM_AS_WRITTEN]


_FORM_LEVELS = {level: Outcome("name_form", level) for level in (FORM_AS_WRITTEN, FORM_SURNAME_FIRST, FORM_MIDDLE)}


def _name_outcomes(a: PersonRecord, b: PersonRecord, model: FellegiSunter) -> tuple[Outcome, Outcome, Outcome]:
    """Every reading of every name of one against every reading of every name of the other;
    the best-weighted wins. Ties go to the alphabetically first evidence, so a-b = b-a.

    The name_form wording and the tie-break text are costly, so they are built only for the
    winner and for readings that tie with it; the weights do not depend on them."""

    def full(x: _Form, y: _Form, given: Outcome, surname: Outcome) -> tuple[Outcome, Outcome, Outcome]:
        return (given, surname, _form_outcome(x, y))

    best: tuple[float, _Form, _Form, Outcome, Outcome] | None = None
    for x in _forms(a):
        for y in _forms(b):
            if model is PERSON_MODEL:  # the common-name adjustment is cached with the comparison
                given = _person_given(x.form.given, y.form.given)
                surname = _person_surname(x.form.surname, y.form.surname)
            else:
                given = _given_outcome(x.form.given, y.form.given)
                surname = _surname_outcome(x.form.surname, y.form.surname)
                if given.level == names.GIVEN_EXACT:
                    given = _common_name(given, x.form.given, model)
                if surname.level == names.SURNAME_EXACT:
                    surname = _common_name(surname, x.form.surname, model)
            weight = model.weight_of((given, surname, _form_level(x, y)))
            if best is None or weight > best[0]:
                best = (weight, x, y, given, surname)
            elif weight == best[0] and repr(full(x, y, given, surname)) < repr(full(*best[1:])):
                best = (weight, x, y, given, surname)
    if best is None:
        return (
            Outcome("given", names.GIVEN_MISSING),
            Outcome("surname", names.SURNAME_MISSING),
            Outcome("name_form", FORM_AS_WRITTEN),
        )
    return full(*best[1:])


def compare_records(a: PersonRecord, b: PersonRecord, model: FellegiSunter = PERSON_MODEL) -> tuple[Outcome, ...]:
    given, surname, form = _name_outcomes(a, b, model)
    born = Outcome("born", *dobs.compare_dob(a.born, b.born))
    return (given, surname, form, born, compare_sex(a.sex, b.sex), compare_home(a, b))


def score_outcomes(outcomes: Sequence[Outcome], model: FellegiSunter = PERSON_MODEL) -> Scored:
    return model.weigh(outcomes)


def score_pair(a: PersonRecord, b: PersonRecord) -> MatchResult:
    """The model's view of whether two person records are one human being, in plain words.
    Symmetric: score_pair(a, b) == score_pair(b, a)."""
    scored = PERSON_MODEL.weigh(compare_records(a, b))
    return MatchResult(
        probability=scored.probability,
        match_weight=scored.match_weight,
        decision=scored.decision,
        evidence=scored.evidence,
        reason="; ".join(scored.evidence),
        held=scored.held,
    )


# The most the three name fields can add to a pair's weight: each field's best level.
_NAME_WEIGHT_BOUND = sum(
    max(level.weight for level in PERSON_MODEL.field(name).levels) for name in ("given", "surname", "name_form")
)


def score_if_related(a: PersonRecord, b: PersonRecord) -> MatchResult | None:
    """score_pair(a, b) when the decision is link or review, and None when it is none, without
    wording the evidence of the many candidate pairs that are neither (the same weight, to the
    last bit, decides).

    The names are compared last: the date of birth, sex and home are cheap, and when even the
    best names possible could not lift the pair to review, the pair is none whatever its
    names say (no name adjustment is positive, so the bound holds)."""
    rest = (Outcome("born", *dobs.compare_dob(a.born, b.born)), compare_sex(a.sex, b.sex), compare_home(a, b))
    bound = PERSON_MODEL.prior_weight + PERSON_MODEL.weight_of(rest) + _NAME_WEIGHT_BOUND + 1e-6
    if probability_from_weight(bound) < PERSON_MODEL.thresholds.review:
        return None
    outcomes = (*_name_outcomes(a, b, PERSON_MODEL), *rest)
    weight = PERSON_MODEL.prior_weight + PERSON_MODEL.weight_of(outcomes)
    if probability_from_weight(weight) < PERSON_MODEL.thresholds.review:
        return None
    scored = PERSON_MODEL.weigh(outcomes)
    return MatchResult(
        probability=scored.probability,
        match_weight=scored.match_weight,
        decision=scored.decision,
        evidence=scored.evidence,
        reason="; ".join(scored.evidence),
        held=scored.held,
    )


def score_candidates(
    record: PersonRecord, others: Iterable[PersonRecord], *, prior: float | None = None
) -> list[tuple[str, MatchResult]]:
    """(ref, result) for every record of `others` that `record` links to or sends to review,
    in the order given: score_if_related for each, under `prior` (the model's own by default),
    doing the work that candidates share once.

    A search's candidates share a great deal: hundreds of David Smiths have the same name,
    dozens the same date of birth. The names are compared once per written name (with its
    aliases), a date of birth, a sex and a home once per value; each candidate then costs
    little more than adding up its weights."""
    prior_weight = PERSON_MODEL.prior_weight if prior is None else log2_odds(prior)
    review = PERSON_MODEL.thresholds.review
    weight_of = PERSON_MODEL.weight_of
    born_of: dict[str | None, Outcome] = {}
    sex_of: dict[str, Outcome] = {}
    home_of: dict[tuple[tuple[tuple[float, float], ...], tuple[str, ...]], Outcome] = {}
    names_of: dict[tuple[str, tuple[str, ...]], tuple[Outcome, Outcome, Outcome]] = {}
    found: list[tuple[str, MatchResult]] = []
    for other in others:
        born = born_of.get(other.born)
        if born is None:
            born = born_of[other.born] = Outcome("born", *dobs.compare_dob(record.born, other.born))
        sex = sex_of.get(other.sex)
        if sex is None:
            sex = sex_of[other.sex] = compare_sex(record.sex, other.sex)
        where = (other.places, other.addresses)
        home = home_of.get(where)
        if home is None:
            home = home_of[where] = compare_home(record, other)
        rest = (born, sex, home)
        if probability_from_weight(prior_weight + weight_of(rest) + _NAME_WEIGHT_BOUND + 1e-6) < review:
            continue
        written = (other.name, other.aliases)
        name_outcomes = names_of.get(written)
        if name_outcomes is None:
            name_outcomes = names_of[written] = _name_outcomes(record, other, PERSON_MODEL)
        outcomes = (*name_outcomes, *rest)
        if probability_from_weight(prior_weight + weight_of(outcomes)) < review:
            continue
        scored = PERSON_MODEL.weigh(outcomes, prior_weight=prior_weight)
        found.append(
            (
                other.ref,
                MatchResult(
                    probability=scored.probability,
                    match_weight=scored.match_weight,
                    decision=scored.decision,
                    evidence=scored.evidence,
                    reason="; ".join(scored.evidence),
                    held=scored.held,
                ),
            )
        )
    return found


def held_apart(a: PersonRecord, b: PersonRecord) -> bool:
    """True when the pair shows a strong disagreement (different dates of birth, different
    given names): such records are never joined automatically, not even through a third."""
    return PERSON_MODEL.weigh(compare_records(a, b)).held


@dataclass(frozen=True)
class LinkGroup:
    refs: tuple[str, ...]
    reason: str
    score: float


def _scored_pairs(records: Sequence[PersonRecord]) -> dict[tuple[str, str], MatchResult]:
    from vigil.people.linkage.blocking import blocking_keys

    index: dict[str, list[str]] = {}
    for record in records:
        for key in blocking_keys(record):
            index.setdefault(key, []).append(record.ref)
    by_ref = {r.ref: r for r in records}
    pairs: dict[tuple[str, str], MatchResult] = {}
    for refs in index.values():
        for i, x in enumerate(refs):
            for y in refs[i + 1 :]:
                pair = (min(x, y), max(x, y))
                if x != y and pair not in pairs:
                    pairs[pair] = score_pair(by_ref[pair[0]], by_ref[pair[1]])
    return pairs


def closed_set_prior(count: int) -> float:
    """The prior for the records of one closed account (a timeline): one chance in `count`
    that two of its records are one human being, never below the force-wide prior.

    The model's own prior (one in 65,000) is the chance for two records drawn from a whole
    force's person index. A timeline is a handful of records written about a handful of
    people, several of them the same people written again; there, two records that agree on
    the name and leave the date of birth open are far more likely one person."""
    return max(PERSON_MODEL.prior, 1.0 / max(count, 2))


def _with_prior(result: MatchResult, prior: float, count: int) -> MatchResult:
    """`result` re-decided under `prior`: the evidence is the same, only the starting odds move."""
    weight = result.match_weight - PERSON_MODEL.prior_weight + log2_odds(prior)
    probability = probability_from_weight(weight)
    decision = PERSON_MODEL.decide(probability, held=result.held)
    if decision == result.decision or decision != LINK:
        return replace(result, probability=probability, match_weight=weight, decision=decision)
    reason = (
        f"{result.reason} (enough to join them in an account of only {count} records; in a force's whole"
        " person index a person would check this pair first)"
    )
    return MatchResult(probability, weight, decision, result.evidence, reason, result.held)


# Evidence from the account around two records rather than the records themselves: both are
# named with the same person (a victim, a suspect, a relative). A man reported twice by the
# same woman is very likely one man; two different men of one name are seldom named by the
# same person. Used only to choose between people a record could be (choose_between).
COUNTERPART_M = 0.6
COUNTERPART_U = 0.004
COUNTERPART_WEIGHT = math.log2(COUNTERPART_M / COUNTERPART_U)  # about +7.2 bits


def rival_probability(weight: float, rivals: Iterable[float]) -> float:
    """The chance that a record is this candidate, when it may be this candidate, one of the
    rivals (people held apart from it, so it can be at most one of them) or someone else.

    `weight` and `rivals` are posterior log2-odds, each candidate's against "someone else";
    the answer is odds / (1 + odds + the rivals' odds). With no rivals it is the candidate's
    own posterior."""
    weights = [weight, *rivals]
    top = max(0.0, *weights)
    total = 2.0 ** (-top) + sum(2.0 ** (w - top) for w in weights)
    return 2.0 ** (weight - top) / total


@dataclass(frozen=True)
class Choice:
    """How a record that could be two or more people held apart was settled."""

    probability: float  # rival_probability for the candidate
    decisive: bool  # at or above the link threshold: join that candidate
    rivals: tuple[str, ...]  # the others it could be
    shared: tuple[str, ...]  # counterparts it shares with the candidate


def choose_between(
    candidate: str,
    weights: Mapping[str, float],
    rivals: Iterable[str],
    counterparts: Mapping[str, Collection[str]] | None = None,
) -> Choice:
    """Weigh all the evidence for `candidate` against its `rivals` (each a key of `weights`,
    the pair's match weight with the record: names, date of birth, sex, home, address), adding
    COUNTERPART_WEIGHT for each one that shares a counterpart with the record (`counterparts`:
    each candidate's counterparts that are also the record's). The candidate is joined only
    when it is decisively the likelier: rival_probability at or above the link threshold."""
    counterparts = counterparts or {}

    def total(ref: str) -> float:
        return weights[ref] + (COUNTERPART_WEIGHT if counterparts.get(ref) else 0.0)

    others = tuple(sorted(rivals))
    probability = rival_probability(total(candidate), [total(z) for z in others])
    return Choice(
        probability=probability,
        decisive=probability >= PERSON_MODEL.thresholds.link,
        rivals=others,
        shared=tuple(sorted(counterparts.get(candidate, ()))),
    )


def _home_words(outcome: Outcome) -> str:
    """A pair's home as an officer would say it when choosing between two people."""
    if outcome.level == HOME_MISSING:
        return "no home to compare"
    if outcome.detail.startswith("homes within"):
        return "same home"
    apart = re.fullmatch(r"homes (.+) apart", outcome.detail)
    if apart:
        return f"lives {apart.group(1)} away"
    return {"similar addresses": "a similar address", "different addresses": "a different address"}.get(
        outcome.detail, outcome.detail
    )


def choice_drivers(
    record: PersonRecord,
    candidates: Mapping[str, PersonRecord],
    counterparts: Mapping[str, Collection[str]],
    *,
    named: bool = True,
) -> dict[str, tuple[str, ...]]:
    """For each candidate a record could be, the evidence in which they differ from one
    another (a home shared or 30 km away, a nickname against the same given name, a victim
    named with the record and him), in words: what the choice between them turned on. What all
    of them share is left out. `counterparts` are each candidate's counterparts shared with the
    record; without `named` they are not named (a reader may not see them)."""
    outcomes = {ref: compare_records(record, other) for ref, other in candidates.items()}
    words: dict[str, list[str]] = {ref: [] for ref in candidates}
    for field in range(len(PERSON_MODEL.fields)):
        if len({found[field].level for found in outcomes.values()}) < 2:
            continue
        for ref, found in outcomes.items():
            outcome = found[field]
            said = _home_words(outcome) if outcome.field == "home" else PERSON_MODEL.level(outcome).wording
            said = said.format(detail=outcome.detail)
            if said:
                words[ref].append(said)
    if len({bool(counterparts.get(ref)) for ref in candidates}) > 1:
        for ref in candidates:
            if counterparts.get(ref):
                whom = ", ".join(sorted(counterparts[ref])) if named else "the same victim, suspect or relative"
                words[ref].append(f"both named with {whom}")
    return {ref: tuple(said) for ref, said in words.items()}


def apart_words(a: PersonRecord, b: PersonRecord, *, details: bool = True) -> str:
    """Why two records are held to be different people ("different dates of birth
    (1958-12-02/1991-03-08)"); without `details` the values are left out, for a reader who
    may not see one of the records."""
    said = []
    for outcome in compare_records(a, b):
        level = PERSON_MODEL.level(outcome)
        if level.holds:
            said.append(level.wording.format(detail=outcome.detail) if details else level.wording.split(" (")[0])
    return " and ".join(said)


def choice_likely(probability: float) -> str:
    return "over 99.9% likely" if probability >= 0.9995 else f"{probability:.1%} likely"


def choice_words(
    record: str,
    candidate: str,
    choice: Choice,
    *,
    drivers: Mapping[str, Sequence[str]],
    apart: Mapping[str, str],
) -> str:
    """The words a link's reason ends with when its record could have been someone else:
    whom it was joined to rather than whom, what decided it, and why the others are other
    people. `drivers` are `choice_drivers`' words; `apart` is `apart_words` for the candidate
    and each rival."""

    def said(ref: str) -> str:
        return ", ".join(drivers.get(ref, ()))

    others = " or ".join(choice.rivals)
    against = "; ".join(
        f"{z} {said(z)}" if said(z).startswith("lives ") else f"{z}: {said(z) or 'nothing more in common'}" for z in choice.rivals
    )
    why = "; ".join(f"{candidate} and {z} are different people: {apart[z]}" for z in choice.rivals)
    if choice.decisive:
        return (
            f"; joined to {candidate} rather than {others}: {said(candidate) or 'the stronger evidence'}; {against} "
            f"({why}; {choice_likely(choice.probability)} {candidate})"
        )
    return (
        f"; not joined: {record} could be {candidate} or {others}. {candidate}: "
        f"{said(candidate) or 'nothing more in common'}; {against} ({why}; only {choice_likely(choice.probability)} "
        f"{candidate}, left for a person to check)"
    )


def _settle_rivals(
    pairs: dict[tuple[str, str], MatchResult],
    by_ref: Mapping[str, PersonRecord],
    context: Mapping[str, Collection[str]],
) -> dict[tuple[str, str], MatchResult]:
    """A record that could be either of two people kept apart (a record with no date of birth,
    say, whose name fits a man born in 1991 and another born in 1958) is joined to one of them
    only when all the evidence makes him decisively the one (`choose_between`): the pair's own
    weight (address, distance between homes, names, sex) and any counterpart (victim, suspect,
    relative) the record shares with him. Otherwise the link is left for review."""

    def linked(x: str, y: str) -> bool:
        result = pairs.get((min(x, y), max(x, y)))
        return result is not None and result.decision == LINK

    def held(x: str, y: str) -> bool:
        result = pairs.get((min(x, y), max(x, y)))
        return result is not None and result.held

    scored: dict[str, dict[str, float]] = {}
    for (x, y), result in pairs.items():
        if result.decision != NONE_DECISION:
            scored.setdefault(x, {})[y] = result.match_weight
            scored.setdefault(y, {})[x] = result.match_weight

    def shared(a: str, b: str) -> frozenset[str]:
        return frozenset(context.get(a, ())) & frozenset(context.get(b, ()))

    settled = dict(pairs)
    for pair, result in pairs.items():
        if result.decision != LINK:
            continue
        for a, b in (pair, pair[::-1]):
            # A rival is another person `a` could be: not held apart from `a` itself (then `a`
            # cannot be him), but held apart from `b` and not one person with him by a link.
            rivals = [z for z in scored[a] if z != b and not held(a, z) and not linked(b, z) and held_apart(by_ref[b], by_ref[z])]
            if not rivals:
                continue
            weights = {z: scored[a][z] for z in (b, *rivals)}
            counterparts = {z: shared(a, z) for z in (b, *rivals)}
            choice = choose_between(b, weights, rivals, counterparts)
            drivers = choice_drivers(by_ref[a], {z: by_ref[z] for z in (b, *rivals)}, counterparts)
            words = choice_words(a, b, choice, drivers=drivers, apart={z: apart_words(by_ref[b], by_ref[z]) for z in rivals})
            if not choice.decisive:
                # The evidence alone, without a note that the account's prior would join them.
                settled[pair] = replace(result, decision=REVIEW, reason="; ".join(result.evidence) + words)
                break
            settled[pair] = replace(settled[pair], reason=f"{settled[pair].reason}{words}")
    return settled


def link_records(
    records: Sequence[PersonRecord],
    *,
    prior: float | None = None,
    context: Mapping[str, Collection[str]] | None = None,
) -> list[LinkGroup]:
    """Groups of records the model links automatically, joined transitively.

    Links are taken strongest first. Two groups are not joined if any record of one is held
    apart from any record of the other (a third record must not silently merge two people
    whose dates of birth or given names disagree). The groups do not depend on the order of
    `records`; refs inside a group, and the groups, follow that order. Groups of one are left out.

    `prior` replaces the model's force-wide prior when the records are one closed account
    (see `closed_set_prior`); a pair held apart is never linked, whatever the prior. A record
    that could be either of two people held apart joins one of them only when all the evidence
    makes him decisively the one (`_settle_rivals`, which also reads `context`: each ref's
    counterparts in the account); otherwise that link is left for review.
    """
    refs = [r.ref for r in records]
    if len(set(refs)) != len(refs):
        raise ValueError("link_records: every record needs a distinct ref")
    position = {ref: i for i, ref in enumerate(refs)}
    by_ref = {r.ref: r for r in records}
    pairs = _scored_pairs(records)
    if prior is not None and prior != PERSON_MODEL.prior:
        pairs = {pair: _with_prior(result, prior, len(records)) for pair, result in pairs.items()}
    pairs = _settle_rivals(pairs, by_ref, context or {})
    links = sorted(
        ((result.probability, pair) for pair, result in pairs.items() if result.decision == "link"),
        key=lambda item: (-item[0], item[1]),
    )
    group_of: dict[str, frozenset[str]] = {ref: frozenset({ref}) for ref in refs}
    used: dict[frozenset[str], list[tuple[str, str]]] = {}
    for _probability, (x, y) in links:
        gx, gy = group_of[x], group_of[y]
        if gx == gy or _any_held_apart(gx, gy, by_ref, pairs):
            continue
        merged = gx | gy
        used[merged] = used.pop(gx, []) + used.pop(gy, []) + [(x, y)]
        for ref in merged:
            group_of[ref] = merged
    groups = [
        _link_group(members, edges, position, pairs)
        for members, edges in used.items()
        if all(group_of[m] == members for m in members)
    ]
    return sorted(groups, key=lambda g: position[g.refs[0]])


def _any_held_apart(
    gx: Iterable[str], gy: Iterable[str], by_ref: Mapping[str, PersonRecord], pairs: Mapping[tuple[str, str], MatchResult]
) -> bool:
    for x in gx:
        for y in gy:
            pair = (min(x, y), max(x, y))
            if pair in pairs and pairs[pair].decision == "link":
                continue  # a linked pair is never held apart
            if held_apart(by_ref[x], by_ref[y]):
                return True
    return False


def _link_group(
    members: frozenset[str],
    edges: list[tuple[str, str]],
    position: Mapping[str, int],
    pairs: Mapping[tuple[str, str], MatchResult],
) -> LinkGroup:
    ordered = tuple(sorted(members, key=position.__getitem__))
    edges = sorted(edges)
    if len(edges) == 1:
        reason = pairs[edges[0]].reason
    else:
        reason = ". ".join(f"{x} and {y}: {pairs[(x, y)].reason}" for x, y in edges)
    return LinkGroup(refs=ordered, reason=reason, score=min(pairs[e].probability for e in edges))
