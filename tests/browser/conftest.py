"""Browser tests: Python Playwright driving Debian's chromium (Playwright's own download fails here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.clock import frozen_clock  # noqa: F401 (a fixture: the clock the live server reads)
from tests.conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("VIGIL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls are
# still synchronous, so Django's async-safety guard has to be told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real pages: password, then the TOTP code from the user's authenticator.

    The user is given a fixed demo seed (if they exist), so the helper can work out the code."""
    from vigil.core.models import User
    from vigil.core.otp import code_for_seed, ensure_demo_totp

    user = User.objects.filter(username=username).first()
    seed = ensure_demo_totp(user) if user is not None else ""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if "/login/code/" in page.url and seed:
        page.fill("#id_code", code_for_seed(seed))
        with page.expect_navigation():
            page.click("main form:has(#id_code) button[type=submit]")


def axe_problems(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now. The context needs
    bypass_csp=True: axe is injected as a script tag, which the pages' CSP (rightly) refuses."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in violations if v["impact"] in ("serious", "critical")]
