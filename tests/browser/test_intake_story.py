"""The seed's story, entered through the officer's pages alone, against the live database.

The public scenario `warrant-left-unexecuted` (../shared/scenarios/) is typed in as an
officer would: open the case (the victim, her ex-husband, her son, the first report), the
DASH, the interim stalking protection order with its 200 m zone, the alarm, the son's three
sightings, the breach, the arrest, the charge, the release on bail, the court's
non-appearance and the warrant. The clock the live server reads is frozen at each event's
time. At the end, at the scenario's `replay_until`, the action board shows the same open
actions, with the same due times, priorities and escalation levels, as `vigil replay` of the
file computes at that moment (run here, not copied in).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.browser.clock import FrozenClock
from tests.timeline.helpers import scenario
from vigil.actions.escalation import escalate_due
from vigil.cases.models import Case
from vigil.core.constants import ActionKind, Priority

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")


def _scenario() -> dict[str, Any]:
    path = scenario("warrant-left-unexecuted")
    return dict(json.loads(path.read_text()), path=str(path))


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def _signed_in(page: Any, base_url: str, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


def _date(page: Any, prefix: str, moment: dt.date) -> None:
    page.fill(f"#id_{prefix}_day", str(moment.day))
    page.fill(f"#id_{prefix}_month", str(moment.month))
    page.fill(f"#id_{prefix}_year", str(moment.year))


def _submit(page: Any, text: str) -> None:
    with page.expect_navigation():
        page.click(f"main button:has-text('{text}')")
    errors = page.locator(".govuk-error-summary")
    assert errors.count() == 0, errors.inner_text()


def _record(page: Any, base: str, case: Case, title: str) -> None:
    page.goto(f"{base}/cases/{case.pk}/record/")
    with page.expect_navigation():
        page.click(f"main a:has-text('{title}')")


def _saved(page: Any, words: str) -> None:
    assert words in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator("#policy-outcome").count() == 1  # what the policy did, said on the case page


@pytest.fixture
def gazetteer(tmp_path: Path) -> None:
    """Two invented postcodes at the scenario's homes, loaded through the real command."""
    story = _scenario()
    places = {p["ref"]: p for p in story["places"]}
    path = tmp_path / "postcodes.csv"
    path.write_text(
        "postcode,latitude,longitude\n"
        f"VG1 1AA,{places['H1']['lat']},{places['H1']['lon']}\n"
        f"VG1 2BB,{places['H2']['lat']},{places['H2']['lon']}\n"
    )
    call_command("gazetteer", "load", str(path))


def _open_the_case(page: Any, base: str, story: dict[str, Any]) -> None:
    people = {p["ref"]: p for p in story["people"]}
    victim, suspect, son = people["V1"], people["P1"], people["S1"]
    report = story["events"][0]
    relationships = {(r["a"], r["b"]): r for r in story["relationships"]}

    page.goto(f"{base}/cases/new/")
    with page.expect_navigation():
        page.click("main button.govuk-button--start")
    page.fill("#id_person-full_name", victim["name"])
    _date(page, "person-born", dt.date.fromisoformat(victim["born"]))
    page.check("#id_person-sex_0")  # female
    page.fill("#id_home-address", "14 Mill Lane")
    page.fill("#id_home-postcode", "vg1 1aa")
    page.screenshot(path=str(Path(settings.BASE_DIR) / "var" / "test-artifacts" / "story-victim.png"), full_page=True)
    _submit(page, "Save and continue")

    page.check("#id_known-known_0")
    page.fill("#id_person-full_name", suspect["name"])
    page.fill("#id_person-aliases", ", ".join(suspect["aliases"]))
    _date(page, "person-born", dt.date.fromisoformat(suspect["born"]))
    page.check("#id_person-sex_1")  # male
    page.fill("#id_home-address", "3 Elm Road")
    page.fill("#id_home-postcode", "VG1 2BB")
    ex = relationships["V1", "P1"]
    page.select_option("#id_rel-kind", ex["kind"])
    _date(page, "rel-since", dt.date.fromisoformat(ex["since"]))
    _date(page, "rel-until", dt.date.fromisoformat(ex["until"]))
    _submit(page, "Save and continue")

    page.fill("#id_member-full_name", son["name"])
    _date(page, "member-born", dt.date.fromisoformat(son["born"]))
    page.check("#id_member-sex_1")
    page.check("#id_member-lives_with_0")  # with the victim
    _submit(page, "Add this person")
    _submit(page, "Continue")

    page.select_option("#id_category", report["category"])
    assert page.input_value("#id_told_time") == "18:40"  # filled in with the frozen now
    page.check('label:has-text("At the victim\'s home")')
    page.check(f"label:has-text('The victim, {victim['name']}')")
    page.fill("#id_summary", report["summary"])
    _submit(page, "Save and continue")
    assert "Check your answers" in page.locator("h1").inner_text()
    _submit(page, "Open the case")
    _saved(page, "is open and the first report is recorded")


def _dash(page: Any, base: str, case: Case, event: dict[str, Any]) -> None:
    from vigil.risk.catalogue import all_instruments

    page.goto(f"{base}/cases/{case.pk}/")
    with page.expect_navigation():
        page.click("main a:has-text('Assess the risk')")
    page.check("label:has-text('DASH risk checklist')")
    _submit(page, "Start")
    for section in all_instruments()["dash"].sections:
        for question in section.questions:
            answer = event["answers"].get(str(question.number))
            value = "yes" if answer else "no" if answer is False else "not_known"
            page.check(f"#q{question.number}" if value == "yes" else f"#q{question.number}-{value}")
        _submit(page, "Save and continue")
    page.check(f"#officer_level-{event['officer_level']}")
    page.fill("#officer_rationale", "The victim describes the stalking as constant but has not been physically hurt this year.")
    _submit(page, "Submit the assessment")


def _where(page: Any, label: str) -> None:
    page.check(f"fieldset:has(legend:has-text('Where')) label:has-text(\"{label}\")")


def test_the_seed_story_entered_through_the_pages_gives_the_board_replay_gives(
    page: Any,
    live_server: Any,
    officer: Any,
    frozen_clock: FrozenClock,
    gazetteer: None,
    artifacts: Path,
) -> None:
    story = _scenario()
    base = live_server.url
    _signed_in(page, base, officer)
    events = sorted(story["events"], key=lambda e: e["at"])
    case: Case | None = None
    sightings = 0
    for event in events:
        frozen_clock.set(_at(event["at"]))
        kind = event["type"]
        if kind == "report":
            _open_the_case(page, base, story)
            case = Case.objects.get()
            continue
        assert case is not None
        if kind == "risk_assessment":
            _dash(page, base, case, event)
        elif kind == "order_granted":
            _record(page, base, case, "Record an order granted")
            page.fill("#id_reference", "ISPO-0142")
            page.select_option("#id_order_type", event["order_type"])
            expires = _at(event["expires"])
            _date(page, "expires", expires.date())
            page.fill("#id_expires_time", expires.strftime("%H:%M"))
            page.check("#id_no_contact")
            page.check("#id_exclusion")
            zone = next(c for c in event["conditions"] if c["kind"] == "exclusion_zone")
            page.check("fieldset:has(legend:has-text('Around which place')) label:has-text(\"Samira Haddou's home\")")
            page.fill("#id_radius_m", str(zone["radius_m"]))
            page.screenshot(path=str(artifacts / "story-order.png"), full_page=True)
            _submit(page, "Record the order")
            _saved(page, "The order ISPO-0142 was recorded.")
        elif kind == "alarm_fitted":
            _record(page, base, case, "Record an alarm fitted")
            _submit(page, "Record the alarm")
        elif kind == "sighting":
            _record(page, base, case, "Record a sighting")
            page.check("fieldset:has(legend:has-text('Near whom')) label:has-text('Samira Haddou')")
            if sightings == 0:
                corner = next(p for p in story["places"] if p["ref"] == event["place"])
                _where(page, "Somewhere else")
                page.fill("#id_place-address", "street corner outside the victim's home")
                page.fill("#id_place-coordinates", f"{corner['lat']}, {corner['lon']}")
            else:
                _where(page, "street corner outside the victim's home")
            page.check("fieldset:has(legend:has-text('Who told the police')) label:has-text('Idris Haddou')")
            _submit(page, "Record the sighting")
            _saved(page, "The sighting was recorded.")
            sightings += 1
        elif kind == "breach":
            _record(page, base, case, "Record a breach")
            page.check("label:has-text('ISPO-0142')")
            _where(page, "Samira Haddou's home")
            page.fill("#id_summary", event["summary"])
            _submit(page, "Record the breach")
        elif kind == "arrest":
            _record(page, base, case, "Record an arrest")
            page.fill("#id_custody_reference", "CU-2111-0042")
            _submit(page, "Record the arrest")
        elif kind == "charge":
            _record(page, base, case, "Record a charge")
            page.fill("#id_offence", event["offence"])
            _submit(page, "Record the charge")
        elif kind == "released":
            _record(page, base, case, "Record a release")
            page.check("label:has-text('Yes, on bail')")
            bail = _at(event["bail_until"])
            _date(page, "expires", bail.date())
            page.fill("#id_expires_time", bail.strftime("%H:%M"))
            _submit(page, "Record the release")
        elif kind == "court_hearing":
            _record(page, base, case, "Record a court outcome")
            page.check("label:has-text('Failed to appear')")
            _submit(page, "Record the outcome")
        elif kind == "warrant_issued":
            _record(page, base, case, "Record a warrant issued")
            page.fill("#id_reference", "W-2201-0007")
            page.fill("#id_reason", event["reason"])
            _submit(page, "Record the warrant")
            _saved(page, "The warrant W-2201-0007 was recorded")
            assert "This created: Execute the warrant" in page.locator("#policy-outcome").inner_text()
        else:
            raise AssertionError(f"the story has an event this test does not enter: {kind}")

    # The moment the replay stops: the escalation job runs, as the worker would.
    until = _at(story["replay_until"])
    frozen_clock.set(until)
    escalate_due(now=until)

    out = io.StringIO()
    call_command("replay", story["path"], "--json", stdout=out)
    answer = json.loads(out.getvalue())
    expected = Counter(
        (
            a["kind"],
            dt.datetime.fromisoformat(a["due_at"]).astimezone(LONDON).strftime("%-d %b %Y %H:%M"),
            a["priority"],
            max([1, *(e["level"] for e in a["escalations"])]),
        )
        for a in answer["actions"]
        if a["status"] == "open"
    )
    assert expected, "the replay has open actions to compare"

    page.goto(f"{base}/board/")
    page.screenshot(path=str(artifacts / "story-board.png"), full_page=True)
    labels = {str(label): value for value, label in ActionKind.choices}
    priorities = {str(label).lower(): value for value, label in Priority.choices}
    shown: Counter[tuple[str, str, str, int]] = Counter()
    while True:
        for row in page.locator("#board tbody tr[data-action]").all():
            kind_label = row.locator(".vigil-col-main a").first.inner_text().strip()
            due = row.locator(".vigil-col-due .vigil-sub").inner_text().strip()
            priority = row.locator(".vigil-priority").inner_text().strip().lower().removesuffix(" priority")
            level_text = row.locator(".vigil-col-level").inner_text()
            level = int(re.search(r"(\d)", level_text).group(1))  # type: ignore[union-attr]
            shown[labels[kind_label], due, priorities[priority], level] += 1
        following = page.locator("a[rel=next]")
        if following.count() == 0:
            break
        with page.expect_navigation():
            following.first.click()
    assert shown == expected, f"board {sorted(shown.items())} != replay {sorted(expected.items())}"
    # The story's own facts are there, as the pages entered them.
    assert {"victim_contact", "execute_warrant", "arrest_suspect"} <= {kind for kind, *_ in shown}
