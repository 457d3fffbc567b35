"""`vigil demo-data` stopped half-way leaves nothing behind (issue 14, defect 15): it used to
commit case by case, so a rerun failed on a duplicate order reference and `--if-empty` kept
the partial force without a word."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from vigil.cases.models import Case
from vigil.demo.data import DemoBuilder
from vigil.orders.models import ProtectiveOrder
from vigil.people.models import Person

pytestmark = pytest.mark.django_db


class Stopped(BaseException):
    """What the process sees of a kill: nothing more runs (a BaseException, so no handler catches it)."""


def _stop_after(monkeypatch: Any, cases: int) -> None:
    build = DemoBuilder.build_case

    def build_then_stop(self: DemoBuilder, index: int, serial: list[Person]) -> None:
        build(self, index, serial)
        if index + 1 == cases:
            raise Stopped

    monkeypatch.setattr(DemoBuilder, "build_case", build_then_stop)


def test_a_run_stopped_half_way_leaves_nothing_and_a_rerun_builds_the_whole_force(monkeypatch: Any) -> None:
    _stop_after(monkeypatch, 3)
    with pytest.raises(Stopped):
        call_command("demo-data", "--cases", "5", "--seed", "7", stdout=StringIO())
    assert Case.objects.count() == 0 and Person.objects.count() == 0 and ProtectiveOrder.objects.count() == 0
    monkeypatch.undo()
    out = StringIO()
    call_command("demo-data", "--cases", "5", "--seed", "7", "--if-empty", stdout=out)
    assert "Built 5 cases" in out.getvalue()
    assert Case.objects.count() == 5
