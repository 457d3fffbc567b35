"""The live system runs the same engine as the replay: services record facts, the bridge
stores the policy's actions, flags and risk changes, and the ladder climbs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from tests.factories import PersonFactory, PlaceFactory
from vigil.actions.escalation import escalate_due
from vigil.actions.models import Action, Escalation
from vigil.actions.services import action_complete, action_decline
from vigil.audit.models import AuditEvent
from vigil.cases.models import Flag
from vigil.cases.services import assessment_record, case_open, report_record, sighting_record
from vigil.core import times
from vigil.orders.services import order_grant
from vigil.people.services import relationship_create
from vigil.warrants.services import warrant_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
UTC = dt.UTC


def _pair(officer: Any) -> Any:
    home = PlaceFactory(lat=51.527, lon=-0.187)
    victim = PersonFactory(full_name="Rhian Castell", home=home)
    subject = PersonFactory(full_name="Owen Tarrant", home=PlaceFactory(lat=51.529, lon=-0.189))
    relationship_create(actor=officer, a=victim, b=subject, kind="ex_partner")
    return case_open(actor=officer, victim=victim, subject=subject, team=officer.team, allocate=[officer]), home


def _kinds(case: Any) -> list[str]:
    return sorted(Action.objects.filter(case=case).values_list("kind", flat=True))


def test_a_domestic_report_creates_the_intake_actions_with_their_rule(officer: Any) -> None:
    case, home = _pair(officer)
    report_record(actor=officer, case=case, category="theft", reported_at=dt.datetime(2025, 3, 2, 2, 10, tzinfo=UTC), place=home)
    assert _kinds(case) == ["complete_risk_assessment", "database_checks", "supervisor_review"]
    action = Action.objects.get(case=case, kind="complete_risk_assessment")
    assert action.rule == "R1" and action.reason and action.owner == officer
    assert action.due_at == dt.datetime(2025, 3, 3, 2, 10, tzinfo=UTC)
    assert AuditEvent.objects.filter(action="action.create", actor_label="policy", case_id=case.pk).count() == 3
    # The proximity flag: his home is about 260 m from hers.
    assert Flag.objects.filter(case=case, kind="proximity").exists()


def test_a_high_dash_and_a_sighting_in_the_zone_give_an_immediate_arrest(officer: Any) -> None:
    case, home = _pair(officer)
    t0 = dt.datetime(2021, 9, 20, 18, 40, tzinfo=UTC)
    report_record(actor=officer, case=case, category="stalking", reported_at=t0, place=home)
    answers = {n: ("yes" if n <= 14 else "no") for n in range(1, 25)}
    assessment_record(
        actor=officer,
        case=case,
        instrument="dash",
        answers=answers,
        completed_at=t0 + dt.timedelta(hours=16),
        officer_level="medium",
    )
    case.refresh_from_db()
    assert case.risk_level == "high"
    assert "supervisor_review" in _kinds(case) and "refer_marac" in _kinds(case)
    order_grant(
        actor=officer,
        reference="O1",
        order_type="interim_spo",
        subject=case.subject,
        protected=[case.victim],
        starts_at=t0 + dt.timedelta(days=15),
        reported_at=t0 + dt.timedelta(days=15),
        expires_at=t0 + dt.timedelta(days=200),
        conditions=[{"kind": "exclusion_zone", "place": home, "radius_m": 200.0}],
    )
    seen = t0 + dt.timedelta(days=55)
    sighting_record(actor=officer, subject=case.subject, reported_at=seen, lat=51.5274, lon=-0.1876)
    arrest = Action.objects.get(case=case, kind="arrest_suspect")
    assert arrest.priority == "immediate" and arrest.due_at == seen + dt.timedelta(hours=4)
    assert Flag.objects.filter(case=case, kind="breach").exists()
    # Re-evaluating (any later fact) changes nothing already stored and deletes nothing.
    before = Action.objects.count()
    warrant_issue(
        actor=officer,
        reference="W1",
        subject=case.subject,
        reason="failed to appear",
        issued_at=seen + dt.timedelta(days=50),
        reported_at=seen + dt.timedelta(days=50),
    )
    assert Action.objects.count() > before
    assert Action.objects.filter(case=case, kind="execute_warrant").get().priority == "high"


def test_escalate_records_each_step_at_the_time_it_fell_due_and_is_idempotent(officer: Any) -> None:
    case, home = _pair(officer)
    t0 = (times.now() - dt.timedelta(hours=30)).replace(microsecond=0)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0, place=home)
    checks = Action.objects.get(case=case, kind="database_checks")
    # Recording the report ran the ladder up to now: due 6 hours ago, so level 2 at its due time.
    assert checks.level == 2
    assert list(Escalation.objects.filter(action=checks).values_list("level", "at")) == [(2, t0 + dt.timedelta(hours=24))]
    first = escalate_due(now=t0 + dt.timedelta(hours=49))
    assert first.recorded >= 1
    steps = list(Escalation.objects.filter(action=checks).order_by("level").values_list("level", "at"))
    assert steps == [(2, t0 + dt.timedelta(hours=24)), (3, t0 + dt.timedelta(hours=48))]
    assert escalate_due(now=t0 + dt.timedelta(hours=49)).recorded == 0
    call_command("escalate", "--at", (t0 + dt.timedelta(days=5)).isoformat())
    checks.refresh_from_db()
    assert checks.level == 4
    assert Escalation.objects.filter(action=checks).count() == 3


def test_completing_closes_every_open_action_of_that_kind_and_declining_needs_a_reason(officer: Any) -> None:
    case, home = _pair(officer)
    t0 = dt.datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0, place=home)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0 + dt.timedelta(hours=2), place=home)
    first = Action.objects.filter(case=case, kind="database_checks").first()
    assert first is not None
    action_complete(actor=officer, action=first, at=t0 + dt.timedelta(hours=3))
    assert not Action.objects.filter(case=case, kind="database_checks", status="open").exists()
    review = Action.objects.filter(case=case, kind="supervisor_review", status="open").first()
    assert review is not None
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        action_decline(actor=officer, action=review, rationale="  ")
    review.refresh_from_db()
    assert review.status == "open"


def test_children_in_the_household_get_a_school_notice(officer: Any) -> None:
    case, home = _pair(officer)
    child = PersonFactory(full_name="Ffion Castell", born_on=dt.date(2016, 4, 3), born_year=2016, home=home)
    relationship_create(actor=officer, a=case.victim, b=child, kind="household")
    friday_night = dt.datetime(2024, 11, 8, 22, 30, tzinfo=UTC)
    report_record(
        actor=officer, case=case, category="domestic_abuse", reported_at=friday_night, place=home, children_present=[child]
    )
    notice = Action.objects.get(kind="notify_school")
    assert notice.victim == child and notice.case == case
    assert notice.due_at == dt.datetime(2024, 11, 11, 9, 0, tzinfo=UTC)


def test_ending_an_order_cancels_the_open_arrest_for_breaking_it_and_a_later_breach_report_raises_nothing(
    officer: Any,
) -> None:
    from vigil.orders.services import breach_record, order_end

    case, home = _pair(officer)
    t0 = dt.datetime(2024, 2, 5, 9, 0, tzinfo=UTC)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0, place=home)
    order = order_grant(
        actor=officer,
        reference="NMO-7",
        order_type="non_molestation_order",
        subject=case.subject,
        protected=[case.victim],
        starts_at=t0 + dt.timedelta(days=1),
        reported_at=t0 + dt.timedelta(days=1),
        conditions=[{"kind": "no_contact"}],
    )
    breach_record(actor=officer, order=order, reported_at=t0 + dt.timedelta(days=3), reported_by=case.victim)
    arrest = Action.objects.get(case=case, kind="arrest_suspect")
    assert arrest.status == "open"
    ended = t0 + dt.timedelta(days=3, hours=2)
    order_end(actor=officer, order=order, at=ended, reason="discharged by the court on the victim's application")
    arrest.refresh_from_db()
    assert (arrest.status, arrest.closed_at) == ("cancelled", ended)
    assert arrest.closing_reason.startswith("non-molestation order NMO-7 ended on")
    assert "NMO-7" in arrest.reason
    # The risk review after the breach is for the victim and stays; nothing was deleted.
    assert Action.objects.get(case=case, kind="review_risk", rule="R5").status == "open"
    assert AuditEvent.objects.filter(object_id=str(arrest.pk), action__startswith="action.").exists()
    flags_before = Flag.objects.filter(case=case, kind="breach").count()
    breach_record(actor=officer, order=order, reported_at=ended + dt.timedelta(days=1), reported_by=case.victim)
    assert Flag.objects.filter(case=case, kind="breach").count() == flags_before
    assert Action.objects.filter(case=case, kind="arrest_suspect").count() == 1


def test_a_flag_is_stored_once_under_the_engines_key_whatever_its_wording() -> None:
    from vigil.actions.reconcile import flag_key

    first = {"at": dt.datetime(2024, 2, 5, 9, 0, tzinfo=UTC), "kind": "proximity", "refs": ["p1", "p2"]}
    old = flag_key({**first, "key": "proximity:p1:p2:e1:H2:H1", "detail": "lives 260 m from the victim's home"})
    new = flag_key({**first, "key": "proximity:p1:p2:e1:H2:H1", "detail": "lives 260 m from the home of Rhian Castell"})
    assert old == new
    other_place = flag_key({**first, "key": "proximity:p1:p2:e1:H2:H3", "detail": "lives 260 m from the home of Rhian Castell"})
    assert other_place != new
