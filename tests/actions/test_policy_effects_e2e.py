"""What the policy did, for the page to say (issue 12 item 4): `policy_effects()` lists the
stored actions the policy created, closed and changed while a fact was recorded, and says
them in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.actions.builders import make_case
from tests.factories import PersonFactory
from vigil.actions.effects import policy_effects
from vigil.actions.models import Action
from vigil.cases.services import justice_event_record, report_record, sighting_record
from vigil.orders.services import breach_record, order_grant
from vigil.warrants.services import warrant_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

UTC = dt.UTC
# 21:10 in London (BST): an arrest action due in 24 hours is due at 21:10 tomorrow.
NOW = dt.datetime(2025, 6, 11, 20, 10, tzinfo=UTC)


@pytest.fixture
def pair(officer: Any) -> Any:
    victim, subject = PersonFactory(), PersonFactory()
    case = make_case(actor=officer, team=officer.team, victim=victim, subject=subject)
    report_record(actor=officer, case=case, category="harassment", reported_at=NOW - dt.timedelta(days=40))
    return case


def test_a_breach_says_what_it_created(officer: Any, pair: Any) -> None:
    order = order_grant(
        actor=officer,
        reference="ORD-00142",
        order_type="non_molestation_order",
        subject=pair.subject,
        protected=[pair.victim],
        starts_at=NOW - dt.timedelta(days=30),
        reported_at=NOW - dt.timedelta(days=30),
        conditions=[{"kind": "no_contact"}],
    )
    with policy_effects() as effects:
        breach_record(actor=officer, order=order, reported_by=pair.victim)
    arrest = Action.objects.get(kind="arrest_suspect")
    review = Action.objects.get(kind="review_risk", rule="R5")
    assert set(effects.created) >= {arrest, review} and not effects.closed
    assert [f.kind for f in effects.flags] == ["breach"]
    lines = effects.words()
    said = next(line for line in lines if line.startswith("This created: Arrest the suspect"))
    assert said.startswith("This created: Arrest the suspect, high, due 21:10 tomorrow (R5: ")
    assert "ORD-00142" in said
    assert any(line.startswith("Flag raised: Order broken: ") for line in lines)


def test_an_arrest_says_what_it_closed_and_a_sighting_what_it_changed(officer: Any, pair: Any) -> None:
    warrant_issue(
        actor=officer,
        reference="W-77",
        subject=pair.subject,
        reason="failed to appear",
        issued_at=NOW - dt.timedelta(days=3),
        reported_at=NOW - dt.timedelta(days=3),
    )
    execute = Action.objects.get(kind="execute_warrant")
    with policy_effects() as effects:
        sighting_record(actor=officer, subject=pair.subject)
    assert execute in effects.changed and execute not in effects.created
    execute.refresh_from_db()
    assert execute.priority == "immediate"
    assert any(
        line.startswith("This changed: Execute the warrant, now immediate, due 01:10 tomorrow") for line in effects.words()
    )

    with policy_effects() as effects:
        justice_event_record(actor=officer, subject=pair.subject, kind="arrest")
    assert [a.kind for a in effects.closed] == ["execute_warrant"]
    [line] = [line for line in effects.words() if line.startswith("This closed:")]
    assert line.startswith("This closed: Execute the warrant (done")


def test_nothing_recorded_outside_the_block_and_blocks_nest(officer: Any, pair: Any) -> None:
    with policy_effects() as outer:
        with policy_effects() as inner:
            report_record(actor=officer, case=pair, category="stalking")
        report_record(actor=officer, case=pair, category="stalking")
    assert inner.created and set(inner.created) < set(outer.created)
    with policy_effects() as empty:
        pass
    assert not empty and empty.words() == []
