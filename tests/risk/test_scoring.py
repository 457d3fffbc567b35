"""The scorer gives the same numbers as POLICY.md at every band boundary."""

from __future__ import annotations

import pytest

from tests.risk.conftest import dash_answers
from vigil.risk.scoring import Thresholds, policy_thresholds, score, thresholds_from_policy


def lethality(yes: set[int], not_known: frozenset[int] | set[int] = frozenset()) -> dict[int, str]:
    return {n: "yes" if n in yes else "not_known" if n in not_known else "no" for n in range(1, 12)}


@pytest.mark.parametrize(
    ("yes", "level"),
    [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high"), (24, "high")],
)
def test_dash_bands(yes: int, level: str) -> None:
    result = score("dash", dash_answers(yes))
    assert result.level == level
    assert len(result.yes) == yes


def test_dash_not_known_does_not_count_and_is_kept_as_a_gap() -> None:
    # 9 yes and 5 not known: still standard, and the five gaps are named.
    result = score("dash", dash_answers(9, not_known=5))
    assert result.level == "standard"
    assert result.not_known == (10, 11, 12, 13, 14)
    assert "5 answers not known" in result.explanation


def test_unanswered_questions_are_listed() -> None:
    result = score("dash", {1: "yes", 2: "no"})
    assert result.unanswered == tuple(range(3, 25))


@pytest.mark.parametrize("question", [1, 2, 3])
def test_lethality_single_yes_on_questions_1_to_3_is_high(question: int) -> None:
    result = score("lethality_screen", lethality({question}))
    assert result.level == "high"
    assert f"question {question}" in result.explanation


def test_lethality_three_yes_among_4_to_11_sets_nothing() -> None:
    result = score("lethality_screen", lethality({4, 6, 11}))
    assert result.level == ""
    assert "sets no level" in result.explanation


def test_lethality_four_yes_among_4_to_11_is_high() -> None:
    assert score("lethality_screen", lethality({4, 6, 8, 11})).level == "high"


def test_lethality_not_known_on_question_1_is_not_a_yes() -> None:
    result = score("lethality_screen", lethality({4, 5, 6}, not_known={1, 2, 3, 7}))
    assert result.level == ""
    assert result.not_known == (1, 2, 3, 7)


def test_sdash_sets_no_level_and_each_yes_is_a_driver() -> None:
    drivers = {n: f"reason {n}" for n in range(1, 12)}
    answers = {n: "yes" if n in (3, 5) else "no" for n in range(1, 12)}
    result = score("sdash", answers, drivers=drivers)
    assert result.level == ""
    assert result.drivers == ("reason 3", "reason 5")
    assert result.stalking_known


def test_sdash_with_no_yes_does_not_make_stalking_known() -> None:
    assert not score("sdash", dict.fromkeys(range(1, 12), "no")).stalking_known


def test_dash_question_8_makes_stalking_known() -> None:
    answers = dash_answers(0)
    answers[8] = "yes"
    assert score("dash", answers).stalking_known


def test_defaults_match_the_published_policy() -> None:
    t = Thresholds()
    assert (t.dash_high, t.dash_medium, t.lethality_count) == (14, 10, 4)
    assert t.lethality_any_of == (1, 2, 3) and t.lethality_count_among == tuple(range(4, 12))
    # Whatever policy loader is installed, the shipped policy gives the same numbers.
    assert policy_thresholds() == t


def test_a_forces_policy_thresholds_are_used() -> None:
    t = thresholds_from_policy({"risk": {"dash": {"high": 15, "medium": 11}}})
    assert score("dash", dash_answers(14), thresholds=t).level == "medium"
    assert score("dash", dash_answers(10), thresholds=t).level == "standard"
    assert score("dash", dash_answers(15), thresholds=t).level == "high"


def test_an_unknown_instrument_is_refused() -> None:
    with pytest.raises(ValueError, match="no scoring rule"):
        score("caada", {})
