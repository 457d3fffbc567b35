"""MARAC in the browser: an officer refers from the policy's action, the coordinator circulates
the agenda, the housing officer records research, the coordinator agrees an action that reaches
the housing officer's board, and the minutes download as a PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import sign_in
from tests.marac.world import build_marac, high_risk_case
from tests.pdftext import pdf_text as _pdf_text
from vigil.actions.models import Action
from vigil.marac.models import MaracReferral, PlanAction

pytestmark = pytest.mark.django_db(transaction=True)


def _as(browser: Any, live_server: Any, username: str, width: int = 1280) -> Any:
    page = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True).new_page()
    sign_in(page, live_server.url, username)
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.url
    return page


def test_referral_agenda_research_plan_and_minutes(browser: Any, live_server: Any, artifacts: Path) -> None:
    world = build_marac()
    case = high_risk_case(world.officer)
    action = Action.objects.get(case=case, kind="refer_marac", status="open")
    base = live_server.url

    officer = _as(browser, live_server, "m-officer")
    officer.goto(f"{base}/actions/{action.pk}/")
    officer.click("a:has-text('Refer to MARAC')")
    assert "Visible high risk" in officer.locator("#criteria").inner_text()
    officer.click("button:has-text('Refer to MARAC')")
    assert "Enter why the case is referred" in officer.locator(".govuk-error-summary").inner_text()
    officer.fill("#id_reason", "Strangled her last week; two children at home; he has a new address nearby.")
    officer.click("button:has-text('Refer to MARAC')")
    assert "Referred to MARAC: on the agenda of" in officer.locator(".govuk-notification-banner").inner_text()
    referral = MaracReferral.objects.get(case=case)
    assert referral.meeting == world.meetings[0]
    officer.screenshot(path=str(artifacts / "marac-referral-officer.png"), full_page=True)

    coordinator = _as(browser, live_server, "m-coordinator")
    coordinator.click("nav >> text=MARAC")
    coordinator.click(f"a:has-text('{timezone.localtime(world.meetings[0].held_at):%a %-d %b %Y}')")
    row = coordinator.locator(f"#agenda tr[data-referral='{referral.pk}']")
    assert "Imogen Rusk" in row.inner_text() and "Visible high risk" in row.inner_text()
    coordinator.click("button:has-text('Circulate the agenda')")
    assert "circulated to the agencies" in coordinator.locator(".govuk-notification-banner").inner_text()
    coordinator.screenshot(path=str(artifacts / "marac-agenda.png"), full_page=True)

    housing = _as(browser, live_server, "m-housing")
    housing.click("nav >> text=MARAC")
    housing.click(f"a:has-text('{timezone.localtime(world.meetings[0].held_at):%a %-d %b %Y}')")
    housing.click("#agenda a:has-text('Imogen Rusk')")
    housing.fill("#id_text", "Joint tenancy with the subject; a repairs visit last month found a broken door.")
    housing.click("button:has-text('research')")
    assert "research was recorded" in housing.locator(".govuk-notification-banner").inner_text()
    assert "Northshire Homes" in housing.locator("#research ~ .govuk-summary-card").first.inner_text()

    coordinator.goto(f"{base}/marac/referrals/{referral.pk}/")
    coordinator.fill("#discussion ~ form #id_text", "Agencies agreed the risk is high; the children are known to school.")
    coordinator.click("button:has-text('Record the minutes')")
    coordinator.select_option("#id_owner", label="Hana Holt (Northshire Homes)")
    coordinator.fill("#id_description", "Fit a sanctuary scheme and change the locks.")
    coordinator.fill("#id_due_on", (timezone.localdate() + timezone.timedelta(days=7)).isoformat())
    coordinator.click("button:has-text('Add to the plan')")
    assert "is on Hana Holt's board" in coordinator.locator(".govuk-notification-banner").inner_text()
    coordinator.screenshot(path=str(artifacts / "marac-case-coordinator.png"), full_page=True)
    assert PlanAction.objects.get(referral=referral).owner == world.housing

    housing.click("nav >> text=Your actions")
    board = housing.locator("#marac-actions + .vigil-table-wrap")
    assert "Fit a sanctuary scheme" in board.inner_text() and "Imogen Rusk" in board.inner_text()
    housing.screenshot(path=str(artifacts / "marac-partner-board.png"), full_page=True)
    housing.click("#marac-actions + .vigil-table-wrap a:has-text('Fit a sanctuary scheme')")
    housing.click("a:has-text('Imogen Rusk')")
    with housing.expect_download() as download:
        housing.click("a:has-text('Minutes of this case (PDF)')")
    pdf = Path(download.value.path()).read_bytes()
    text = _pdf_text(pdf)
    assert pdf.startswith(b"%PDF-") and "MARAC minutes" in text and "Fit a sanctuary scheme" in text and "Joint tenancy" in text

    phone = _as(browser, live_server, "m-housing-lead", width=375)
    phone.goto(f"{base}/marac/referrals/{referral.pk}/")
    assert phone.locator("h1").inner_text().startswith("Imogen Rusk")
    phone.screenshot(path=str(artifacts / "marac-case-phone.png"), full_page=True)
