"""The assessment page's scorer gives the same numbers as POLICY.md at every band boundary,
and is the engine's own scoring: under a force's other policy it moves with the engine."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from tests.risk.conftest import dash_answers
from vigil.policy.config import DEFAULT_POLICY_PATH, Policy, load_policy, parse_policy
from vigil.policy.engine import evaluate
from vigil.policy.facts import Person, Report, RiskAssessment, World
from vigil.policy.vocabulary import QUESTIONS
from vigil.risk.preview import score


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


def _force(*changes: tuple[str, str]) -> Policy:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return parse_policy(tomllib.loads(text), "force.toml")


# Other DASH bands (16 or more high, 12 to 15 medium), other Lethality Screen triggers (a yes
# to question 1 alone, or three among 4 to 11) and other stalking questions (DASH 8 and 11).
FORCE = _force(
    ("high = 14 ", "high = 16 "),
    ("medium = 10 ", "medium = 12 "),
    ("any_of = [1, 2, 3]", "any_of = [1]"),
    ("count = 4 ", "count = 3 "),
    ("stalking_questions = [8]", "stalking_questions = [8, 11]"),
)


def _engine_level(policy: Policy, instrument: str, yes: set[int]) -> str:
    """The level the engine gives a pair after this one assessment."""
    world = World(people={"V": Person("V", "Ann Example"), "P": Person("P", "Bob Example")})
    at = dt.datetime(2025, 5, 1, 10, 0, tzinfo=dt.UTC)
    size = QUESTIONS[instrument]
    events = [
        Report(at=at, victim="V", suspect="P", category="other"),
        RiskAssessment(at=at, victim="V", suspect="P", instrument=instrument, answers={n: n in yes for n in range(1, size + 1)}),
    ]
    return evaluate(policy, world, events, at).levels.get(("V", "P"), "")


@pytest.mark.parametrize("policy", [load_policy(), FORCE], ids=["shipped", "force"])
def test_the_page_and_the_engine_give_the_same_level_for_every_dash_count(policy: Policy) -> None:
    # Questions 14 and 15 raise escalators E2 and E3 on top of the count (shown on the page
    # apart from it), so the count alone is compared without them.
    plain = [n for n in range(1, 25) if n not in (14, 15)]
    for count in range(len(plain) + 1):
        yes = set(plain[:count])
        page = score("dash", {n: "yes" if n in yes else "no" for n in range(1, 25)}, policy=policy)
        assert page.level == _engine_level(policy, "dash", yes), count


def test_a_forces_dash_bands_are_used() -> None:
    assert score("dash", dash_answers(15), policy=FORCE).level == "medium"
    assert score("dash", dash_answers(11), policy=FORCE).level == "standard"
    assert score("dash", dash_answers(16), policy=FORCE).level == "high"
    assert "16 or more is high" in score("dash", dash_answers(16), policy=FORCE).explanation


@pytest.mark.parametrize(("yes", "level"), [({3}, ""), ({1}, "high"), ({4, 6, 7}, "high"), ({4, 6}, "")])
def test_a_forces_lethality_screen_is_used(yes: set[int], level: str) -> None:
    assert score("lethality_screen", lethality(yes), policy=FORCE).level == level
    assert _engine_level(FORCE, "lethality_screen", yes) == (level or "")


def test_a_forces_stalking_questions_are_used() -> None:
    answers = dash_answers(0)
    answers[11] = "yes"
    assert score("dash", answers, policy=FORCE).stalking_known
    assert not score("dash", answers).stalking_known


def test_the_live_policy_is_used_by_default() -> None:
    # The shipped policy is the live one in tests: its numbers, through the engine.
    assert score("dash", dash_answers(14)).level == "high"
    assert score("dash", dash_answers(13)).level == "medium"


def test_an_unknown_instrument_is_refused() -> None:
    with pytest.raises(ValueError, match="no scoring rule"):
        score("caada", {})
