"""A force's person index at scale: a block too large to read is narrowed by a second key,
never skipped; a narrowest block is read whole; every kind of variation of a stored person is
found; same-name decoys and never-seen people are not linked. The million-record figures are
`vigil bench linkage`'s (docs/performance.md); here the same search runs on small indexes
with the size limits lowered, so that the narrowing happens as it does at a million."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.bench.linkage import VARIANT_KINDS, NameSource, build_synthetic_persons, decoy_probe, make_probes, variant_probe
from vigil.people import linking
from vigil.people.linkage import PERSON_MODEL, PersonRecord, score_pair
from vigil.people.linkage.person_index import person_index_keys, search_plan
from vigil.people.models import Person
from vigil.people.services import person_create

JOHN_SMITHS = ("1960-05-01", "1970-05-01", "1990-05-01", "1985-03-02")


@pytest.fixture
def john_smiths(officer: Any) -> list[Person]:
    return [person_create(actor=officer, full_name="John Smith", born=born, sex="male") for born in JOHN_SMITHS]


@pytest.mark.django_db
def test_a_too_large_block_is_narrowed_by_the_year_not_skipped(
    monkeypatch: pytest.MonkeyPatch, john_smiths: list[Person]
) -> None:
    monkeypatch.setattr(linking, "MAX_BLOCK", 2)
    target = john_smiths[-1]
    # A nickname with the year of birth only: today's keys for it are g|john|s (every John S.,
    # four records here: too large) and x|S530|j (as large).
    probe = PersonRecord(ref="new", name="Johnny Smith", born="1985", sex="male")
    found = linking.search(probe)
    assert "g|john|s" in found.narrowed and "x|S530|j" in found.narrowed
    assert "gy|john|s|1985" in found.searched  # the narrower block: John S., born 1985
    assert found.compared == {target.pk}  # the Johns born in other years are not read
    assert [pk for pk, _ in found.matches] == [target.pk]
    assert not found.whole and not found.cut


@pytest.mark.django_db
def test_the_narrowest_block_is_read_whole_and_a_cut_block_is_said(
    monkeypatch: pytest.MonkeyPatch, john_smiths: list[Person]
) -> None:
    monkeypatch.setattr(linking, "MAX_BLOCK", 2)
    # No date of birth: g|john|s narrows to gx|john|S530 and then n|john|SM0, which is still
    # too large but the narrowest key a John Smith with nothing else has: read whole.
    probe = PersonRecord(ref="new", name="John Smith", sex="male")
    found = linking.search(probe)
    assert {"g|john|s", "gx|john|S530"} <= set(found.narrowed)
    assert "n|john|SM0" in found.whole and not found.cut
    assert found.compared == {p.pk for p in john_smiths}
    # A whole block larger than MAX_WHOLE is cut to its most recent records, and the search says so.
    monkeypatch.setattr(linking, "MAX_WHOLE", 2)
    cut = linking.search(probe)
    assert "n|john|SM0" in cut.cut
    assert {p.pk for p in john_smiths[-2:]} <= cut.compared


@pytest.mark.django_db
def test_a_dated_record_reaches_the_undated_namesakes_without_reading_the_dated_ones(
    monkeypatch: pytest.MonkeyPatch, john_smiths: list[Person], officer: Any
) -> None:
    undated = person_create(actor=officer, full_name="John Smith", sex="male")
    monkeypatch.setattr(linking, "MAX_BLOCK", 2)
    found = linking.search(PersonRecord(ref="new", name="John Smyth", born="1999-09-09", sex="male"))
    assert "gu|john|s" in found.searched  # every undated John S. (one)
    assert found.compared == {undated.pk}


@pytest.mark.django_db
def test_every_kind_of_variant_is_found_and_decoys_are_not_linked(monkeypatch: pytest.MonkeyPatch) -> None:
    """On 3,000 synthetic people with blocks limited to 4 records (at a million, the common
    names' blocks are thousands), each kind of variation of a stored person is compared with
    that person whenever the model would link it or send it to review; same-name decoys and
    never-seen people get no automatic link."""
    build_synthetic_persons(persons=3000, seed=5)
    monkeypatch.setattr(linking, "MAX_BLOCK", 4)
    probes = make_probes(12, seed=5)
    assert {p.kind for p in probes} == {*VARIANT_KINDS, "decoy", "unseen"}
    narrowed = whole = 0
    for probe in probes:
        found = linking.search(probe.record)
        narrowed += len(found.narrowed)
        whole += len(found.whole)
        links = {pk for pk, result in found.matches if result.decision == "link"}
        if probe.kind == "unseen":
            assert not links, probe.record
        elif probe.kind == "decoy":
            assert probe.source not in links, probe.record
        else:
            stored = _stored(probe.source)
            if score_pair(probe.record, stored).decision != "none":
                assert probe.source in found.compared, (probe.kind, probe.record, stored)
                assert probe.source in {pk for pk, _ in found.matches}
    assert narrowed > len(probes) // 2 and whole  # the limits did bite


def _stored(pk: int | None) -> PersonRecord:
    return linking.person_record(Person.objects.select_related("home").prefetch_related("aliases").get(pk=pk))


# The keys themselves (no database): every single variation keeps a key in common.

GIVEN = ["Daniel", "Danny", "Lionel", "William", "Catherine", "Kate", "Stephen", "Jo", "Mohammed"]
SURNAME = ["Rourke", "Mackey", "Smith-Jones", "Philips", "O'Brien", "Van der Berg", "Ng", "Sellars"]
BORN = [None, "1990", "1990-07-03", "1964-01-15", "1985-11-09"]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(GIVEN),
    st.sampled_from(SURNAME),
    st.sampled_from(BORN),
    st.sampled_from(list(VARIANT_KINDS)),
    st.integers(0, 2**16),
)
def test_every_single_variation_the_model_finds_shares_a_searched_key(
    given_name: str, surname: str, born: str | None, kind: str, seed: int
) -> None:
    stored = PersonRecord("s", f"{given_name} {surname}", born=born, sex="male", places=((53.8, -1.55),))
    rng = random.Random(seed)
    probe = variant_probe(rng, NameSource(rng), stored, kind, [("1 Elm Road, Leeds", 53.9, -1.4)])
    if probe is None or score_pair(probe, stored).decision == "none":
        return
    # Some key of the probe's plan, at any depth, is one the stored record is kept under.
    assert set(search_plan(probe)) & person_index_keys(stored), (probe, stored)


def test_a_decoy_is_held_apart_from_the_person_it_imitates() -> None:
    rng = random.Random(3)
    stored = PersonRecord("s", "Daniel Rourke", born="1990-07-23", sex="male")
    for _ in range(50):
        decoy = decoy_probe(rng, stored, [])
        assert decoy is not None and decoy.name == stored.name
        assert score_pair(decoy, stored).held


def test_the_prior_falls_with_the_size_of_the_index() -> None:
    assert linking.index_prior(100) == PERSON_MODEL.prior
    assert linking.index_prior(2**16) == PERSON_MODEL.prior
    assert linking.index_prior(1_000_000) == 1 / 1_000_000


def test_keys_fit_their_column_and_undated_families_are_kept_for_undated_records_only() -> None:
    dated = PersonRecord("a", "Bartholomew-Fitzwilliam Montgomery-Smythe Featherstonehaugh", born="1990-07-03")
    undated = PersonRecord("b", "Daniel Rourke")
    assert all(len(k) <= 80 for r in (dated, undated) for k in linking.index_keys(r))
    families = {k.split("|")[0] for k in person_index_keys(dated)}
    assert families == {"d", "g", "gy", "gx", "n", "x", "xs", "sy"}
    assert {k.split("|")[0] for k in person_index_keys(undated)} == {"g", "gx", "n", "x", "xs", "gu", "nu", "gxu", "xu", "xsu"}


@pytest.mark.django_db
def test_rebuilding_the_index_writes_the_keys_link_new_person_writes(officer: Any) -> None:
    from vigil.people.models import BlockingKey

    people = [
        person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", aliases=["Danny Ro"]),
        person_create(actor=officer, full_name="Rourke, Daniel", born="1990"),
        person_create(actor=officer, full_name="Mia Bennett"),
    ]
    before = sorted(BlockingKey.objects.values_list("person_id", "key"))
    BlockingKey.objects.filter(person=people[0]).delete()
    BlockingKey.objects.create(person=people[1], key="s|old|1990")
    assert linking.rebuild_person_index() == len(before)
    assert sorted(BlockingKey.objects.values_list("person_id", "key")) == before
