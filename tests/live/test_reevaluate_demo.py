"""`vigil policy reevaluate --dry-run` on the demo force (issue 13, "works on the demo
force"): a small `vigil demo-data` force, re-applied at its own anchor under the shipped
policy and then under a force's edited one. The dry run writes nothing either way; under
the shipped policy it finds the demo already following it, and under the edited policy it
names changes in words, case by case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from tests.live.test_policy_reevaluate import reevaluate, stored
from vigil.actions import engine_adapter
from vigil.core import times
from vigil.demo.data import build_demo

pytestmark = pytest.mark.django_db

ANCHOR = dt.datetime(2026, 3, 10, 17, 0, tzinfo=ZoneInfo("Europe/London"))  # a Tuesday, as tests/core/test_demo.py


def test_the_dry_run_on_the_demo_force_writes_nothing_and_names_what_an_edit_would_change(edited_policy: Path) -> None:
    build_demo(cases=12, seed=2022, anchor=ANCHOR)
    before = stored()
    assert before["actions"] and before["cases"]
    with times.clock_at(ANCHOR):
        shipped = reevaluate("--dry-run")
        assert shipped[0].startswith("Dry run: policy ") and shipped[-1].endswith("Nothing was written.")
        assert shipped[1] == "  none: the stored cases already follow this policy.", shipped
        with override_settings(VIGIL_POLICY=str(edited_policy)):
            edited = reevaluate("--dry-run")
        engine_adapter.policy.cache_clear()
    assert stored() == before  # neither dry run wrote a row or an audit row
    changes = edited[1:-1]
    assert changes and not any("none:" in line for line in changes)
    assert any(": due " in line and "(was " in line for line in changes), changes
    assert edited[-1].startswith("In all: ") and edited[-1].endswith("Nothing was written.")
