"""A test-only clock the live server reads: every service, form and policy run asks
`vigil.core.times.now()`, which this fixture replaces in the test process (the live server is
a thread of it), so an officer's pages can be driven at a scenario's times. Nothing of it
exists outside the tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from vigil.core import times


@dataclass
class FrozenClock:
    moment: dt.datetime | None = None

    def set(self, moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the frozen clock needs a time zone")
        self.moment = moment

    def now(self) -> dt.datetime:
        if self.moment is None:
            raise RuntimeError("the frozen clock was read before it was set")
        return self.moment


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FrozenClock]:
    clock = FrozenClock()
    monkeypatch.setattr(times, "now", clock.now)
    yield clock
