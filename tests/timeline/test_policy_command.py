"""`vigil policy check FILE` and `vigil policy show`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.timeline.helpers import vigil
from vigil.policy.config import DEFAULT_POLICY_PATH, PolicyError, read_policy_file


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "policy.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_check_the_shipped_policy() -> None:
    done = vigil("policy", "check", str(DEFAULT_POLICY_PATH))
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout


BAD = [
    ("arrest_due_hours = 24", "arrest_due_hours = -1", "rules.R5.arrest_due_hours", "-1"),
    ("high = 14 ", 'high = "fourteen" ', "risk.dash.high", "fourteen"),
    ('escalator_level = "high"', 'escalator_level = "severe"', "risk.escalator_level", "severe"),
    ("min_age = 4", "min_age = 4\nmin_agee = 5", "rules.R2.min_agee", "unknown"),
    ('notify_time = "09:00"', 'notify_time = "9 o\'clock"', "rules.R2.notify_time", "9 o'clock"),
    ('timezone = "Europe/London"', 'timezone = "Europe/Atlantis"', "timezone", "Europe/Atlantis"),
]


@pytest.mark.parametrize(("old", "new", "key", "word"), BAD)
def test_check_a_bad_policy_names_the_key_and_the_problem(tmp_path: Path, old: str, new: str, key: str, word: str) -> None:
    path = _variant(tmp_path, old, new)
    with pytest.raises(PolicyError) as error:
        read_policy_file(path)
    assert error.value.key == key
    assert word in error.value.problem


@pytest.mark.parametrize(("old", "new", "key", "word"), BAD[:1])
def test_check_a_bad_policy_through_the_program(tmp_path: Path, old: str, new: str, key: str, word: str) -> None:
    path = _variant(tmp_path, old, new)
    done = vigil("policy", "check", str(path))
    assert done.returncode != 0
    assert done.stdout == ""
    assert str(path) in done.stderr and key in done.stderr and word in done.stderr


def test_check_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[rules\n", encoding="utf-8")
    done = vigil("policy", "check", str(path))
    assert done.returncode != 0 and str(path) in done.stderr and "TOML" in done.stderr


def test_show_prints_the_rules_in_words() -> None:
    done = vigil("policy", "show")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for rule in [f"R{n}" for n in range(1, 12)] + ["E1", "E2", "E3", "E4"]:
        assert re.search(rf"^\s*{rule} \w", text, re.MULTILINE), rule
    assert "500 m" in text and "90 days" in text and "09:00" in text
    assert "{" not in text  # words, not the file's tables


def test_show_a_changed_policy_shows_the_change(tmp_path: Path) -> None:
    path = _variant(tmp_path, "distance_m = 500", "distance_m = 750")
    done = vigil("policy", "show", "--file", str(path))
    assert done.returncode == 0, done.stderr
    assert "750 m" in done.stdout and "500 m" not in done.stdout
