"""Stored text is rendered escaped: a <script> in a narrative never runs. Signing in needs the code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.factories import PersonFactory
from vigil.cases.models import Case, CaseAccess, Report

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD = '<script>window.__vigilXss = 1</script><img src="x" onerror="window.__vigilXss = 2">He waited outside.'


def test_a_script_in_a_narrative_does_not_execute(page: Any, live_server: Any, officer: Any) -> None:
    victim, subject = PersonFactory(full_name="Nadia Example"), PersonFactory(full_name="Keith Example")
    case = Case.objects.create(reference="VG-XSS-1", victim=victim, subject=subject, team=officer.team, created_at=timezone.now())
    CaseAccess.objects.create(case=case, user=officer, granted_at=timezone.now())
    Report.objects.create(
        case=case,
        category="stalking",
        reported_at=timezone.now() - dt.timedelta(hours=2),
        victim_record=victim,
        summary=PAYLOAD,
        recorded_at=timezone.now(),
    )
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__vigilXss") is None
    # The narrative is shown as text, markup and all.
    assert "<script>window.__vigilXss = 1</script>" in page.locator("main").inner_text()
    assert page.locator("main script").count() == 0
    assert page.locator("main img[src=x]").count() == 0
    # GOV.UK Frontend still ran (our module script is allowed by the CSP).
    assert "js-enabled" in (page.locator("body").get_attribute("class") or "")
    assert not violations, violations


def test_the_password_alone_does_not_sign_in(page: Any, live_server: Any, officer: Any) -> None:
    from vigil.core.otp import code_for_seed, ensure_demo_totp

    seed = ensure_demo_totp(officer)
    wrong = f"{(int(code_for_seed(seed)) + 500_000) % 1_000_000:06d}"
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/code/**")
    page.goto(f"{live_server.url}/cases/")
    assert "/login/code/" in page.url
    page.fill("#id_code", wrong)
    page.click("main form:has(#id_code) button[type=submit]")
    assert "The code is not right" in page.locator(".govuk-error-summary").inner_text()
    page.wait_for_timeout(1500)  # django-otp makes the device wait a second after a wrong code
    page.fill("#id_code", code_for_seed(seed))
    page.click("main form:has(#id_code) button[type=submit]")
    page.wait_for_url(f"{live_server.url}/cases/")
