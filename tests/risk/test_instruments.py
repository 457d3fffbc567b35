"""The instrument files: the shipped ones are complete, a force's file replaces one without a
code change, and a broken file stops start-up with a message naming the file and the key."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from vigil.policy.vocabulary import QUESTIONS
from vigil.risk.catalogue import BUILTIN_DIR, InstrumentError, all_instruments, clear_cache, load_directories, load_file


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def test_the_shipped_instruments_have_every_question_in_order() -> None:
    loaded = all_instruments()
    assert list(loaded) == ["dash", "sdash", "lethality_screen"]
    for key, count in QUESTIONS.items():
        instrument = loaded[key]
        assert sorted(instrument.questions) == list(range(1, count + 1))
        assert instrument.wording == "paraphrased"
        assert instrument.source.publisher and instrument.source.version
        assert instrument.rule == key and "POLICY.md" in instrument.reference
        assert all(q.text.endswith("?") and q.driver for q in instrument.questions.values())
        assert len(instrument.sections) >= 3


def test_the_policy_escalator_questions_keep_their_numbers() -> None:
    dash = all_instruments()["dash"].questions
    assert "kill" in dash[14].text and "strangle" in dash[15].text and "following" in dash[8].text
    screen = all_instruments()["lethality_screen"].questions
    assert "kill" in screen[2].text and "choke" in screen[5].text and "follow" in screen[11].text


def test_the_form_and_the_policy_give_each_question_the_same_driver_and_say_whose_it_is() -> None:
    """The drivers are shown in two places (the assessment page's result, the policy engine's
    risk changes); they must read the same. A question about the person causing harm says so,
    so that no driver reads as the victim's own failing ("drug, alcohol or mental health
    problems" beside "victim very low")."""
    from vigil.policy.config import load_policy

    policy = load_policy()
    about_them = {
        "dash": {12, 18, 19, 21, 22, 23, 24},
        "lethality_screen": {4, 6, 8, 9, 11},
        "sdash": {3, 4, 5, 6, 7, 8, 9, 10, 11},
    }
    for key, instrument in all_instruments().items():
        for number, question in instrument.questions.items():
            assert policy.driver(key, number) == question.driver, (key, number)
            if number in about_them[key]:
                assert "the person causing harm" in question.driver or "the person stalking" in question.driver, (key, number)


def _copy(tmp_path: Path, name: str, edit: tuple[str, str] | None = None) -> Path:
    target = tmp_path / name
    text = (BUILTIN_DIR / name).read_text()
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    target.write_text(text)
    return target


def test_a_forces_file_replaces_the_shipped_wording(tmp_path: Path) -> None:
    _copy(tmp_path, "dash.toml", ('wording = "paraphrased"', 'wording = "official"'))
    path = tmp_path / "dash.toml"
    path.write_text(path.read_text().replace("Was the victim hurt in this incident?", "Licensed question one?"))
    with override_settings(VIGIL_INSTRUMENTS_DIR=str(tmp_path)):
        dash = all_instruments()["dash"]
    assert dash.wording == "official" and dash.questions[1].text == "Licensed question one?"
    assert dash.path == path


def test_a_json_file_is_accepted(tmp_path: Path) -> None:
    import json
    import tomllib

    data = tomllib.loads((BUILTIN_DIR / "sdash.toml").read_text())
    data["instrument"]["name"] = "Stalking screening (force wording)"
    (tmp_path / "stalking.json").write_text(json.dumps(data))
    loaded = load_directories([BUILTIN_DIR, tmp_path])
    assert loaded["sdash"].name == "Stalking screening (force wording)"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('\nkey = "dash"', '\nkey = "caada"'), "instrument.key: unknown instrument 'caada'"),
        (('rule = "dash"', 'rule = "sdash"'), "scoring.rule"),
        (('rule = "dash"', 'rule = "points"'), "scoring.rule: unknown rule 'points'"),
        (("number = 24\n", "number = 25\n"), "sections[6].questions[5].number: 25 is outside 1 to 24"),
        (("number = 24\n", "number = 23\n"), "question 23 is already in sections[6]"),
        (
            ("  guidance = \"Use the victim's own words", "  gudiance = \"Use the victim's own words"),
            "questions[2].gudiance: unknown key",
        ),
        (('publisher = "SafeLives"\n', ""), "source.publisher: missing"),
        (("number = 1\n", 'number = "1"\n'), "number: must be int, got str"),
        (('slug = "incident"', 'slug = "check"'), "'check' is reserved"),
        (('wording = "paraphrased"', 'wording = "mine"'), "instrument.wording"),
        (("[source]", "[source"), "cannot be read"),
    ],
)
def test_a_broken_file_is_named_with_the_key(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    path = _copy(tmp_path, "dash.toml", edit)
    with pytest.raises(InstrumentError) as caught:
        load_file(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_question_is_reported(tmp_path: Path) -> None:
    path = _copy(tmp_path, "sdash.toml")
    text = path.read_text()
    start = text.index("  [[sections.questions]]\n  number = 11")
    path.write_text(text[:start])
    with pytest.raises(InstrumentError, match="questions 11 are missing"):
        load_file(path)


def test_two_files_for_one_instrument_in_a_directory_are_refused(tmp_path: Path) -> None:
    shutil.copy(BUILTIN_DIR / "dash.toml", tmp_path / "a.toml")
    shutil.copy(BUILTIN_DIR / "dash.toml", tmp_path / "b.toml")
    with pytest.raises(InstrumentError, match="'dash' is also defined in"):
        load_directories([tmp_path])


def test_start_up_stops_on_a_broken_force_file(tmp_path: Path) -> None:
    _copy(tmp_path, "dash.toml", ('\nkey = "dash"', '\nkey = "caada"'))
    with override_settings(VIGIL_INSTRUMENTS_DIR=str(tmp_path)):
        with pytest.raises(ImproperlyConfigured, match=r"dash\.toml: instrument\.key"):
            apps.get_app_config("risk").ready()


def test_start_up_stops_when_the_forces_directory_is_missing(tmp_path: Path) -> None:
    with override_settings(VIGIL_INSTRUMENTS_DIR=str(tmp_path / "nowhere")):
        with pytest.raises(ImproperlyConfigured, match="does not exist"):
            apps.get_app_config("risk").ready()
