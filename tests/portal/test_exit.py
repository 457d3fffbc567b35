"""'Exit this page' ends the report in progress (issue 14, defect 8): typing the form's
address afterwards must not reopen it, nor show the receipt."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.portal.conftest import World, issue, report_data, sign_in


def test_exit_ends_a_report_in_progress(world: World, officer: Any) -> None:
    client = Client()
    sign_in(client, issue(officer, world))
    assert client.get("/report/what-happened").status_code == 200
    response = client.get("/report/exit")
    assert response.status_code == 302 and response["Location"] == "https://www.bbc.co.uk/weather"
    again = client.get("/report/what-happened")
    assert again.status_code == 302 and again["Location"] == "/report"


def test_exit_after_sending_forgets_the_receipt(world: World, officer: Any) -> None:
    client = Client()
    sign_in(client, issue(officer, world))
    assert client.post("/report/what-happened", report_data(client)).status_code == 302
    assert client.get("/report/sent").status_code == 200
    # What the page's script sends: a beacon (POST), then it leaves for the neutral site.
    assert client.post("/report/exit", HTTP_SEC_FETCH_SITE="same-origin").status_code == 204
    response = client.get("/report/sent")
    assert response.status_code == 302 and response["Location"] == "/report"


def test_another_site_cannot_end_a_report_in_progress(world: World, officer: Any) -> None:
    client = Client()
    sign_in(client, issue(officer, world))
    client.get("/report/exit", HTTP_SEC_FETCH_SITE="cross-site")
    assert client.get("/report/what-happened").status_code == 200
