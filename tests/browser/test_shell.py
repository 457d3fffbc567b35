from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.factories import PersonFactory
from vigil.cases.services import case_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_open_a_case_and_see_a_form_error(page: Any, live_server: Any, officer: Any, artifacts: Path) -> None:
    case = case_open(
        actor=officer,
        victim=PersonFactory(full_name="Nadia Brennan"),
        subject=PersonFactory(full_name="Keith Lomax"),
        team=officer.team,
    )

    sign_in(page, live_server.url, "officer")
    page.wait_for_url(f"{live_server.url}/")
    page.click("nav >> text=Cases")
    assert page.locator("h1").inner_text() == "Cases"

    page.click(f"text={case.reference}")
    assert "Nadia Brennan and Keith Lomax" in page.locator("h1").inner_text()
    # GOV.UK Frontend's stylesheet and fonts are served by Django, not a CDN.
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font

    page.click("text=Record something that happened")
    page.click("text=Record a report")
    page.click("button:has-text('Record the report')")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "kind of report" in summary.inner_text()
    assert page.title().startswith("Error:")
    page.screenshot(path=str(artifacts / "report-form-error.png"), full_page=True)
    assert (artifacts / "report-form-error.png").stat().st_size > 10_000


def test_wrong_password_is_refused_with_an_error_summary(page: Any, live_server: Any, officer: Any) -> None:
    sign_in(page, live_server.url, "officer", password="not the password")
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.url.endswith("/login/")
