"""Portal input that used to end in a server error (issue 14, defect 11)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.portal.conftest import World, issue, report_data, sign_in


def test_a_nul_byte_in_the_help_search_is_not_a_server_error(helplines: None) -> None:
    for response in (Client().get("/help", {"q": "stalk\x00ing"}), Client().post("/help", {"q": "\x00"})):
        assert response.status_code == 200


@pytest.mark.parametrize("field", ["day", "month", "year"])
def test_a_twenty_digit_date_on_the_portal_form_gets_a_clear_error(field: str, world: World, officer: Any) -> None:
    client = Client()
    sign_in(client, issue(officer, world))
    response = client.post("/report/what-happened", report_data(client, **{field: "9" * 20}))
    assert response.status_code == 400
    assert "That date does not exist" in response.content.decode()
