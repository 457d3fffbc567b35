"""Times people mean (issue 12 item 5): every fact keeps when the police were told
(`reported_at`, the policy's time), when it was entered (`recorded_at`) and when it happened
(a moment, a window, a day, or not known). Bad times are refused by the services themselves,
with a message naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.actions.builders import make_case
from tests.factories import PersonFactory
from vigil.actions.models import Action
from vigil.cases.models import Report, Sighting
from vigil.cases.services import report_record, sighting_record
from vigil.core.times import Happened
from vigil.orders.services import breach_record, order_grant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 11, 15, 30, tzinfo=UTC)


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_reported_at_defaults_to_now_and_recorded_at_is_the_clock(officer: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    report = report_record(actor=officer, case=case, category="stalking")
    assert report.reported_at == NOW and report.recorded_at == NOW
    assert Happened.of(report, "occurred_at") == Happened() and not report.occurred_at_date_only


def test_a_time_in_the_future_is_refused_naming_the_field(officer: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    with pytest.raises(ValidationError) as error:
        report_record(actor=officer, case=case, category="stalking", reported_at=NOW + dt.timedelta(minutes=5))
    assert _messages(error)["reported_at"] == [
        "When the police were told cannot be in the future: 16:35 on 11 June 2025 is after 16:30 on 11 June 2025"
    ]
    with pytest.raises(ValidationError) as error:
        sighting_record(actor=officer, subject=case.subject, happened=Happened.at(NOW + dt.timedelta(days=1)))
    assert "When it happened cannot be in the future" in _messages(error)["happened"][0]
    assert not Report.objects.exists() and not Sighting.objects.exists()


def test_impossible_dates_are_refused(officer: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    with pytest.raises(ValidationError) as error:
        report_record(actor=officer, case=case, category="theft", reported_at=dt.datetime(1, 1, 1, tzinfo=UTC))
    assert _messages(error)["reported_at"] == ["When the police were told must be a real date: the year 1 is before 1900"]
    with pytest.raises(ValidationError) as error:
        report_record(actor=officer, case=case, category="theft", happened=Happened.on(dt.date(1, 3, 2)))
    assert "the year 1 is before 1900" in _messages(error)["happened"][0]


def test_it_cannot_have_happened_after_the_police_were_told_or_end_before_it_starts(officer: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    told = NOW - dt.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        report_record(
            actor=officer, case=case, category="theft", reported_at=told, happened=Happened.at(told + dt.timedelta(hours=1))
        )
    assert "cannot be after the police were told" in _messages(error)["happened"][0]
    with pytest.raises(ValidationError) as error:
        report_record(actor=officer, case=case, category="theft", happened=Happened.between(told, told - dt.timedelta(hours=1)))
    assert "the window ends" in _messages(error)["happened"][0]


def test_a_day_is_kept_as_a_day_not_midnight(officer: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    report = report_record(actor=officer, case=case, category="assault", happened=Happened.on(dt.date(2025, 6, 9)))
    report.refresh_from_db()
    assert report.occurred_at_date_only
    assert Happened.of(report, "occurred_at") == Happened.on(dt.date(2025, 6, 9))
    assert Happened.of(report, "occurred_at").words() == "on 9 June 2025 (time not known)"
    # A window of moments, in words (local time: BST in June).
    window = Happened.between(dt.datetime(2025, 6, 10, 20, 0, tzinfo=UTC), dt.datetime(2025, 6, 10, 22, 0, tzinfo=UTC))
    assert window.words() == "between 21:00 on 10 June 2025 and 23:00 on 10 June 2025"


def test_the_policy_counts_from_when_the_police_were_told_not_from_when_it_happened(officer: Any) -> None:
    """A sighting seen days ago but reported now: its deadlines count from now, and the
    engine's history is not rewritten to days ago."""
    victim, subject = PersonFactory(), PersonFactory()
    case = make_case(actor=officer, team=officer.team, victim=victim, subject=subject)
    granted = NOW - dt.timedelta(days=30)
    order = order_grant(
        actor=officer,
        reference="SPO-TIMES-1",
        order_type="spo",
        subject=subject,
        protected=[victim],
        starts_at=granted,
        reported_at=granted,
        conditions=[{"kind": "no_contact"}],
    )
    breach_record(actor=officer, order=order, happened=Happened.on(NOW.date() - dt.timedelta(days=3)), reported_by=victim)
    arrest = Action.objects.get(case=case, kind="arrest_suspect")
    assert arrest.created_at == NOW
    assert arrest.due_at == NOW + dt.timedelta(hours=24)
