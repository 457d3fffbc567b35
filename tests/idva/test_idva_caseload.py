"""The IDVA's caseload: referrals only with the victim's recorded consent; the adviser sees those
cases and no others; contacts, support and safety plans; a concern makes the policy (R14) ask a
police supervisor to review the case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, UserFactory
from vigil.actions.models import Action
from vigil.audit.models import AuditEvent
from vigil.cases.services import case_open, report_record
from vigil.core.constants import Role
from vigil.idva.models import CaseworkEntry, IdvaReferral
from vigil.idva.services import concern_raise, idva_refer
from vigil.partners.models import Agency, AgencyMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(db: Any) -> Agency:
    return Agency.objects.create(name="Northshire IDVA Service", kind="idva")


def _idva(service: Agency, username: str) -> Any:
    user = UserFactory(username=username, role=Role.IDVA, team=None, first_name="Jo", last_name=username.title())
    AgencyMember.objects.create(user=user, agency=service)
    return user


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(officer: Any) -> Any:
    case = case_open(
        actor=officer, victim=PersonFactory(full_name="Rosa Penhale"), subject=PersonFactory(full_name="Neil Crago"),
        team=officer.team, allocate=[officer],
    )  # fmt: skip
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=timezone.now() - dt.timedelta(hours=2))
    return case


def _stamp(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_a_referral_needs_consent_and_shows_the_case_to_that_adviser_only(officer: Any, service: Agency) -> None:
    jo, sam = _idva(service, "jo"), _idva(service, "sam")
    case = _case(officer)
    url = reverse("idva_refer", args=[case.pk])
    refused = _client(officer).post(url, {"idva": jo.pk, "consent_at": _stamp(timezone.now()), "consent_how": "phone"})
    assert refused.status_code == 400 and "Refer only with the victim&#x27;s consent" in refused.content.decode()
    assert not IdvaReferral.objects.exists()
    assert _client(jo).get(reverse("case_detail", args=[case.pk])).status_code == 404
    response = _client(officer).post(
        url,
        {
            "idva": jo.pk,
            "consent_given": "on",
            "consent_at": _stamp(timezone.now() - dt.timedelta(minutes=10)),
            "consent_how": "phone",
            "consent_note": "Calls to her mobile after 6pm only",
        },
    )
    assert response.status_code == 302
    referral = IdvaReferral.objects.get()
    case.refresh_from_db()
    assert case.referred_with_consent and referral.idva == jo and referral.agency == service
    caseload = _client(jo).get(reverse("idva_caseload")).content.decode()
    assert "Rosa Penhale" in caseload
    assert _client(jo).get(reverse("case_detail", args=[case.pk])).status_code == 200
    page = _client(jo).get(reverse("idva_referral", args=[referral.pk])).content.decode()
    assert "Calls to her mobile after 6pm only" in page
    assert AuditEvent.objects.filter(action="idva.referral.view", actor=jo).count() == 1
    # Another adviser of the same service, and every other case, stay closed.
    assert "Rosa Penhale" not in _client(sam).get(reverse("idva_caseload")).content.decode()
    assert _client(sam).get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert _client(sam).get(reverse("idva_referral", args=[referral.pk])).status_code == 404
    other = _case(officer)
    assert _client(jo).get(reverse("case_detail", args=[other.pk])).status_code == 404
    # The adviser lands on the caseload.
    landing = _client(jo).get("/")
    assert landing.status_code == 302 and landing["Location"] == reverse("idva_caseload")


def test_casework_and_withdrawn_consent(officer: Any, service: Agency) -> None:
    jo = _idva(service, "jo")
    case = _case(officer)
    referral = idva_refer(
        actor=officer, case=case, idva=jo, consent_given=True, consent_at=timezone.now(), consent_how="in_person"
    )
    client = _client(jo)
    url = reverse("idva_casework", args=[referral.pk])
    missing = client.post(url, {"kind": "contact", "at": _stamp(timezone.now()), "text": "Spoke about court."})
    assert missing.status_code == 400 and "Select how you were in contact" in missing.content.decode()
    assert (
        client.post(
            url, {"kind": "contact", "at": _stamp(timezone.now()), "channel": "phone", "text": "Spoke about court."}
        ).status_code
        == 302
    )
    plan = {"kind": "safety_plan", "at": _stamp(timezone.now()), "text": "Spare phone hidden at work.", "review_on": "2031-01-05"}
    assert client.post(url, plan).status_code == 302
    assert list(CaseworkEntry.objects.order_by("pk").values_list("kind", "channel")) == [
        ("contact", "phone"),
        ("safety_plan", ""),
    ]
    assert "Spare phone hidden at work." in client.get(reverse("idva_referral", args=[referral.pk])).content.decode()
    response = client.post(reverse("idva_end", args=[referral.pk]), {"status": "withdrawn", "reason": "She asked us to stop."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert not case.referred_with_consent
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("idva_referral", args=[referral.pk])).status_code == 404
    assert "She asked us to stop." in _client(officer).get(reverse("case_detail", args=[case.pk])).content.decode()


def test_a_concern_asks_a_police_supervisor_to_review_the_case(officer: Any, service: Agency) -> None:
    jo = _idva(service, "jo")
    case = _case(officer)
    referral = idva_refer(actor=officer, case=case, idva=jo, consent_given=True, consent_at=timezone.now(), consent_how="phone")
    before = set(Action.objects.filter(case=case, kind="supervisor_review").values_list("pk", flat=True))
    response = _client(jo).post(
        reverse("idva_concern", args=[referral.pk]), {"concern": "He has found her new address through her sister."}
    )
    assert response.status_code == 302
    [review] = Action.objects.filter(case=case, kind="supervisor_review").exclude(pk__in=before)
    assert review.rule == "R14" and review.priority == "high" and review.status == "open"
    assert "concern raised by Northshire IDVA Service" in review.reason
    assert review.due_at - review.created_at == dt.timedelta(hours=24)
    # On the case's board like R1's review (the allocated officer's, the sergeant's once overdue).
    board = _client(officer).get(reverse("home")).content.decode()
    assert f'data-action="{review.pk}"' in board and "Supervisor review" in board
    assert review.owner == officer and review.level == 1
    case_page = _client(officer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "He has found her new address through her sister." in case_page
    # The adviser sees that the police have it, and when it is due.
    adviser_page = _client(jo).get(reverse("idva_referral", args=[referral.pk])).content.decode()
    concern_box = adviser_page[adviser_page.index("data-concern=") :].split("</div>")[0]
    assert "He has found her new address" in concern_box and "supervisor review" in concern_box and "open" in concern_box
    with pytest.raises(ValidationError, match="Enter what worries you"):
        concern_raise(actor=jo, referral=referral, concern=" ")


def test_a_policy_file_written_before_r14_still_loads_with_the_shipped_rule(tmp_path: Any) -> None:
    from pathlib import Path

    from vigil.policy.config import load_policy

    shipped = Path(__file__).resolve().parents[2] / "policies" / "default.toml"
    text = shipped.read_text()
    start = text.index("[rules.R14]")
    end = text.index("\n[", start + 1)
    older = tmp_path / "older.toml"
    older.write_text(text[:start] + text[end + 1 :])
    policy = load_policy(str(older))
    assert policy.rules.R14.enabled and policy.rules.R14.supervisor_review.due == dt.timedelta(hours=24)


def test_the_caseload_puts_the_highest_risk_and_longest_silence_first(officer: Any, service: Agency) -> None:
    from vigil.cases.models import Case
    from vigil.idva.services import casework_record

    jo = _idva(service, "jo")
    now = timezone.now()
    cases = [_case(officer) for _ in range(3)]
    Case.objects.filter(pk=cases[0].pk).update(risk_level="medium")
    Case.objects.filter(pk=cases[1].pk).update(risk_level="high")
    Case.objects.filter(pk=cases[2].pk).update(risk_level="high")
    referrals = [
        idva_refer(actor=officer, case=c, idva=jo, consent_given=True, consent_at=now, consent_how="phone") for c in cases
    ]
    # The second high-risk victim was spoken with three weeks ago; the first was only called.
    weeks_ago = now - dt.timedelta(days=21)
    casework_record(actor=jo, referral=referrals[2], kind="contact", at=weeks_ago, channel="phone", text="Talked.")
    casework_record(actor=jo, referral=referrals[1], kind="contact", at=now, channel="attempted", text="No answer.")
    casework_record(
        actor=jo, referral=referrals[2], kind="safety_plan", at=now - dt.timedelta(days=21), text="Plan.",
        review_on=(now - dt.timedelta(days=1)).date(),
    )  # fmt: skip
    page = _client(jo).get(reverse("idva_caseload")).content.decode()
    rows = [page.index(f'data-referral="{r.pk}"') for r in referrals]
    assert rows[1] < rows[2] < rows[0]  # high never spoken with, high spoken with, medium
    row_of = {r.pk: page[page.index(f'data-referral="{r.pk}"') :].split("</tr>")[0] for r in referrals}
    assert "Not yet" in row_of[referrals[1].pk]  # a call not answered is not contact
    assert "21 days ago" in row_of[referrals[2].pk] and "govuk-tag--red" in row_of[referrals[2].pk]
    assert "Overdue" in row_of[referrals[2].pk] and "No safety plan yet" in row_of[referrals[0].pk]
    # The adviser cannot write to a referral that is not theirs.
    sam = _idva(service, "sam")
    response = _client(sam).post(
        reverse("idva_casework", args=[referrals[0].pk]), {"kind": "support", "at": _stamp(now), "text": "x"}
    )
    assert response.status_code == 404 and not referrals[0].casework.exists()
