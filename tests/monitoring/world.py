"""A monitored subject under a DVPO with an exclusion zone round the victim's home."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.actions.builders import make_case
from tests.factories import PersonFactory
from vigil.cases.services import report_record
from vigil.orders.services import order_grant
from vigil.people.services import place_create

NOW = dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.UTC)
HOME = (51.527, -0.187)


def make_zone(officer: Any) -> Any:
    """A DVPO protecting the victim, with a 200 m exclusion zone round her home (the clock at NOW)."""
    victim, subject = PersonFactory(), PersonFactory()
    case = make_case(actor=officer, team=officer.team, victim=victim, subject=subject)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=NOW - dt.timedelta(days=3))
    home = place_create(actor=officer, address="1 Test Road", kind="home", lat=HOME[0], lon=HOME[1])
    return order_grant(
        actor=officer,
        reference="DVPO-1",
        order_type="dvpo",
        subject=subject,
        protected=[victim],
        starts_at=NOW - dt.timedelta(days=2),
        reported_at=NOW - dt.timedelta(days=2),
        conditions=[{"kind": "exclusion_zone", "place": home, "radius_m": 200}],
    )
