"""A Clare's Law decision not to disclose rests on a sentence, by the same rule as an action's
decline (vigil.core.rationale; issue 14): refused on the page with a GOV.UK error naming the
field and by the service, nothing saved and the decision's clock running on; a decision read
from a timeline file keeps its own words, as replay does."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.disclosure.test_clares_law_e2e import _case, _client, _decision_action
from tests.live.test_live_equals_replay import assert_equal, timeline_file
from vigil.audit.models import AuditEvent
from vigil.core.rationale import DECLINE, NO_DISCLOSURE
from vigil.disclosure.models import DisclosureDecision, DisclosureRequest
from vigil.disclosure.services import disclosure_decide, disclosure_request_record

pytestmark = pytest.mark.django_db

NOT_SENTENCES = ["x", "n/a", "NFA", "Not needed", "No risk seen", "NFA NFA NFA NFA", "see log 12345678901234"]
SENTENCES = ["Nothing is recorded against him.", "The checks found no history of violence or abuse."]


def _request(officer: Any) -> DisclosureRequest:
    return disclosure_request_record(
        actor=officer,
        case=_case(officer),
        route="right_to_ask",
        applicant_kind="person_at_risk",
        reported_at=timezone.now() - dt.timedelta(days=1),
    )


@pytest.mark.parametrize("text", NOT_SENTENCES + SENTENCES + [" ", "Too busy this shift."])
def test_a_decline_and_a_decision_not_to_disclose_obey_one_rule(text: str) -> None:
    # One rule, two names: each refuses (or accepts) the same texts, in its own words.
    assert (DECLINE.problem(text) is None) == (NO_DISCLOSURE.problem(text) is None)
    if text in NOT_SENTENCES:
        assert NO_DISCLOSURE.problem(text) == (
            "The reasons for the decision must be a sentence of at least 4 words and 20 characters, "
            "saying why nothing will be disclosed"
        )
        assert DECLINE.problem(text) == (
            "The reason must be a sentence of at least 4 words and 20 characters, saying why this action will not be done"
        )


@pytest.mark.parametrize("text", ["x", "Not needed", "NFA NFA NFA NFA"])
def test_the_page_refuses_a_reason_that_is_not_a_sentence_naming_the_field(officer: Any, text: str) -> None:
    request = _request(officer)
    audits = AuditEvent.objects.count()
    response = _client(officer).post(
        reverse("disclosure_decide", args=[request.pk]), {"outcome": "no_disclosure", "rationale": text}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "<title>Error:" in page
    summary = page[page.index("govuk-error-summary") :]
    assert 'href="#id_rationale"' in summary
    assert "The reasons for the decision must be a sentence of at least 4 words and 20 characters" in summary
    assert 'id="id_rationale-error"' in page or "govuk-error-message" in page[page.index('name="rationale"') - 800 :]
    assert text in page  # what they typed is kept, to mend
    assert not DisclosureDecision.objects.exists() and AuditEvent.objects.count() == audits
    assert _decision_action(request.case).status == "open"


def test_the_page_records_a_sentence_and_a_decision_to_disclose_is_not_held_to_it(officer: Any) -> None:
    refused, disclosed = _request(officer), _request(officer)
    client = _client(officer)
    answer = client.post(reverse("disclosure_decide", args=[refused.pk]), {"outcome": "no_disclosure", "rationale": SENTENCES[1]})
    assert answer.status_code == 302
    assert DisclosureDecision.objects.get(request=refused).rationale == SENTENCES[1]
    assert _decision_action(refused.case).status == "done"
    answer = client.post(reverse("disclosure_decide", args=[disclosed.pk]), {"outcome": "disclose", "rationale": "History"})
    assert answer.status_code == 302 and DisclosureDecision.objects.get(request=disclosed).outcome == "disclose"


@pytest.mark.parametrize("text", ["x", "NFA", "Not needed"])
def test_the_service_refuses_it_too_and_saves_nothing(officer: Any, text: str) -> None:
    request = _request(officer)
    with pytest.raises(ValidationError) as error:
        disclosure_decide(actor=officer, request=request, outcome="no_disclosure", rationale=text)
    assert error.value.message_dict == {"rationale": [NO_DISCLOSURE.too_short]}
    assert not DisclosureDecision.objects.exists() and _decision_action(request.case).status == "open"


def test_a_timeline_decision_keeps_its_own_short_words_as_replay_does(tmp_path: Path) -> None:
    document = timeline_file([])
    document["events"] = [
        {
            "type": "disclosure_request",
            "at": "2024-03-01T09:00:00+00:00",
            "request": "R1",
            "route": "right_to_ask",
            "subject": "P1",
            "person_at_risk": "V1",
            "applicant": "V1",
        },
        {
            "type": "disclosure_decision",
            "at": "2024-03-05T09:00:00+00:00",
            "request": "R1",
            "decision": "no_disclosure",
            "rationale": "NFA",
        },
    ]
    document["replay_until"] = "2024-04-30T00:00:00+00:00"
    path = tmp_path / "no-disclosure.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    live = assert_equal(path)
    assert [a["status"] for a in live["actions"] if a["kind"] == "dvds_decision"] == ["done"]
    assert list(DisclosureDecision.objects.values_list("outcome", "rationale")) == [("no_disclosure", "NFA")]
