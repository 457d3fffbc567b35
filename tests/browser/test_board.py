from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.actions.builders import assessed, complete_all_but, of_kind, warranted
from tests.browser.conftest import sign_in
from tests.factories import PersonFactory, PlaceFactory
from vigil.actions.models import Action
from vigil.cases.services import case_open, sighting_record
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus, SignOff

pytestmark = pytest.mark.django_db(transaction=True)
DAYS = dt.timedelta(days=1)


@pytest.fixture
def force(officer: Any, supervisor: Any) -> dict[str, Any]:
    """A high-risk case whose warrant has sat with one officer for twenty days and whose subject
    was seen near the victim's home yesterday: the engine made the actions from the facts (a
    DASH, the warrant, the sighting), and the officer did all but the warrant. The live server
    runs on the real clock, so the facts are placed relative to it."""
    home = PlaceFactory(lat=53.8, lon=-1.55)
    subject = PersonFactory(full_name="Keith Lomax")
    case = case_open(
        actor=officer, victim=PersonFactory(full_name="Nadia Brennan", home=home), subject=subject, team=officer.team
    )
    assessed(case, actor=officer, ago=21 * DAYS)
    warrant = of_kind(warranted(case, actor=officer, ago=20 * DAYS, reference="W-2025-0117"), ActionKind.EXECUTE_WARRANT)
    sighting_record(actor=officer, subject=subject, reported_at=times.now() - DAYS, lat=53.8015, lon=-1.55)
    complete_all_but(case, warrant, actor=officer)
    warrant.refresh_from_db()
    assert warrant.level == 4 and warrant.status == ActionStatus.OPEN
    return {"case": case, "warrant": warrant}


def test_supervisor_board_and_warrant_board(page: Any, live_server: Any, force: dict[str, Any], artifacts: Path) -> None:
    sign_in(page, live_server.url, "supervisor")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Action board"
    first = page.locator("#board tbody tr").first
    assert first.get_attribute("data-action") == str(force["warrant"].pk)
    # The sighting a day ago made the twenty-day-old warrant immediate, due 4 hours after it (R6).
    assert "overdue by 20 hours" in first.inner_text() and "Execute the warrant" in first.inner_text()
    assert "Immediate priority" in first.inner_text()
    page.screenshot(path=str(artifacts / "board-supervisor.png"), full_page=True)

    # The filter works as a plain GET form, behind its toggle.
    page.click(".moj-action-bar__filter button:has-text('Show filter')")
    page.check("#kind-execute_warrant")
    page.click("button:has-text('Apply filters')")
    assert "kind=execute_warrant" in page.url
    assert page.locator("#board tbody tr").count() == 1

    # With JavaScript, the results refresh in place.
    page.wait_for_function("document.getElementById('board-results').dataset.refreshReady === 'true'")
    Action.objects.filter(pk=force["warrant"].pk).update(status=ActionStatus.DONE, closed_at=times.now())
    # Not while someone is working in the table: focus stays where it is, the row stays.
    page.focus("#board tbody tr[data-action] a")
    page.evaluate("window.vigilBoardRefresh()")
    assert page.locator("#board tbody tr[data-action]").count() == 1
    assert page.evaluate("document.activeElement.closest('#board') !== null")
    page.evaluate("document.activeElement.blur()")
    page.evaluate("window.vigilBoardRefresh()")
    page.wait_for_function("document.querySelectorAll('#board tbody tr[data-action]').length === 0")
    assert page.locator("#board-refresh-status").inner_text().startswith("The board was updated at")

    page.click("text=Warrant board")
    assert page.locator("h1").inner_text() == "Warrant board"
    row = page.locator("#warrants tbody tr").first
    assert row.get_attribute("data-warrant") == "W-2025-0117"
    assert "Within 500 m of a victim" in row.inner_text()
    page.screenshot(path=str(artifacts / "warrant-board.png"), full_page=True)
    assert (artifacts / "warrant-board.png").stat().st_size > 10_000


def test_an_officer_declines_from_the_board(page: Any, live_server: Any, force: dict[str, Any], artifacts: Path) -> None:
    sign_in(page, live_server.url, "officer")
    page.wait_for_url(f"{live_server.url}/")
    page.click(f"#board tr[data-action='{force['warrant'].pk}'] a:has-text('Execute the warrant')")
    assert page.locator("h1").inner_text() == "Execute the warrant"

    page.click("button:has-text('Decline with this reason')")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "Explain why this action will not be done" in summary.inner_text()
    page.screenshot(path=str(artifacts / "decline-refused.png"), full_page=True)

    page.fill("#id_rationale", "Subject was arrested by a neighbouring force last night; the warrant is executed there.")
    page.click("button:has-text('Decline with this reason')")
    page.wait_for_url(f"{live_server.url}/**")
    assert page.locator("h1").inner_text() == "Action board"
    assert "recorded as declined" in page.locator(".govuk-notification-banner").inner_text()
    page.screenshot(path=str(artifacts / "decline-done.png"), full_page=True)
    action = Action.objects.get(pk=force["warrant"].pk)
    assert action.status == ActionStatus.DECLINED and action.signoff == SignOff.AWAITING


def test_the_board_on_a_phone_keeps_the_filter_in_the_flow_and_the_rows_reachable(
    browser: Any, live_server: Any, force: dict[str, Any], artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "supervisor")
        page.wait_for_url(f"{live_server.url}/")
        assert page.evaluate("document.body.classList.contains('js-enabled')")
        page.click(".moj-action-bar__filter button:has-text('Show filter')")
        position = page.evaluate("getComputedStyle(document.querySelector('.moj-filter-layout__filter')).position")
        assert position == "static"
        row = page.locator("#board tbody tr").first
        row.scroll_into_view_if_needed()
        box = row.bounding_box()
        assert box is not None
        # What is drawn at the middle of the first row is the row itself, not a panel over it.
        hit = page.evaluate(
            "([x, y]) => !!document.elementFromPoint(x, y).closest('#board')", [box["x"] + box["width"] / 2, box["y"] + 5]
        )
        assert hit
        # Each row is a card as wide as the screen: every part of it is there without
        # scrolling sideways, the level and the owner included.
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        text = row.inner_text()
        assert "overdue by 20 hours" in text and "Escalation level 4: superintendent" in text and "With" in text
        page.screenshot(path=str(artifacts / "board-phone.png"), full_page=True)
    finally:
        context.close()


def test_on_a_small_phone_the_first_action_is_on_the_first_screen(
    browser: Any, live_server: Any, force: dict[str, Any], artifacts: Path
) -> None:
    """Issue 12 item 8: at 375 x 667 the first action is whole without scrolling past the
    navigation or the filter."""
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "supervisor")
        page.wait_for_url(f"{live_server.url}/")
        assert page.evaluate("window.scrollY") == 0
        page.screenshot(path=str(artifacts / "board-phone-first-screen.png"))
        row = page.locator("#board tbody tr").first
        box = row.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= 667, box
        assert "Execute the warrant" in row.inner_text()
    finally:
        context.close()
