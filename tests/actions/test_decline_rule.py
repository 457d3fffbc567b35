"""Issue 12 item 6: a decline's reason is a real sentence (at least 4 words of letters and 20
characters), refused otherwise by the service, so by every page that declines; a decision
read from a timeline file keeps its own words, as replay does. For a high-risk pair the
supervisor reads the officer's reason where they sign off or send back."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.actions.builders import assessed, of_kind
from tests.actions.test_acting import _case, _client
from tests.live.test_live_equals_replay import _declined_safety_plans, _with_a_decline, assert_equal
from vigil.actions.models import Action, Decision
from vigil.actions.services import action_decline, decision_record
from vigil.audit.models import AuditEvent
from vigil.core.constants import ActionKind, ActionStatus
from vigil.core.rationale import DECLINE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def plan(officer: Any) -> Action:
    """The safety plan R3 asks for when a DASH finds the pair at high risk."""
    return of_kind(assessed(_case(officer), actor=officer, ago=dt.timedelta(hours=1)), ActionKind.SAFETY_PLAN)


@pytest.mark.parametrize(
    "text",
    ["x", "n/a", "Not needed", "see log 12345678901234", "NFA NFA NFA", "done done done", "1 2 3 4 5 6 7 8 9 10 11 12"],
)
def test_a_reason_that_is_not_a_sentence_is_refused(text: str) -> None:
    assert DECLINE.problem(text) == DECLINE.too_short


@pytest.mark.parametrize(
    "text",
    ["Too busy this shift.", "Victim has moved to a refuge out of the area.", "La victime a quitté la région hier soir."],
)
def test_a_sentence_is_accepted(text: str) -> None:
    assert DECLINE.problem(text) is None


def test_the_service_refuses_a_reason_that_is_not_a_sentence_and_saves_nothing(officer: Any, plan: Action) -> None:
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        action_decline(actor=officer, action=plan, rationale="not needed")
    assert error.value.message_dict == {"rationale": [DECLINE.too_short]}
    with pytest.raises(ValidationError):
        decision_record(
            actor=officer,
            case=plan.case,
            kind=plan.kind,
            victim=plan.victim,
            subject=plan.subject,
            outcome="declined",
            rationale="x",
        )
    plan.refresh_from_db()
    assert plan.status == ActionStatus.OPEN and not Decision.objects.exists() and AuditEvent.objects.count() == audits


def test_the_page_shows_the_rule_as_a_govuk_error_naming_the_reason(officer: Any, plan: Action) -> None:
    response = _client(officer).post(reverse("action_decline", args=[plan.pk]), {"rationale": "x"})
    body = response.content.decode()
    assert response.status_code == 400 and "<title>Error:" in body
    summary = body[body.index("govuk-error-summary") :]
    assert 'href="#id_rationale"' in summary and "The reason must be a sentence of at least 4 words" in summary
    plan.refresh_from_db()
    assert plan.status == ActionStatus.OPEN and not Decision.objects.exists()


def test_a_timeline_decline_keeps_its_own_short_words_as_replay_does(tmp_path: Path) -> None:
    assert DECLINE.problem("NFA, see log") is not None
    assert_equal(_with_a_decline(tmp_path, "NFA, see log"))
    assert {a.rationale for a in _declined_safety_plans() if a.decisions.exists()} == {"NFA, see log"}


def _signoff_section(page: str) -> str:
    start = page.index("Sign off the decline")
    return page[start : page.index('action="/actions/', start)]


def test_the_supervisor_reads_the_officers_reason_where_they_sign_off(officer: Any, supervisor: Any, plan: Action) -> None:
    reason = "The victim has a safety plan with her adviser, made on Monday; she asked for no second one."
    action_decline(actor=officer, action=plan, rationale=reason)
    page = _client(supervisor).get(reverse("action_detail", args=[plan.pk])).content.decode()
    section = _signoff_section(page)
    assert reason.replace("'", "&#x27;") in section
    assert re.search(rf"{re.escape(str(officer))}’s reason, declined \d+ \w+ \d{{4}} \d\d:\d\d", section)
    # The form to send it back is under the same reason.
    assert page.index(reason.replace("'", "&#x27;"), page.index("Sign off the decline")) < page.index("Send back")
