"""A role that opens a list it does not use is told so, with the lists it can use, instead of
an empty list that reads as 'nothing to do'."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import UserFactory
from vigil.core.constants import Role

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _links(response: Any) -> list[str]:
    main = response.content.decode().split('id="main-content"', 1)[1]
    return re.findall(r'<a class="govuk-link[^"]*" href="([^"]+)"', main)


@pytest.fixture
def signed_in(team: Any, otp_login: Any) -> Any:
    def make(role: str) -> Client:
        return otp_login(Client(), UserFactory(username=f"user-{role}", role=role, team=team))

    return make


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/cases/", "Cases"),
        ("/warrants/", "Warrant board"),
        ("/portal/reports/", "Portal reports"),
        ("/people/links/review/", "Possible matches"),
        ("/board/", "Action board"),
        ("/clares-law/", "Clare's Law"),
    ],
)
def test_the_analyst_is_told_what_the_role_uses(signed_in: Any, path: str, title: str) -> None:
    response = signed_in(Role.ANALYST).get(path)
    assert response.status_code == 403
    text = _text(response)
    assert f"{title} is not part of your role" in text
    assert "As an analyst you see every unrestricted case without names" in text
    assert _links(response) == ["/analyst/cases/"]
    assert "Cases (pseudonymised)" in text


@pytest.mark.parametrize("path", ["/warrants/", "/portal/reports/", "/people/links/review/", "/board/", "/analyst/cases/"])
def test_the_adviser_is_told_what_the_role_uses(signed_in: Any, path: str) -> None:
    response = signed_in(Role.IDVA).get(path)
    assert response.status_code == 403
    text = _text(response)
    assert "is not part of your role" in text and "independent domestic violence adviser" in text
    assert "cases referred to you with the victim's consent" in text
    assert _links(response) == ["/idva/", "/cases/", "/clares-law/", "/marac/"]


def test_the_adviser_starts_at_their_caseload(signed_in: Any) -> None:
    client = signed_in(Role.IDVA)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/idva/"
    assert client.get("/idva/").status_code == 200
    assert client.get("/cases/").status_code == 200


def test_an_officer_on_the_analysts_list_sees_the_officers_lists(signed_in: Any) -> None:
    response = signed_in(Role.OFFICER).get("/analyst/cases/")
    assert response.status_code == 403
    assert "Cases (pseudonymised) is not part of your role" in _text(response)
    assert _links(response) == [
        "/",
        "/cases/",
        "/warrants/",
        "/clares-law/",
        "/people/links/review/",
        "/portal/reports/",
        "/marac/",
    ]


def test_a_partner_agency_starts_at_its_marac_actions_and_is_told_police_lists_are_not_for_it(signed_in: Any) -> None:
    client = signed_in(Role.HOUSING)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/marac/actions/"
    refused = client.get("/cases/")
    assert refused.status_code == 403 and "member of a partner agency" in _text(refused)
    assert _links(refused) == ["/marac/actions/", "/marac/"]
