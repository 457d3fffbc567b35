"""An officer executes a warrant from its action page by recording the arrest (issue 12 item 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.timeline.helpers import scenario
from vigil.actions.models import Action
from vigil.core.constants import ActionKind, ActionStatus
from vigil.timeline.importer import import_timeline
from vigil.warrants.models import Warrant

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_records_the_arrest_on_the_warrant(browser: Any, live_server: Any, officer: Any, artifacts: Path) -> None:
    import_timeline(scenario("warrant-left-unexecuted"), actor=officer)
    action = Action.objects.get(kind=ActionKind.EXECUTE_WARRANT, status=ActionStatus.OPEN)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "officer")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/actions/{action.pk}/")
        assert page.locator("h2:has-text('Record the arrest')").is_visible()
        assert page.input_value("#id_arrested_by") == str(officer)
        page.screenshot(path=str(artifacts / "arrest-form-1280.png"), full_page=True)
        page.set_viewport_size({"width": 375, "height": 667})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=str(artifacts / "arrest-form-375.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        page.fill("#id_arrested_by", "PC 4471 Okafor")
        page.click("button:has-text('Record the arrest')")
        summary = page.locator(".govuk-error-summary")
        assert "Enter the custody reference" in summary.inner_text()
        page.screenshot(path=str(artifacts / "arrest-refused.png"), full_page=True)
        page.fill("#id_custody_reference", "01/004512/26")
        page.click("button:has-text('Record the arrest')")
        page.wait_for_url(f"{live_server.url}/cases/**")
        assert (
            "The arrest is recorded (custody reference 01/004512/26)" in page.locator(".govuk-notification-banner").inner_text()
        )
    finally:
        context.close()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert Warrant.objects.get().custody_reference == "01/004512/26"
