"""The IDVA's caseload in the browser: an officer refers a victim with her consent, the adviser
finds her at the top of their caseload, records a contact (a contact must say how they spoke)
and sends a concern, and the police board shows the supervisor review R14 asks for.
On a 375 px phone the adviser's pages do not scroll sideways and axe finds nothing serious."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_problems, sign_in
from tests.factories import PersonFactory, TeamFactory, UserFactory
from vigil.actions.models import Action
from vigil.cases.services import case_open, report_record
from vigil.core.constants import Role
from vigil.idva.models import CaseworkEntry, IdvaReferral
from vigil.partners.models import Agency, AgencyMember

pytestmark = pytest.mark.django_db(transaction=True)


def _as(browser: Any, live_server: Any, username: str, width: int = 1280) -> Any:
    page = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
    sign_in(page, live_server.url, username)
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.url
    return page


def test_referral_caseload_contact_and_concern(browser: Any, live_server: Any, artifacts: Path) -> None:
    officer = UserFactory(username="i-officer", role=Role.OFFICER, team=TeamFactory(), first_name="Priya", last_name="Shah")
    service = Agency.objects.create(name="Northshire IDVA Service", kind="idva")
    adviser = UserFactory(username="i-idva", role=Role.IDVA, team=None, first_name="Jo", last_name="Marsh")
    AgencyMember.objects.create(user=adviser, agency=service)
    case = case_open(
        actor=officer, victim=PersonFactory(full_name="Carys Pengelly"), subject=PersonFactory(full_name="Dominic Treloar"),
        team=officer.team, allocate=[officer],
    )  # fmt: skip
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=timezone.now() - dt.timedelta(hours=3))
    base = live_server.url

    police = _as(browser, live_server, "i-officer")
    police.goto(f"{base}/cases/{case.pk}/")
    police.click("a:has-text('Refer to an IDVA')")
    police.select_option("#id_idva", label="Jo Marsh (Northshire IDVA Service)")
    police.check("#id_consent_how-2")  # by phone
    police.fill("#id_consent_note", "Calls to her mobile after 6pm only")
    police.click("button:has-text('Refer')")
    assert "Refer only with the victim's consent" in police.locator(".govuk-error-summary").inner_text()
    assert not IdvaReferral.objects.exists()
    police.check("#id_consent_given")
    police.click("button:has-text('Refer')")
    assert "with the victim's consent" in police.locator(".govuk-notification-banner").inner_text()
    referral = IdvaReferral.objects.get()

    idva = _as(browser, live_server, "i-idva")
    assert idva.url.endswith("/idva/"), idva.url  # the adviser lands on the caseload
    row = idva.locator(f"#caseload tr[data-referral='{referral.pk}']")
    assert "Carys Pengelly" in row.inner_text() and "Not yet" in row.inner_text()
    row.locator("a").click()
    assert "Calls to her mobile after 6pm only" in idva.locator("#consent").inner_text()
    idva.check("input[name=kind][value=contact]")
    idva.fill("#id_text", "First call. She wants help with housing and to understand the court process.")
    idva.click("button:has-text('Record')")
    assert "Select how you were in contact" in idva.locator(".govuk-error-summary").inner_text()
    idva.check("input[name=channel][value=phone]")
    idva.click("button:has-text('Record')")
    assert "First call." in idva.locator("#casework ~ .govuk-summary-card").first.inner_text()
    assert CaseworkEntry.objects.get().channel == "phone"
    idva.fill("#id_concern", "He has found out where she is staying and drove past twice this week.")
    idva.click("button:has-text('Send the concern to the police')")
    assert "a supervisor is asked to review" in idva.locator(".govuk-notification-banner").inner_text()
    idva.screenshot(path=str(artifacts / "idva-referral-1280.png"), full_page=True)

    review = Action.objects.get(case=case, rule="R14")
    police.goto(f"{base}/")
    card = police.locator(f"[data-action='{review.pk}']")
    assert "Supervisor review" in card.inner_text()

    phone = idva  # the same signed-in adviser on a phone's width (a second sign-in would reuse the code)
    phone.set_viewport_size({"width": 375, "height": 800})
    for path in ("/idva/", f"/idva/referrals/{referral.pk}/"):
        phone.goto(base + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, path
        assert axe_problems(phone) == [], path
    phone.screenshot(path=str(artifacts / "idva-referral-375.png"), full_page=True)
