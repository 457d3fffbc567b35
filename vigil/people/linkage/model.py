"""An explainable Fellegi–Sunter model.

Each field compared between two records lands on one *level* (exact, nickname, spelling
variant, missing, different, ...). A level has an m probability (how often two records of the
same person land there) and a u probability (how often two records of different people do).
Its match weight is log2(m/u), the Bayes factor in bits: +10 means the observation is about a
thousand times likelier for the same person. The prior (the chance that two compared records
are one person before looking) adds its own log-odds, and the sum is the posterior log-odds,
turned into a probability. Every level has a sentence, so every score explains itself.

The same machinery serves the person model (hand-set, documented m and u) and the FEBRL
benchmark (m, u and the prior estimated from the data by `estimate_em`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

LINK = "link"
REVIEW = "review"
NONE = "none"

# m and u are kept inside (FLOOR, 1 - FLOOR) so that no single level can be infinitely sure.
FLOOR = 1e-6


def log2_odds(probability: float) -> float:
    probability = min(max(probability, 1e-15), 1 - 1e-15)
    return math.log2(probability / (1 - probability))


def probability_from_weight(weight: float) -> float:
    """Posterior probability from posterior log2-odds."""
    if weight >= 0:
        return 1.0 / (1.0 + 2.0**-weight)
    odds = 2.0**weight
    return odds / (1.0 + odds)


@dataclass(frozen=True)
class Level:
    """One comparison level of a field.

    `wording` is the evidence sentence, with `{detail}` for the two values compared.
    `neutral` levels (a value missing on one side) weigh nothing and are left alone by EM.
    `holds` levels are strong disagreements: a pair showing one is never linked
    automatically, whatever the total, and goes to a person instead.
    """

    name: str
    m: float
    u: float
    wording: str
    neutral: bool = False
    holds: bool = False

    @cached_property
    def weight(self) -> float:
        if self.neutral:
            return 0.0
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class Field:
    name: str
    levels: tuple[Level, ...]

    @cached_property
    def _by_name(self) -> dict[str, int]:
        return {level.name: i for i, level in enumerate(self.levels)}

    def index(self, level: str) -> int:
        try:
            return self._by_name[level]
        except KeyError:
            raise KeyError(f"field {self.name!r} has no level {level!r}") from None

    def level(self, name: str) -> Level:
        return self.levels[self.index(name)]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where one field of a pair landed, with the values compared (for the evidence).

    `adjust` is added to the level's weight for this value only, in bits: an exact match on a
    common name is worth less than the level's average (a term-frequency adjustment)."""

    field: str
    level: str
    detail: str = ""
    adjust: float = 0.0


@dataclass(frozen=True)
class Thresholds:
    """Posterior probabilities: at or above `link` the pair is linked automatically, at or
    above `review` it is queued for a person, below it nothing happens."""

    link: float
    review: float

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.link < 1:
            raise ValueError(f"thresholds must satisfy 0 < review <= link < 1, got {self}")


@dataclass(frozen=True)
class Scored:
    match_weight: float
    probability: float
    decision: str
    evidence: tuple[str, ...]
    held: bool = False


@dataclass(frozen=True)
class FellegiSunter:
    fields: tuple[Field, ...]
    prior: float
    thresholds: Thresholds
    hold_wording: str = "not linked automatically: {detail}"
    _index: dict[str, Field] = field(init=False, repr=False, compare=False, default_factory=dict)
    _weights: dict[tuple[str, str], float] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 < self.prior < 1:
            raise ValueError(f"prior must be between 0 and 1, got {self.prior}")
        self._index.update({f.name: f for f in self.fields})
        self._weights.update({(f.name, level.name): level.weight for f in self.fields for level in f.levels})

    @property
    def prior_weight(self) -> float:
        return log2_odds(self.prior)

    def field(self, name: str) -> Field:
        return self._index[name]

    def level(self, outcome: Outcome) -> Level:
        return self._index[outcome.field].level(outcome.level)

    def weight_of(self, outcomes: Iterable[Outcome]) -> float:
        """Sum of the outcomes' match weights, without the prior."""
        weights = self._weights
        try:
            return sum(weights[(o.field, o.level)] + o.adjust for o in outcomes)
        except KeyError:  # an unknown field or level: let level() name it
            return sum(self.level(o).weight + o.adjust for o in outcomes)

    def decide(self, probability: float, *, held: bool) -> str:
        if probability >= self.thresholds.link:
            return REVIEW if held else LINK
        if probability >= self.thresholds.review:
            return REVIEW
        return NONE

    def weigh(self, outcomes: Sequence[Outcome], *, prior_weight: float | None = None) -> Scored:
        """Score one pair from its outcomes, in plain words, in field order. `prior_weight`
        (log2-odds) replaces the model's prior, e.g. for an index larger than it was set for."""
        levels = [self.level(o) for o in outcomes]
        weight = (self.prior_weight if prior_weight is None else prior_weight) + sum(
            level.weight + o.adjust for o, level in zip(outcomes, levels, strict=True)
        )
        probability = probability_from_weight(weight)
        holds = [level.wording.format(detail=o.detail) for o, level in zip(outcomes, levels, strict=True) if level.holds]
        decision = self.decide(probability, held=bool(holds))
        evidence = [level.wording.format(detail=o.detail) for o, level in zip(outcomes, levels, strict=True)]
        evidence = [e for e in evidence if e]
        if holds and probability >= self.thresholds.link:
            evidence.append(self.hold_wording.format(detail=" and ".join(holds)))
        return Scored(weight, probability, decision, tuple(evidence), held=bool(holds))

    # Bulk scoring: a comparison *pattern* is the tuple of level indices, one per field.

    def pattern_weight(self, pattern: Sequence[int]) -> float:
        return self.prior_weight + sum(f.levels[i].weight for f, i in zip(self.fields, pattern, strict=True))

    def with_parameters(self, prior: float, parameters: Mapping[str, Mapping[str, tuple[float, float]]]) -> FellegiSunter:
        """A copy with new prior and (m, u) for the levels named in `parameters`."""
        fields = []
        for f in self.fields:
            given = parameters.get(f.name, {})
            levels = tuple(
                replace(level, m=given[level.name][0], u=given[level.name][1]) if level.name in given else level
                for level in f.levels
            )
            fields.append(Field(f.name, levels))
        return FellegiSunter(tuple(fields), prior, self.thresholds, self.hold_wording)

    def table(self) -> list[tuple[str, str, float, float, float]]:
        """(field, level, m, u, weight) rows, for documentation and review."""
        return [(f.name, level.name, level.m, level.u, level.weight) for f in self.fields for level in f.levels]


@dataclass(frozen=True)
class EMResult:
    model: FellegiSunter
    iterations: int
    converged: bool


def estimate_em(
    model: FellegiSunter,
    patterns: Mapping[tuple[int, ...], int],
    *,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
) -> EMResult:
    """Estimate the prior and every non-neutral level's m and u from unlabelled pairs.

    `patterns` counts how many compared pairs showed each comparison pattern. The model's own
    parameters are the starting point. This is the classic two-class EM under conditional
    independence (Winkler 1988): the E step gives each pattern its probability of being a
    match, the M step re-estimates m and u as weighted level frequencies among matches and
    non-matches. Neutral levels (missing values) contribute nothing either way.
    """
    fields = model.fields
    items = [(p, n) for p, n in patterns.items() if n > 0]
    if not items:
        return EMResult(model, 0, True)
    total = float(sum(n for _p, n in items))
    m = [[level.m for level in f.levels] for f in fields]
    u = [[level.u for level in f.levels] for f in fields]
    neutral = [[level.neutral for level in f.levels] for f in fields]
    prior = model.prior
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        lm_prior, lu_prior = math.log(prior), math.log(1 - prior)
        m_acc = [[0.0] * len(f.levels) for f in fields]
        u_acc = [[0.0] * len(f.levels) for f in fields]
        matched = 0.0
        for pattern, n in items:
            lm, lu = lm_prior, lu_prior
            for k, i in enumerate(pattern):
                if not neutral[k][i]:
                    lm += math.log(m[k][i])
                    lu += math.log(u[k][i])
            g = 1.0 / (1.0 + math.exp(min(lu - lm, 700.0)))
            matched += n * g
            for k, i in enumerate(pattern):
                m_acc[k][i] += n * g
                u_acc[k][i] += n * (1 - g)
        new_prior = min(max(matched / total, FLOOR), 1 - FLOOR)
        change = abs(new_prior - prior)
        for k in range(len(fields)):
            m_total = sum(v for i, v in enumerate(m_acc[k]) if not neutral[k][i])
            u_total = sum(v for i, v in enumerate(u_acc[k]) if not neutral[k][i])
            for i in range(len(m[k])):
                if neutral[k][i] or m_total <= 0 or u_total <= 0:
                    continue
                new_m = min(max(m_acc[k][i] / m_total, FLOOR), 1 - FLOOR)
                new_u = min(max(u_acc[k][i] / u_total, FLOOR), 1 - FLOOR)
                change = max(change, abs(new_m - m[k][i]), abs(new_u - u[k][i]))
                m[k][i], u[k][i] = new_m, new_u
        prior = new_prior
        if change < tolerance:
            converged = True
            break
    parameters = {
        f.name: {level.name: (m[k][i], u[k][i]) for i, level in enumerate(f.levels) if not level.neutral}
        for k, f in enumerate(fields)
    }
    return EMResult(model.with_parameters(prior, parameters), iteration, converged)
