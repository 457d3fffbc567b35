"""Pages and models that say what is true "now" read the services' clock
(`vigil.core.times.now`), so a held clock (an import at an event's time, a frozen test) and
the words on the page agree."""

from __future__ import annotations

import datetime as dt

from vigil.core import times
from vigil.core.constants import OrderStatus
from vigil.orders.models import ProtectiveOrder

START = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


def test_an_orders_state_in_words_follows_the_held_clock() -> None:
    order = ProtectiveOrder(status=OrderStatus.IN_FORCE, starts_at=START, expires_at=START + dt.timedelta(days=30))
    said = []
    for moment in (START - dt.timedelta(days=1), START + dt.timedelta(days=1), START + dt.timedelta(days=31)):
        with times.clock_at(moment):
            said.append(order.status_now())
    assert said == ["not yet in force", "in force", "expired"]
