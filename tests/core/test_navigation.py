"""The primary navigation offers each role only the pages it may open, and marks the current one."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import UserFactory
from vigil.core.constants import Role

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<a class="moj-primary-navigation__link" href="([^"]+)"( aria-current="page")?>([^<]+)</a>')


def navigation(client: Client, path: str) -> list[tuple[str, bool, str]]:
    response = client.get(path)
    assert response.status_code == 200
    return [(href, bool(current), html.unescape(label)) for href, current, label in NAV.findall(response.content.decode())]


def test_an_officer_sees_the_boards_cases_and_the_matches_to_review(client: Client, officer: Any, otp_login: Any) -> None:
    otp_login(client, officer)
    items = navigation(client, "/warrants/")
    labels = [label for _, _, label in items]
    assert labels == ["Action board", "Cases", "Warrants", "Clare's Law", "Possible matches", "Portal reports", "MARAC"]
    assert [label for _, current, label in items if current] == ["Warrants"]
    for href, _, _ in items:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.IDVA, ["Your caseload", "Cases", "Clare's Law", "MARAC"]),
        (Role.ANALYST, ["Cases (pseudonymised)"]),
        (Role.HOUSING, ["Your actions", "MARAC"]),
        (Role.MARAC_COORDINATOR, ["Your actions", "MARAC"]),
    ],
)
def test_other_roles_are_not_offered_pages_they_cannot_open(
    client: Client, team: Any, otp_login: Any, role: str, expected: list[str]
) -> None:
    user = UserFactory(username=f"nav-{role}", role=role, team=team)
    otp_login(client, user)
    start = {Role.ANALYST: "/analyst/cases/", Role.HOUSING: "/marac/", Role.MARAC_COORDINATOR: "/marac/"}.get(role, "/cases/")
    items = navigation(client, start)
    assert [label for _, _, label in items] == expected
    for href, _, _ in items:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("template_name", ["includes/pagination.html", "actions/includes/board_pagination.html"])
def test_page_links_keep_every_filter_value(template_name: str) -> None:
    """A board filtered on three kinds pages through the same three kinds."""
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/", {"status": "all", "kind": ["review_risk", "refer_marac", "database_checks"], "page": "2"})
    page = Paginator(list(range(100)), 25).page(2)
    body = render_to_string(template_name, {"page": page, "request": request})
    for number in (1, 3):
        assert f'href="?status=all&amp;kind=review_risk&amp;kind=refer_marac&amp;kind=database_checks&amp;page={number}"' in body
