"""A new record that could be either of two people held apart (a father and son of one name,
born decades apart): it joins one of them only when all the evidence makes him decisively the
one (his home, the distance to the other's, a victim or relative named with both); otherwise
a person decides. The replay's form of the rule is tested in tests/timeline/test_replay_linking.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PersonFactory
from vigil.cases.services import case_open
from vigil.core.constants import LinkStatus
from vigil.people.linkage import PersonRecord, score_pair
from vigil.people.linkage.person import COUNTERPART_WEIGHT, choose_between, rival_probability
from vigil.people.linking import link_new_person
from vigil.people.models import Person, PersonLink
from vigil.people.services import person_create, place_create

pytestmark = pytest.mark.django_db

HOME = (53.8008, -1.5491)  # Leeds
THIRTY_KM_AWAY = (54.0700, -1.5491)  # near Ripon


def _home(officer: Any, where: tuple[float, float], address: str) -> Any:
    return place_create(actor=officer, address=address, kind="home", lat=where[0], lon=where[1])


def _status(new: Person, other: Person) -> str | None:
    link = PersonLink.objects.filter(a=min(new, other, key=lambda p: p.pk), b=max(new, other, key=lambda p: p.pk)).first()
    return link.status if link else None


def _evidence(new: Person, other: Person) -> str:
    a, b = sorted((new, other), key=lambda p: p.pk)
    return PersonLink.objects.get(a=a, b=b).evidence


@pytest.fixture
def father_and_son(officer: Any) -> tuple[Person, Person, Any, Any]:
    here = _home(officer, HOME, "14 Cliff Road, Leeds")
    there = _home(officer, THIRTY_KM_AWAY, "2 Mill Lane, Ripon")
    father = person_create(actor=officer, full_name="Daniel Rourke", born="1964-01-15", sex="male", home=here)
    son = person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", sex="male", home=there)
    return father, son, here, there


def test_a_record_sharing_one_home_joins_that_man_and_the_far_one_is_left_for_review(
    officer: Any, father_and_son: tuple[Person, Person, Any, Any]
) -> None:
    father, son, here, _there = father_and_son
    new = person_create(actor=officer, full_name="Daniel Rourke", sex="male", home=here)
    assert _status(new, father) == LinkStatus.AUTO
    evidence = _evidence(new, father)
    assert "joined to this person rather than another person on record whom this record could also be" in evidence
    assert "(a different person from this one: different dates of birth), because of: same home (" in evidence
    # Nothing about the other man: not his date of birth, nor where he lives.
    assert "1990" not in evidence and "km" not in evidence
    assert _status(new, son) in (LinkStatus.REVIEW, None)


def test_a_record_that_fits_both_equally_goes_to_review_for_both(officer: Any) -> None:
    """Father and son at one home; a third record at that home with no date of birth could be
    either. Without the rule it was linked to both, joining father and son through it."""
    here = _home(officer, HOME, "14 Cliff Road, Leeds")
    father = person_create(actor=officer, full_name="Daniel Rourke", born="1964-01-15", sex="male", home=here)
    son = person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", sex="male", home=here)
    record = PersonRecord("n", "Daniel Rourke", sex="male", places=(HOME,))
    assert (
        score_pair(record, PersonRecord("f", "Daniel Rourke", born="1964-01-15", sex="male", places=(HOME,))).decision == "link"
    )
    new = person_create(actor=officer, full_name="Daniel Rourke", sex="male", home=here)
    assert _status(new, father) == LinkStatus.REVIEW and _status(new, son) == LinkStatus.REVIEW
    for other in (father, son):
        assert "not joined: this record could also be another person on record (a different person from this one:" in (
            _evidence(new, other)
        )
        assert "left for a person to check" in _evidence(new, other)
        assert "Rourke" in _evidence(new, other) and "1964" not in _evidence(new, other).split("not joined")[1]
    assert not PersonLink.objects.filter(status=LinkStatus.AUTO).exists()


def _reported_by_the_sons_victim(officer: Any, team: Any, *, sons_home: tuple[float, float]) -> tuple[Person, Person, Person]:
    """Father and son of one name, the son the subject of Chloe Bennett's case, the father at
    HOME; then a Daniel Rourke with no date of birth, at HOME, as the intake of a report by
    Chloe Bennett writes him. (father, son, the new record)."""
    here = _home(officer, HOME, "14 Cliff Road, Leeds")
    his = here if sons_home == HOME else _home(officer, sons_home, "2 Mill Lane, Ripon")
    father = person_create(actor=officer, full_name="Daniel Rourke", born="1964-01-15", sex="male", home=here)
    son = person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", sex="male", home=his)
    victim = person_create(actor=officer, full_name="Chloe Bennett", born="1992-02-10", sex="female")
    case_open(actor=officer, victim=victim, subject=son, team=team)
    new = PersonFactory(full_name="Daniel Rourke", born_on=None, sex="male", home=here)
    link_new_person(new, actor=officer, counterparts=[victim.pk])
    return father, son, new


def test_a_victim_named_with_one_of_them_decides(officer: Any, team: Any) -> None:
    father, son, new = _reported_by_the_sons_victim(officer, team, sons_home=HOME)
    assert _status(new, son) == LinkStatus.AUTO
    assert "both named with the same victim, suspect or relative" in _evidence(new, son)
    assert _status(new, father) == LinkStatus.REVIEW


HOMES_600_M_APART = (53.8062, -1.5491)


@pytest.mark.parametrize(
    ("home", "address", "outcome"),
    [
        # Homes within 100 m of the father's, 30 km from the son's: decisively the father.
        (HOME, "14 Cliff Road, Leeds LS6 2EZ", LinkStatus.AUTO),
        # No map point, but the father's address written again: decisively the father.
        (None, "14 Cliff Rd, Leeds, LS6 2EZ", LinkStatus.AUTO),
        # 600 m from the father's home, or only his postcode (a street, some fifteen homes):
        # likelier him, but not by enough to join them without a person checking.
        (HOMES_600_M_APART, "3 Oak Street, Leeds LS6 1AA", LinkStatus.REVIEW),
        (None, "27 Cliff Road, Leeds LS6 2EZ", LinkStatus.REVIEW),
    ],
)
def test_the_home_decides_only_when_the_difference_is_decisive(
    officer: Any, home: tuple[float, float] | None, address: str, outcome: str
) -> None:
    here = place_create(actor=officer, address="14 Cliff Road, Leeds LS6 2EZ", kind="home", lat=HOME[0], lon=HOME[1])
    there = _home(officer, THIRTY_KM_AWAY, "2 Mill Lane, Ripon HG4 1AB")
    father = person_create(actor=officer, full_name="Daniel Rourke", born="1964-01-15", sex="male", home=here)
    son = person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", sex="male", home=there)
    where = (
        place_create(actor=officer, address=address, kind="home", lat=home[0], lon=home[1])
        if home
        else place_create(actor=officer, address=address, kind="home")
    )
    new = person_create(actor=officer, full_name="Daniel Rourke", sex="male", home=where)
    assert _status(new, father) == outcome
    assert _status(new, son) in (LinkStatus.REVIEW, None)
    if outcome == LinkStatus.AUTO:
        assert "; joined to this person rather than another person on record" in _evidence(new, father)
    else:
        assert not PersonLink.objects.filter(status=LinkStatus.AUTO).exists()


def test_a_shared_home_against_a_shared_victim_is_left_for_a_person(officer: Any, team: Any) -> None:
    """The record shares the father's home, but it is taken from a report by the son's victim:
    the evidence pulls both ways, so neither is joined, and the words say what each had."""
    father, _son, new = _reported_by_the_sons_victim(officer, team, sons_home=THIRTY_KM_AWAY)
    assert _status(new, father) == LinkStatus.REVIEW
    assert not PersonLink.objects.filter(status=LinkStatus.AUTO).exists()
    words = _evidence(new, father)
    assert "could also be another person on record (a different person from this one: different dates of birth)." in words
    assert "For this person: same home. What points to the other is not shown" in words
    # The score a reviewer sees is the chance after weighing the other man, not the pair's own.
    link = PersonLink.objects.get(a=min(new, father, key=lambda p: p.pk), b=max(new, father, key=lambda p: p.pk))
    assert 0.5 < link.score < 0.99 and f"Only {link.score:.1%} likely this person" in words
    assert "Bennett" not in words and "1990" not in words and "km" not in words


def test_the_choice_weighs_every_candidate() -> None:
    # Two candidates with the same evidence: a coin toss, never decisive.
    assert rival_probability(20.0, [20.0]) == pytest.approx(0.5, abs=1e-6)
    # No rival: the candidate's own posterior.
    assert rival_probability(3.0, []) == pytest.approx(8 / 9)
    # A shared home (+7.8) against a home 30 km away (-1.1): decisive.
    assert choose_between("a", {"a": 15.0 + 7.8, "b": 15.0 - 1.1}, ["b"]).decisive
    # Homes 600 m (+2.3) and 30 km apart: not decisive.
    assert not choose_between("a", {"a": 15.0 + 2.3, "b": 15.0 - 1.1}, ["b"]).decisive
    # A victim named with one of them, and nothing else to choose by: decisive.
    choice = choose_between("a", {"a": 15.0, "b": 15.0}, ["b"], {"a": {"V1"}})
    assert choice.decisive and choice.shared == ("V1",) and COUNTERPART_WEIGHT > 6.7
    # A victim named with one, the home shared with the other: a person decides.
    assert not choose_between("a", {"a": 15.0 - 1.1, "b": 15.0 + 7.8}, ["b"], {"a": {"V1"}}).decisive


def test_suggestions_offer_the_visible_records_with_reasons_in_words(
    officer: Any, supervisor: Any, outsider: Any, team: Any
) -> None:
    from vigil.people.linking import find_matches, suggest_matches

    here = _home(officer, HOME, "14 Cliff Road, Leeds LS6 2EZ")
    known = person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", sex="male", home=here)
    victim = person_create(actor=officer, full_name="Chloe Bennett", born="1992-02-10", sex="female")
    case_open(actor=officer, victim=victim, subject=known, team=team)
    # On no case (and only under review against Daniel): the officer has no need to know of it.
    unseen = person_create(actor=officer, full_name="Daniel Rourke", born="1990", sex="male")
    assert _status(unseen, known) == LinkStatus.REVIEW
    record = PersonRecord("new", "Dan Rourke", born="1990-07-23", sex="male")
    assert unseen.pk in {pk for pk, _ in find_matches(record)}
    suggestions = suggest_matches(
        officer, name="Dan Rourke", born="1990-07-23", sex="male", address="Flat 1, 14 Cliff Road, Leeds"
    )
    assert [s.person for s in suggestions] == [known]
    assert suggestions[0].decision == "link"
    assert "same date of birth (1990-07-23)" in suggestions[0].reasons
    assert any(r.startswith("given name is a nickname") for r in suggestions[0].reasons)
    assert "similar addresses" in suggestions[0].reasons
    assert suggest_matches(outsider, name="Dan Rourke", born="1990-07-23") == []
    assert suggest_matches(officer, name="  ") == []
    assert [s.person for s in suggest_matches(supervisor, name="Dan Rourke", born="1990-07-23")] == [known]
