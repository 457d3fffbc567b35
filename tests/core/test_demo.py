"""`vigil demo-data` builds a usable demo: staff who can sign in with a second factor, and cases."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client

from vigil.actions.models import Action, Decision
from vigil.cases.models import Case, JusticeEvent, RiskAssessment
from vigil.core.constants import ActionStatus, RiskLevel
from vigil.core.models import User
from vigil.core.otp import code_for_seed, confirmed_devices, demo_seed
from vigil.demo.data import build_demo

pytestmark = pytest.mark.django_db


def test_demo_staff_have_the_second_factor_that_demo_logins_prints() -> None:
    call_command("demo-data", cases=3, seed=7, anchor=dt.date(2026, 11, 25))
    assert Case.objects.count() == 3
    staff = list(User.objects.exclude(username__startswith="portal"))
    assert staff
    for user in staff:
        devices = confirmed_devices(user)
        assert devices, f"{user.username} has no confirmed second factor"
        seed = demo_seed(user.username)
        assert any(device.verify_token(code_for_seed(seed)) for device in devices), user.username


def test_demo_addresses_carry_the_demo_citys_postcodes_from_the_gazetteer() -> None:
    from vigil.gazetteer.models import Postcode
    from vigil.gazetteer.services import normalise_postcode, postcode_lookup
    from vigil.people.models import Place

    call_command("demo-data", cases=2, seed=7, anchor=dt.date(2026, 11, 25))
    assert Postcode.objects.filter(postcode__startswith="VG").count() > 1000
    for place in Place.objects.all():
        postcode = normalise_postcode(place.address.rsplit(", ", 1)[-1])
        assert postcode is not None and postcode.startswith("VG"), place.address
        centre = postcode_lookup(postcode)
        assert centre is not None and place.lat is not None and place.lon is not None
        # The place is within its postcode's cell of the grid (about 180 m apart).
        assert abs(centre.lat - place.lat) * 111_000 < 300 and abs(centre.lon - place.lon) * 66_000 < 300


# --- the shape of the demo force ----------------------------------------------------------------

ANCHOR = dt.datetime(2026, 3, 10, 17, 0, tzinfo=ZoneInfo("Europe/London"))  # a Tuesday


def _rows(body: str, marker: str) -> int:
    return len(re.findall(marker, body))


def test_a_small_demo_force_looks_like_a_working_force(otp_login: Any) -> None:
    """Most work done in time, a realistic share open, some of it overdue and a few pieces at
    the inspector's and the superintendent's level, declines with real reasons, and something
    to do on every role's pages. (Before: 90-100% of every board overdue, escalated up to 527
    days, and the adviser saw nothing.)"""
    build_demo(cases=40, seed=5, anchor=ANCHOR)
    actions = list(Action.objects.all())
    assert len(actions) >= 5 * 40
    done = [a for a in actions if a.status == ActionStatus.DONE]
    open_ = [a for a in actions if a.status == ActionStatus.OPEN]
    overdue = [a for a in open_ if a.due_at < ANCHOR]
    declined = [a for a in actions if a.status == ActionStatus.DECLINED]

    assert len(done) >= 0.7 * len(actions), f"{len(done)} of {len(actions)} done"
    in_time = [a for a in done if a.closed_at is not None and a.closed_at <= a.due_at]
    assert len(in_time) >= 0.75 * len(done), f"{len(in_time)} of {len(done)} done in time"
    assert 0.03 * len(actions) <= len(open_) <= 0.25 * len(actions), f"{len(open_)} of {len(actions)} open"
    assert overdue and len(overdue) <= 0.5 * len(open_), f"{len(overdue)} of {len(open_)} open actions overdue"
    assert max(ANCHOR - a.due_at for a in overdue) <= dt.timedelta(days=14)
    levels = {a.level for a in open_}
    assert levels & {3, 4}, f"no open action at the inspector's or superintendent's level: {levels}"
    assert declined and all(len(a.rationale) >= 40 and " " in a.rationale for a in declined)
    # Work was done by people, through the services, at its own time.
    decisions = Decision.objects.filter(outcome=Decision.Outcome.COMPLETED)
    assert decisions.count() >= len(done) // 2 and not decisions.filter(decided_by=None).exists()
    assert {str(u) for u in User.objects.filter(pk__in=decisions.values("decided_by"))} >= {"Priya Shah", "Tom Ellis"}
    assert RiskAssessment.objects.count() >= 40  # risk assessments done by recording the DASH
    # Arrests and warrants done as on the action page: the arrest recorded with its custody
    # reference and who made it, and the action says so.
    arrested = [a for a in done if a.kind in ("arrest_suspect", "execute_warrant") and a.decided_by_id is not None]
    assert arrested and all("custody reference" in a.rationale for a in arrested)
    arrests = JusticeEvent.objects.filter(kind="arrest")
    assert arrests.exists() and not arrests.filter(custody_reference="").exists()
    assert not arrests.filter(arrested_by="").exists()
    cases = Case.objects.all()
    assert len({c.created_at.date() for c in cases}) > 20, "cases opened over time, not all today"
    assert cases.filter(risk_level=RiskLevel.HIGH).count() <= 0.5 * len(cases)
    assert cases.filter(referred_with_consent=True).exists()

    # Every role has something on its pages.
    def page(username: str, path: str) -> str:
        client = otp_login(Client(), User.objects.get(username=username))
        response = client.get(path)
        assert response.status_code == 200, (username, path, response.status_code)
        return response.content.decode()

    for username in ("officer", "officer2", "supervisor", "supervisor2", "inspector", "superintendent"):
        assert _rows(page(username, "/"), r'data-action="\d+"') >= 1, f"{username}'s board is empty"
    assert _rows(page("idva", "/cases/"), r'data-case="[\w-]+"') >= 1, "the adviser has no referred case"
    # The adviser's caseload: open referrals with recorded consent and casework, history ended,
    # and a concern with the police as R14's supervisor review (vigil.idva).
    from vigil.idva.models import IdvaReferral, PartnerConcern

    landing = page("idva", "/idva/")
    open_referrals = IdvaReferral.objects.filter(status="active", idva__username="idva")
    assert _rows(landing, r'data-referral="\d+"') == open_referrals.count() >= 2
    assert all(r.consent_at <= r.recorded_at and r.consent_how for r in open_referrals)
    assert IdvaReferral.objects.exclude(status="active").exists()
    assert all(r.casework.exists() for r in open_referrals if ANCHOR - r.recorded_at > dt.timedelta(days=2))
    concern = PartnerConcern.objects.get()
    assert Action.objects.filter(rule="R14", kind="supervisor_review", case=concern.case).exists()
    analyst = page("analyst", "/analyst/cases/")
    assert _rows(analyst, r'data-pseudonym="P-') >= 1 and 'name="risk"' in analyst
