"""The Fellegi–Sunter machinery: weights, posterior, thresholds, holds and EM."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from vigil.people.linkage.model import (
    FellegiSunter,
    Field,
    Level,
    Outcome,
    Thresholds,
    estimate_em,
    log2_odds,
    probability_from_weight,
)
from vigil.people.linkage.person import PERSON_MODEL


def toy(prior: float = 0.5) -> FellegiSunter:
    return FellegiSunter(
        fields=(
            Field(
                "name",
                (
                    Level("exact", 0.9, 0.1, "same name ({detail})"),
                    Level("missing", 1.0, 1.0, "", neutral=True),
                    Level("different", 0.1, 0.9, "different names ({detail})", holds=True),
                ),
            ),
            Field("dob", (Level("exact", 0.8, 0.01, "same date of birth"), Level("different", 0.2, 0.99, "different dates"))),
        ),
        prior=prior,
        thresholds=Thresholds(link=0.99, review=0.5),
    )


def test_weight_is_log2_of_m_over_u_and_neutral_weighs_nothing() -> None:
    model = toy()
    assert model.field("name").level("exact").weight == pytest.approx(math.log2(9))
    assert model.field("name").level("missing").weight == 0.0


def test_posterior_adds_prior_log_odds_and_level_weights() -> None:
    model = toy(prior=0.2)
    scored = model.weigh([Outcome("name", "exact", "Ann"), Outcome("dob", "exact")])
    expected = log2_odds(0.2) + math.log2(9) + math.log2(80)
    assert scored.match_weight == pytest.approx(expected)
    assert scored.probability == pytest.approx(1 / (1 + 2**-expected))
    assert scored.decision == "link"
    assert scored.evidence == ("same name (Ann)", "same date of birth")


def test_probability_from_weight_is_stable_at_the_extremes() -> None:
    assert probability_from_weight(2000) == 1.0
    assert probability_from_weight(-2000) == 0.0
    assert probability_from_weight(0) == 0.5


def test_a_holding_level_turns_a_link_into_review_and_says_so() -> None:
    model = toy(prior=0.999)
    scored = model.weigh([Outcome("name", "different", "Ann/Bob"), Outcome("dob", "exact")])
    assert scored.probability >= 0.99
    assert scored.decision == "review"
    assert scored.evidence[-1] == "not linked automatically: different names (Ann/Bob)"


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(link=0.5, review=0.9)


def test_unknown_level_is_named() -> None:
    with pytest.raises(KeyError, match="no level 'typo'"):
        toy().field("name").index("typo")


def test_em_recovers_known_parameters() -> None:
    """Pairs drawn from a known model: EM from a poor start lands near the truth."""
    rng = random.Random(7)
    true_prior = 0.3
    m = {"a": [0.85, 0.1, 0.05], "b": [0.9, 0.1], "c": [0.7, 0.2, 0.1]}
    u = {"a": [0.05, 0.1, 0.85], "b": [0.1, 0.9], "c": [0.02, 0.08, 0.9]}
    counts: Counter[tuple[int, ...]] = Counter()
    for _ in range(20000):
        probs = m if rng.random() < true_prior else u
        counts[tuple(rng.choices(range(len(probs[f])), weights=probs[f])[0] for f in ("a", "b", "c"))] += 1
    start = FellegiSunter(
        fields=tuple(
            Field(
                f, tuple(Level(f"l{i}", 1 / len(m[f]) + (0.1 if i == 0 else -0.05), 1 / len(m[f]), "") for i in range(len(m[f])))
            )
            for f in ("a", "b", "c")
        ),
        prior=0.5,
        thresholds=Thresholds(0.9, 0.5),
    )
    result = estimate_em(start, counts)
    assert result.converged
    assert result.model.prior == pytest.approx(true_prior, abs=0.03)
    for f in ("a", "b", "c"):
        for i, level in enumerate(result.model.field(f).levels):
            assert level.m == pytest.approx(m[f][i], abs=0.04)
            assert level.u == pytest.approx(u[f][i], abs=0.04)


def test_person_model_weights_are_documented_sizes() -> None:
    """The weights docs/linkage.md quotes; change both together."""
    weights = {(f, level): round(w, 1) for f, level, _m, _u, w in PERSON_MODEL.table()}
    assert weights[("born", "exact")] == 14.1
    assert weights[("born", "different")] == -6.9
    assert weights[("given", "nickname")] == 4.5
    assert weights[("surname", "exact")] == 9.2
    assert round(PERSON_MODEL.prior_weight) == -16
