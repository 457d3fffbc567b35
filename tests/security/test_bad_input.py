"""Input that used to end in a server error (issue 14, defect 11) now gets a page, with a clear
error where there is something to correct. Both databases: the NUL byte was PostgreSQL's.
The portal's are in tests/portal/test_bad_input.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.security.world import build_world

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.fixture
def staff() -> tuple[Any, Client]:
    world = build_world()
    client = Client()
    client.force_login(world.user("officer"))
    return world, client


def test_a_nul_byte_in_a_case_search_is_not_a_server_error(staff: tuple[Any, Client]) -> None:
    _world, client = staff
    response = client.get("/cases/", {"q": f"Mar{NUL}yam"})
    assert response.status_code == 200


def test_a_very_long_case_search_is_not_a_server_error(staff: tuple[Any, Client]) -> None:
    _world, client = staff
    response = client.get("/cases/", {"q": "a" * 50_000})
    assert response.status_code == 200


def test_a_date_far_in_the_future_gets_a_clear_error(staff: tuple[Any, Client]) -> None:
    world, client = staff
    response = client.get(f"/cases/{world.case.pk}/", {"to": "9999-12-31"})
    assert response.status_code == 200
    assert "To date must be between 1900 and 2999" in response.content.decode()
    for fmt in ("csv", "pdf"):
        assert client.get(f"/cases/{world.case.pk}/chronology.{fmt}", {"to": "9999-12-31"}).status_code == 200


def test_a_huge_board_page_number_shows_the_last_page(staff: tuple[Any, Client]) -> None:
    _world, client = staff
    response = client.get("/board/", {"page": "999999999999999999"})
    assert response.status_code == 200
    assert client.get("/board/", {"page": "9" * 400}).status_code == 200
