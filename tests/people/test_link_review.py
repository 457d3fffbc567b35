"""The review queue for identity links, and the decisions on a link through the web pages:
confirm, reject, split, re-link. Every decision needs a rationale, is audited, never merges
rows, and re-runs the policy so R9 can fire or stop."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PersonFactory, PersonLinkFactory, UserFactory
from vigil.actions.models import Action
from vigil.audit.models import AuditEvent
from vigil.cases.models import Case, Flag
from vigil.cases.services import case_open, report_record
from vigil.core.constants import Role
from vigil.people.models import Person, PersonLink
from vigil.people.services import person_create, place_create

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _signed_in(otp_login: Any, user: Any) -> Client:
    return otp_login(Client(enforce_csrf_checks=True), user)


def _post(client: Client, name: str, link: PersonLink, rationale: str, **extra: str) -> Any:
    """Open the link's page as a browser would, then post its form with the CSRF token."""
    page = client.get(reverse("person_link_detail", args=[link.pk]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    data = {"rationale": rationale, **extra}
    if token:
        data["csrfmiddlewaretoken"] = token.group(1)
    return client.post(reverse(name, args=[link.pk]), data)


def _report(officer: Any, case: Case, day: int) -> None:
    report_record(actor=officer, case=case, category="stalking", reported_at=dt.datetime(2025, 3, day, 21, 0, tzinfo=UTC))


@pytest.fixture
def pending(officer: Any) -> dict[str, Any]:
    """Two victims' reports about two records of Kieran Blackwood: one with a full date of
    birth, one with the year only. The model is not sure: the pair waits for review."""
    full = person_create(actor=officer, full_name="Kieran Blackwood", born="1985-06-12", sex="male")
    year = person_create(actor=officer, full_name="Kieran Blackwood", born="1985", sex="male")
    case_1 = case_open(actor=officer, victim=PersonFactory(full_name="Aisha Okafor"), subject=full, team=officer.team)
    case_2 = case_open(actor=officer, victim=PersonFactory(full_name="Megan Talbot"), subject=year, team=officer.team)
    _report(officer, case_1, 2)
    _report(officer, case_2, 9)
    return {"link": PersonLink.objects.get(), "full": full, "year": year, "case_1": case_1, "case_2": case_2}


@pytest.fixture
def linked(officer: Any) -> dict[str, Any]:
    """Daniel and Danny Rourke, same date of birth: linked automatically; two victims, so R9."""
    daniel = person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", sex="male")
    danny = person_create(actor=officer, full_name="Danny Rourke", born="1990-07-23", sex="male")
    case_1 = case_open(actor=officer, victim=PersonFactory(full_name="Aisha Okafor"), subject=daniel, team=officer.team)
    case_2 = case_open(actor=officer, victim=PersonFactory(full_name="Megan Talbot"), subject=danny, team=officer.team)
    _report(officer, case_1, 2)
    _report(officer, case_2, 9)
    return {"link": PersonLink.objects.get(), "daniel": daniel, "danny": danny}


def _serial_reviews() -> int:
    return Action.objects.filter(kind="serial_perpetrator_review").count()


# --- the queue -----------------------------------------------------------------------------------


def test_the_queue_shows_both_records_side_by_side_with_score_and_evidence(
    otp_login: Any, officer: Any, pending: dict[str, Any]
) -> None:
    link = pending["link"]
    assert link.status == "review"
    body = _signed_in(otp_login, officer).get(reverse("person_link_queue")).content.decode()
    assert "<strong>1</strong> pair waiting" in body
    assert "12 June 1985" in body and "1985 (year only)" in body
    assert "same year of birth (1985; one record has the year only)" in body
    assert f"{link.score:.3f}" in body
    assert reverse("person_link_detail", args=[link.pk]) in body


def test_addresses_are_shown_only_on_the_links_own_page_and_that_read_is_audited(otp_login: Any, officer: Any) -> None:
    home = place_create(actor=officer, address="14 Harehills Lane, Leeds LS8 4AA", kind="home", lat=53.81, lon=-1.52)
    first = person_create(actor=officer, full_name="Kieran Blackwood", born="1985-06-12", home=home)
    second = person_create(actor=officer, full_name="Kieran Blackwood", born="1985")
    case_open(actor=officer, victim=PersonFactory(), subject=first, team=officer.team)
    case_open(actor=officer, victim=PersonFactory(), subject=second, team=officer.team)
    link = PersonLink.objects.get(status="review")
    client = _signed_in(otp_login, officer)

    assert "Harehills" not in client.get(reverse("person_link_queue")).content.decode()
    assert "Harehills" in client.get(reverse("person_link_detail", args=[link.pk])).content.decode()
    assert AuditEvent.objects.filter(action="person_link.view", object_id=str(link.pk), actor=officer).count() == 1


def test_the_queue_puts_the_likeliest_first_then_the_oldest_and_pages(otp_login: Any, db: Any) -> None:
    boss = UserFactory(username="super", role=Role.SUPERINTENDENT, team=None)
    now = dt.datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    low = PersonLinkFactory(score=0.2, created_at=now - dt.timedelta(days=9))
    high_new = PersonLinkFactory(score=0.95, created_at=now)
    high_old = PersonLinkFactory(score=0.95, created_at=now - dt.timedelta(days=1))
    PersonLinkFactory(status="auto", score=0.999)  # not waiting: not in the queue
    for _ in range(20):
        PersonLinkFactory(score=0.5)
    client = _signed_in(otp_login, boss)

    first = client.get(reverse("person_link_queue")).content.decode()
    order = [int(pk) for pk in re.findall(r'data-link="(\d+)"', first)]
    assert order[:2] == [high_old.pk, high_new.pk]
    assert "<strong>23</strong> pairs waiting" in first and len(order) == 20
    last = client.get(reverse("person_link_queue"), {"page": 2}).content.decode()
    assert [int(pk) for pk in re.findall(r'data-link="(\d+)"', last)][-1] == low.pk


def test_the_queue_leaves_out_pairs_the_user_may_not_see(otp_login: Any, outsider: Any, pending: dict[str, Any]) -> None:
    client = _signed_in(otp_login, outsider)
    assert "No pairs are waiting for review." in client.get(reverse("person_link_queue")).content.decode()
    link = pending["link"]
    assert client.get(reverse("person_link_detail", args=[link.pk])).status_code == 404
    assert client.post(reverse("person_link_confirm", args=[link.pk]), {"rationale": "Looks like him"}).status_code in (403, 404)
    link.refresh_from_db()
    assert link.status == "review"


def test_a_pair_touching_a_restricted_case_is_hidden_from_those_not_named(otp_login: Any, officer: Any, supervisor: Any) -> None:
    staff = PersonFactory(full_name="Kieran Blackwood", is_police_staff=True)
    other = PersonFactory(full_name="Kieran Blackwood")
    case_open(actor=officer, victim=PersonFactory(), subject=staff, team=officer.team, allocate=[officer])  # restricted
    case_open(actor=officer, victim=PersonFactory(), subject=other, team=officer.team)
    a, b = sorted((staff, other), key=lambda p: p.pk)
    link = PersonLinkFactory(a=a, b=b)
    assert link.pk in _queue_ids(_signed_in(otp_login, officer))  # named on the restricted case
    assert link.pk not in _queue_ids(_signed_in(otp_login, supervisor))


def _queue_ids(client: Client) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-link="(\d+)"', client.get(reverse("person_link_queue")).content.decode())]


# --- confirm and reject ---------------------------------------------------------------------------


def test_confirming_links_the_records_audits_and_fires_r9(otp_login: Any, officer: Any, pending: dict[str, Any]) -> None:
    link = pending["link"]
    assert not Flag.objects.filter(kind="serial_perpetrator").exists() and _serial_reviews() == 0
    people_before = Person.objects.count()

    response = _post(_signed_in(otp_login, officer), "person_link_confirm", link, "  Same PNC number on both custody records. ")

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == "confirmed" and link.decided_by == officer and link.decided_at is not None
    assert link.decision_rationale == "Same PNC number on both custody records."
    assert Person.objects.count() == people_before  # linked, never merged
    event = AuditEvent.objects.get(action="person_link.confirmed", object_id=str(link.pk))
    assert event.actor == officer and event.old == {"status": "review"}
    # The policy ran again: one man, two victims.
    assert Flag.objects.filter(kind="serial_perpetrator").exists() and _serial_reviews() >= 1
    body = _signed_in(otp_login, officer).get(reverse("person_detail", args=[pending["year"].pk])).content.decode()
    assert "Serial perpetrator (R9): named in reports by 2 victims" in body
    assert pending["case_1"].reference in body and pending["case_2"].reference in body


def test_rejecting_keeps_the_records_apart(otp_login: Any, officer: Any, pending: dict[str, Any]) -> None:
    link = pending["link"]
    response = _post(_signed_in(otp_login, officer), "person_link_reject", link, "Different custody photographs.")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == "rejected" and link.decided_by == officer
    assert AuditEvent.objects.filter(action="person_link.rejected", object_id=str(link.pk)).exists()
    assert not Flag.objects.filter(kind="serial_perpetrator").exists()
    assert link.pk not in _queue_ids(_signed_in(otp_login, officer))


@pytest.mark.parametrize("rationale", ["", "   "])
def test_an_empty_rationale_is_refused_and_nothing_is_saved(
    otp_login: Any, officer: Any, pending: dict[str, Any], rationale: str
) -> None:
    link = pending["link"]
    audit_rows = AuditEvent.objects.filter(action__startswith="person_link.").exclude(action="person_link.view").count()

    response = _post(_signed_in(otp_login, officer), "person_link_confirm", link, rationale)

    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Explain why you made this decision" in body
    assert 'href="#id_rationale"' in body
    assert "<title>Error:" in body
    link.refresh_from_db()
    assert link.status == "review" and link.decided_by is None and link.decision_rationale == ""
    assert AuditEvent.objects.filter(action__startswith="person_link.").exclude(action="person_link.view").count() == audit_rows
    assert not Flag.objects.filter(kind="serial_perpetrator").exists()


def test_the_back_link_goes_only_to_this_site(otp_login: Any, officer: Any, pending: dict[str, Any]) -> None:
    url = reverse("person_link_detail", args=[pending["link"].pk])
    body = _signed_in(otp_login, officer).get(url, {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in body


def test_a_post_without_the_csrf_token_is_refused(otp_login: Any, officer: Any, pending: dict[str, Any]) -> None:
    link = pending["link"]
    client = _signed_in(otp_login, officer)
    response = client.post(reverse("person_link_confirm", args=[link.pk]), {"rationale": "Same man"})
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.status == "review"


def test_a_pair_decided_meanwhile_is_not_decided_twice(
    otp_login: Any, officer: Any, supervisor: Any, pending: dict[str, Any]
) -> None:
    link = pending["link"]
    first, second = _signed_in(otp_login, officer), _signed_in(otp_login, supervisor)
    page = second.get(reverse("person_link_detail", args=[link.pk])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert _post(first, "person_link_confirm", link, "Same PNC number.").status_code == 302

    response = second.post(
        reverse("person_link_reject", args=[link.pk]), {"rationale": "Looks different", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 400 and "reload the page" in response.content.decode()
    link.refresh_from_db()
    assert link.status == "confirmed" and link.decided_by == officer


# --- split and re-link ----------------------------------------------------------------------------


def test_an_officer_may_not_split(otp_login: Any, officer: Any, linked: dict[str, Any]) -> None:
    link = linked["link"]
    client = _signed_in(otp_login, officer)
    page = client.get(reverse("person_link_detail", args=[link.pk])).content.decode()
    assert "Split the link" not in page and "Only a supervisor (sergeant) or above" in page
    assert _post(client, "person_link_split", link, "Not him").status_code == 404
    link.refresh_from_db()
    assert link.status == "auto"


def _work() -> list[tuple[int, int, str, str]]:
    """Every stored action other than R9's: id, case, rule and kind."""
    return sorted(Action.objects.exclude(rule="R9").values_list("pk", "case_id", "rule", "kind"))


def test_split_then_relink_round_trip(otp_login: Any, officer: Any, supervisor: Any, linked: dict[str, Any]) -> None:
    link = linked["link"]
    reviews = _serial_reviews()
    assert link.status == "auto" and reviews >= 1
    work = _work()
    assert work
    client = _signed_in(otp_login, supervisor)
    person_page = reverse("person_detail", args=[linked["daniel"].pk])
    assert "Split the link" in client.get(reverse("person_link_detail", args=[link.pk])).content.decode()

    # Split: the records are two people again, and R9 no longer holds on today's links.
    response = _post(client, "person_link_split", link, "Custody photographs show two different men.", next=person_page)
    assert response.status_code == 302 and response["Location"] == person_page
    link.refresh_from_db()
    assert link.status == "split" and link.decided_by == supervisor
    split = AuditEvent.objects.get(action="person_link.split", object_id=str(link.pk))
    assert split.old == {"status": "auto"}
    body = client.get(person_page).content.decode()
    assert "Danny Rourke" in body  # still listed, under the links, as split
    assert "No other record is linked to this one." in body and "so the rule does not apply" in body
    assert "Split by a supervisor" in body and "Custody photographs show two different men." in body
    # The open R9 reviews the policy no longer asks for are cancelled, with the reason, by "policy".
    r9 = Action.objects.filter(kind="serial_perpetrator_review")
    assert r9.count() == reviews and not r9.filter(status="open").exists()
    for action in r9:
        assert action.status == "cancelled" and action.closing_reason.startswith("R9 no longer applies: the records were split")
        # The rationale stays on the link's page (reviewers only), not on the case's actions.
        assert "Custody photographs" not in action.closing_reason
        page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
        assert "R9 no longer applies: the records were split" in page and "Closed" in page
        event = AuditEvent.objects.get(action="action.update", object_id=str(action.pk), new__status="cancelled")
        assert event.actor_label == "policy" and event.seq > split.seq
    assert Flag.objects.filter(kind="serial_perpetrator").exists()  # raised on what was known then; kept
    # The other work is the same actions, carried to keys naming each man's own record: none doubled.
    assert _work() == work
    danny_case = Case.objects.get(subject=linked["danny"])
    assert set(Action.objects.filter(case=danny_case).exclude(rule="R9").values_list("subject_id", flat=True)) == {
        linked["danny"].pk
    }

    # Re-link: one man again; the stored R9 flag and review are there (none added twice).
    assert _post(client, "person_link_relink", link, "PNC check: the same man after all.").status_code == 302
    link.refresh_from_db()
    assert link.status == "confirmed" and link.decision_rationale == "PNC check: the same man after all."
    relink = AuditEvent.objects.get(action="person_link.confirmed", object_id=str(link.pk))
    assert relink.old == {"status": "split"} and relink.seq > split.seq
    body = client.get(person_page).content.decode()
    assert "Serial perpetrator (R9): named in reports by 2 victims" in body
    assert _serial_reviews() == reviews
    assert r9.filter(status="open").count() == reviews and [a.closing_reason for a in r9.all()] == [""] * reviews
    assert AuditEvent.objects.filter(action="action.update", new__status="open", seq__gt=relink.seq).count() == reviews
    assert _work() == work
    assert PersonLink.objects.count() == 1 and Person.objects.filter(full_name__endswith="Rourke").count() == 2


def test_a_rejected_pair_can_be_linked_again_by_a_supervisor_only(
    otp_login: Any, officer: Any, supervisor: Any, pending: dict[str, Any]
) -> None:
    link = pending["link"]
    assert _post(_signed_in(otp_login, officer), "person_link_reject", link, "Different photographs.").status_code == 302
    assert _post(_signed_in(otp_login, officer), "person_link_relink", link, "Same man").status_code == 404
    assert _post(_signed_in(otp_login, supervisor), "person_link_relink", link, "Same tattoo").status_code == 302
    link.refresh_from_db()
    assert link.status == "confirmed" and link.decided_by == supervisor
    assert Flag.objects.filter(kind="serial_perpetrator").exists()


def test_a_split_needs_a_rationale_too(otp_login: Any, supervisor: Any, linked: dict[str, Any]) -> None:
    link = linked["link"]
    response = _post(_signed_in(otp_login, supervisor), "person_link_split", link, "")
    assert response.status_code == 400 and "govuk-error-summary" in response.content.decode()
    link.refresh_from_db()
    assert link.status == "auto"


def test_a_new_record_that_joins_a_split_pair_again_reopens_the_r9_review(
    otp_login: Any, officer: Any, supervisor: Any, linked: dict[str, Any]
) -> None:
    """After a split, a third record linked automatically to both halves makes them one man
    again: the R9 review the split cancelled is open again, not left cancelled."""
    assert _post(_signed_in(otp_login, supervisor), "person_link_split", linked["link"], "Two men").status_code == 302
    r9 = Action.objects.filter(kind="serial_perpetrator_review")
    assert r9.exists() and not r9.filter(status="open").exists()
    third = person_create(actor=officer, full_name="Daniel Rourke", born="1990-07-23", sex="male")
    assert PersonLink.objects.filter(b=third, status="auto").count() == 2
    assert r9.count() == r9.filter(status="open", closing_reason="").count() >= 1


def test_a_split_that_leaves_the_serial_pattern_keeps_its_review(otp_login: Any, officer: Any, supervisor: Any) -> None:
    """a-b-c linked in a chain, with reports naming b (by one victim) and c (by another).
    Splitting a from b leaves b-c one man named by two victims: the R9 review stays open, the
    same action (carried to its new key), and nothing is created twice."""
    a, b, c = (PersonFactory(full_name=name) for name in ("Lee Harland", "Lee Harlan", "Leigh Harland"))
    first = PersonLinkFactory(a=a, b=b, status="confirmed")
    PersonLinkFactory(a=b, b=c, status="confirmed")
    case_1 = case_open(actor=officer, victim=PersonFactory(full_name="Ruth Okoye"), subject=b, team=officer.team)
    case_2 = case_open(actor=officer, victim=PersonFactory(full_name="Sian Pryce"), subject=c, team=officer.team)
    _report(officer, case_1, 2)
    _report(officer, case_2, 9)
    r9 = Action.objects.filter(kind="serial_perpetrator_review")
    before = sorted(r9.values_list("pk", "status"))
    assert before and all(status == "open" for _, status in before)
    keys = set(Action.objects.values_list("key", flat=True))
    work = _work()
    assert _post(_signed_in(otp_login, supervisor), "person_link_split", first, "a is a cousin").status_code == 302
    assert sorted(r9.values_list("pk", "status")) == before
    # The group's first record was a; now it is b, so the keys name b: the same rows, re-keyed.
    assert all(f":P{b.pk}:" in key or f":P{c.pk}:" in key for key in r9.values_list("key", flat=True))
    assert set(Action.objects.values_list("key", flat=True)) != keys
    assert _work() == work
    assert not r9.exclude(closing_reason="").exists()
