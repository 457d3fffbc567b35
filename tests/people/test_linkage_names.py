"""Name rules: normalisation, readings of a written name, and each comparison level."""

from __future__ import annotations

import pytest

from vigil.people.linkage import names


def test_fold_removes_accents_apostrophes_and_punctuation() -> None:
    assert names.fold("  Siobhán  O'Brien ") == "siobhan obrien"
    assert names.fold("Smith - Jones") == "smith-jones"
    assert names.fold("D. Rourke") == "d rourke"


def test_nickname_table_is_large_and_maps_to_every_full_name() -> None:
    table = names.nickname_table()
    assert sum(len(v) for v in table.values()) >= 300
    assert table["harry"] >= {"henry", "harold"}
    assert names.canonical_given("Harry") >= {"harry", "henry", "harold"}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("mike", "michael"),
        ("mick", "michael"),
        ("mike", "mick"),
        ("danny", "daniel"),
        ("dan", "daniel"),
        ("harry", "henry"),
        ("harry", "harold"),
        ("bill", "william"),
        ("bob", "robert"),
        ("liz", "elizabeth"),
    ],
)
def test_nicknames(a: str, b: str) -> None:
    assert names.compare_given(a, b) == (names.GIVEN_NICKNAME, names.pair_detail(a, b))
    assert names.compare_given(b, a) == names.compare_given(a, b)


def test_nickname_sharing_does_not_join_two_full_names() -> None:
    # "Al" is short for Albert and for Alan; that does not make Albert and Alan one name.
    assert names.compare_given("albert", "alan")[0] == names.GIVEN_DIFFERENT


@pytest.mark.parametrize(
    ("a", "b"), [("lanning", "laning"), ("sellars", "sellers"), ("mackey", "mackie"), ("thompson", "tomson")]
)
def test_surname_spelling_variants(a: str, b: str) -> None:
    level, detail = names.compare_surname(a, b)
    assert level == names.SURNAME_SPELLING
    assert detail == names.pair_detail(a, b)


def test_spelling_variant_detail_reads_the_same_both_ways() -> None:
    assert names.compare_surname("mackie", "mackey") == (names.SURNAME_SPELLING, "Mackey/Mackie")
    assert names.compare_surname("mackey", "mackie") == (names.SURNAME_SPELLING, "Mackey/Mackie")


@pytest.mark.parametrize(("a", "b"), [("philips", "fillips"), ("geoffrey", "jeffrey"), ("stephen", "steven")])
def test_names_that_sound_alike(a: str, b: str) -> None:
    assert names.compare_surname(a, b)[0] == names.SURNAME_SOUNDS


def test_double_barrelled_surname_shares_a_part() -> None:
    assert names.compare_surname("smith-jones", "jones")[0] == names.SURNAME_PART


def test_given_name_levels() -> None:
    assert names.compare_given("daniel", "daniel") == (names.GIVEN_EXACT, "Daniel")
    assert names.compare_given("d", "daniel")[0] == names.GIVEN_INITIAL
    assert names.compare_given("l", "daniel")[0] == names.GIVEN_DIFFERENT
    assert names.compare_given("", "daniel")[0] == names.GIVEN_MISSING
    assert names.compare_given("leo", "daniel")[0] == names.GIVEN_DIFFERENT
    assert names.compare_given("mohamed", "mohammed")[0] == names.GIVEN_SPELLING


def test_readings_of_a_written_name() -> None:
    forms = names.name_forms("Mr Daniel James Rourke Jr")
    assert names.NameForm("daniel", "rourke", names.AS_WRITTEN, "Mr Daniel James Rourke Jr") in forms
    assert ("james", "rourke", names.MIDDLE_AS_GIVEN) in [(f.given, f.surname, f.how) for f in forms]
    assert ("rourke", "daniel", names.SURNAME_FIRST) in [(f.given, f.surname, f.how) for f in forms]


@pytest.mark.parametrize("written", ["Rourke, Daniel", "ROURKE Daniel", "Daniel Rourke"])
def test_surname_first_conventions_read_as_written(written: str) -> None:
    first = names.name_forms(written)[0]
    assert (first.given, first.surname, first.how, first.written) == ("daniel", "rourke", names.AS_WRITTEN, written)


def test_surname_particles_stay_with_the_surname() -> None:
    assert names.name_forms("Ruud van Nistelrooy")[0].surname == "vannistelrooy"


def test_single_word_is_a_surname() -> None:
    assert names.name_forms("Rourke") == (names.NameForm("", "rourke", names.AS_WRITTEN, "Rourke"),)
    assert names.name_forms("  ") == ()
