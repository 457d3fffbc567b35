"""The portal in a real browser: axe-core on every page, a keyboard-only report, and the
quick exit leaving no portal page behind in the back history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_problems
from tests.conftest import PASSWORD  # noqa: F401 (the officer fixture's password)
from tests.portal.conftest import World, build_world, issue, seed_helplines
from vigil.cases.models import Sighting
from vigil.portal.constants import AccessMethod
from vigil.portal.models import PortalSubmission, ReportingAccess

pytestmark = pytest.mark.django_db(transaction=True)

NEUTRAL = "https://www.bbc.co.uk/weather"
START = "https://start.example/"


@pytest.fixture
def portal(officer: Any, live_bridge: Any) -> World:
    live_bridge.on = False  # the portal's pages, not what the engine makes of a sighting
    seed_helplines()
    return build_world(officer)


def _offline_sites(target: Any) -> None:
    """The neutral site and a starting page, answered by the browser itself: nothing is fetched."""
    target.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(body="<title>Weather</title><h1>Weather</h1>"))
    target.route(START, lambda route: route.fulfill(body="<title>Start</title><p>Somewhere else</p>"))


@pytest.fixture
def watched(page: Any) -> Iterator[tuple[Any, list[str]]]:
    """The page, with every script error and console error (a CSP refusal shows up here)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    _offline_sites(page)
    yield page, problems


def _ready(page: Any) -> None:
    """Wait for the portal's script, so a click is handled by it rather than by the browser alone."""
    page.wait_for_selector("html[data-portal-ready]", state="attached")


def _sign_in(page: Any, base: str, reference: str, pin: str) -> None:
    page.goto(f"{base}/report")
    page.fill("#id_reference", reference)
    page.fill("#id_pin", pin)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/report/what-happened")


def test_axe_finds_no_serious_or_critical_problem_on_any_portal_page(
    browser: Any, live_server: Any, portal: World, officer: Any, artifacts: Path
) -> None:
    # axe is injected as a script tag, which the pages' CSP would (rightly) refuse.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    _offline_sites(page)
    base = live_server.url
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(artifacts / f"portal-{name}.png"), full_page=True)
        found[name] = axe_problems(page)

    page.goto(f"{base}/help")
    check("help")
    page.goto(f"{base}/help?q=nothing-matches-this")
    check("help-no-results")
    page.goto(f"{base}/report")
    check("sign-in")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    check("sign-in-errors")
    issued = issue(officer, portal)
    _sign_in(page, base, issued.reference, issued.pin)
    page.wait_for_selector(".leaflet-container", state="attached")
    check("report-form")
    page.click("main form button[type=submit]:has-text('Send report')")
    page.wait_for_selector(".govuk-error-summary")
    check("report-form-errors")
    page.check("#id_kind_0")
    page.check("input[name=place][value=elsewhere]")
    page.wait_for_selector(".leaflet-container")
    check("report-form-somewhere-else")
    page.fill("#id_where", "Outside the library")
    page.check("#id_seen_by_0")
    page.click("main form button[type=submit]:has-text('Send report')")
    page.wait_for_url(f"{base}/report/sent")
    check("receipt")
    link = issue(officer, portal, method=AccessMethod.LINK)
    page.goto(f"{base}/report/link/{link.link_token}/")
    check("link-start")
    ReportingAccess.objects.filter(pk=link.access.pk).update(
        issued_at=timezone.now() - dt.timedelta(days=9), expires_at=timezone.now() - dt.timedelta(days=1)
    )
    page.goto(f"{base}/report/link/{link.link_token}/")
    assert "This link has expired" in page.locator("main").inner_text()
    check("expired-link")
    context.close()
    assert found and not any(found.values()), found


def test_the_report_can_be_made_with_the_keyboard_alone(
    watched: tuple[Any, list[str]], live_server: Any, portal: World, officer: Any
) -> None:
    page, problems = watched
    base = live_server.url
    issued = issue(officer, portal)

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"could not reach {selector} with the Tab key")

    page.goto(f"{base}/report")
    tab_to("#id_reference")
    page.keyboard.type(issued.reference)
    tab_to("#id_pin")
    page.keyboard.type(issued.pin)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/report/what-happened")
    page.wait_for_selector(".leaflet-container", state="attached")

    tab_to("#id_kind_0")
    page.keyboard.press("Space")
    tab_to("input[name=place]")
    while not page.evaluate("document.activeElement.value === 'elsewhere'"):
        page.keyboard.press("ArrowDown")  # a radio group is one tab stop; the arrows move through it
    tab_to("#id_where")
    page.keyboard.type("Corner of Mill Lane and the high street")
    tab_to("[data-map-centre]")
    page.keyboard.press("Enter")
    assert page.input_value("#id_lat") != "" and page.input_value("#id_lon") != ""
    assert "You picked a place on the map" in page.locator("#portal-map-picked").inner_text()
    tab_to("#id_seen_by_0")
    page.keyboard.press("Space")
    tab_to("main form button[type=submit]:not([data-map-centre])")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/report/sent")
    receipt = page.locator("[data-portal-receipt]").inner_text()

    submission = PortalSubmission.objects.get(reference=receipt)
    assert submission.lat == pytest.approx(51.5074, abs=1e-3) and submission.lon == pytest.approx(-0.1278, abs=1e-3)
    sighting = Sighting.objects.get()
    assert "Corner of Mill Lane" in sighting.summary
    assert not problems, problems


def test_quick_exit_replaces_the_page_and_leaves_no_portal_page_to_go_back_to(
    watched: tuple[Any, list[str]], live_server: Any, portal: World, officer: Any
) -> None:
    page, problems = watched
    base = live_server.url
    issued = issue(officer, portal)
    page.goto(START)
    page.goto(f"{base}/help")
    _ready(page)
    entries = page.evaluate("history.length")
    page.click("main a.govuk-button[href='/report']")
    page.wait_for_url(f"{base}/report")
    _ready(page)
    page.fill("#id_reference", issued.reference)
    page.fill("#id_pin", issued.pin)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/report/what-happened")
    _ready(page)
    assert page.evaluate("history.length") == entries  # each step replaced the one before

    page.click("[data-portal-exit]")
    page.wait_for_url(NEUTRAL)
    assert page.title() == "Weather"
    page.go_back()
    page.wait_for_load_state()
    assert page.url == START
    assert not page.url.startswith(base)
    assert not problems, problems


def test_pressing_shift_three_times_leaves_the_page(watched: tuple[Any, list[str]], live_server: Any, portal: World) -> None:
    page, problems = watched
    page.goto(START)
    page.goto(f"{live_server.url}/help")
    _ready(page)
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL)
    page.go_back()
    page.wait_for_load_state()
    assert page.url == START
    assert not problems, problems


def test_the_help_page_and_report_work_without_javascript(browser: Any, live_server: Any, portal: World, officer: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _offline_sites(page)
    base = live_server.url
    page.goto(f"{base}/help")
    page.fill("#q", "stalking")
    page.click("form[role=search] button")
    assert "National Stalking Helpline" in page.locator("main").inner_text()
    assert "Men's Advice Line" not in page.locator("main").inner_text()
    issued = issue(officer, portal)
    _sign_in(page, base, issued.reference, issued.pin)
    assert page.locator("[data-portal-map]").is_hidden()
    page.check("#id_kind_1")
    page.check("#id_channel_1")
    page.check("input[name=place][value=elsewhere]")
    page.fill("#id_where", "Outside the station")
    page.fill("#id_postcode", "SW1A 1AA")
    page.check("#id_seen_by_0")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/report/sent")
    assert PortalSubmission.objects.get().channel == "message"
    page.click("[data-portal-exit]")
    page.wait_for_url(NEUTRAL)
    context.close()
