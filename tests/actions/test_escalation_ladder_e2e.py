"""One ladder: the live escalation job records the steps the engine's own ladder gives, up to
the policy's top level, under a force's policy with a three-level ladder (officer,
supervisor, inspector), and they are the steps replay records for the same facts. Each step
says who it was raised to in the words of the policy's own ladder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from tests.factories import PersonFactory
from vigil.actions import engine_adapter
from vigil.actions.escalation import escalate_due
from vigil.actions.models import Action, Escalation
from vigil.cases.services import case_open, report_record
from vigil.core import times
from vigil.policy.config import read_policy_file
from vigil.policy.engine import evaluate
from vigil.policy.facts import Person, Report, World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
HOUR = dt.timedelta(hours=1)

LADDER = """[ladder]
normal = [
  { after_hours = 0, level = 2 },
  { after_hours = 24, level = 3 },
  { after_hours = 72, level = 4 },
]
immediate = [
  { after_hours = 0, level = 2 },
  { after_hours = 1, level = 3 },
  { after_hours = 4, level = 4 },
]"""
THREE_LEVELS = """[ladder]
normal = [
  { after_hours = 0, level = 2 },
  { after_hours = 12, level = 3 },
]
immediate = [
  { after_hours = 0, level = 2 },
  { after_hours = 1, level = 3 },
]"""


SHIPPED_NAMES = """[ladder.level_names]
1 = "officer"
2 = "supervisor (sergeant)"
3 = "inspector"
4 = "superintendent"
"""
# A force that calls its levels otherwise (one name starts with a vowel: "an on-call inspector").
FORCE_NAMES = """[ladder.level_names]
1 = "investigator"
2 = "team leader"
3 = "on-call inspector"
"""


def _force_policy(tmp_path: Path, names: str) -> Iterator[Path]:
    text = (Path(settings.BASE_DIR) / "policies" / "default.toml").read_text(encoding="utf-8")
    assert text.count(LADDER) == 1 and text.count(SHIPPED_NAMES) == 1
    path = tmp_path / "three-levels.toml"
    path.write_text(text.replace(LADDER, THREE_LEVELS).replace(SHIPPED_NAMES, names), encoding="utf-8")
    with override_settings(VIGIL_POLICY=str(path)):
        yield path
    engine_adapter.policy.cache_clear()


@pytest.fixture
def three_levels(tmp_path: Path) -> Iterator[Path]:
    yield from _force_policy(tmp_path, SHIPPED_NAMES.replace('4 = "superintendent"\n', ""))


@pytest.fixture
def renamed_levels(tmp_path: Path) -> Iterator[Path]:
    yield from _force_policy(tmp_path, FORCE_NAMES)


def _replayed(path: Path, t0: dt.datetime, until: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """The escalations replay records for database_checks after the same report."""
    world = World(people={"V": Person("V", "Victim"), "P": Person("P", "Subject")})
    outcome = evaluate(read_policy_file(path), world, [Report(at=t0, victim="V", suspect="P", category="domestic_abuse")], until)
    [checks] = [a for a in outcome.actions if a.kind == "database_checks"]
    return list(checks.escalations)


def test_the_job_climbs_a_three_level_ladder_as_replay_does_and_stops_at_its_top(officer: Any, three_levels: Path) -> None:
    case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team, allocate=[officer])
    t0 = (times.now() - 30 * HOUR).replace(microsecond=0)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0)
    checks = Action.objects.get(case=case, kind="database_checks")
    due = t0 + 24 * HOUR
    assert checks.level == 2  # the bridge ran the ladder up to now: due 6 hours ago

    def stored() -> list[tuple[dt.datetime, int]]:
        return list(Escalation.objects.filter(action=checks).order_by("level").values_list("at", "level"))

    run = escalate_due(now=due + 13 * HOUR)
    assert run.recorded >= 1
    assert stored() == [(due, 2), (due + 12 * HOUR, 3)] == _replayed(three_levels, t0, due + 13 * HOUR)
    checks.refresh_from_db()
    assert checks.level == 3
    # Level 3 is this force's top: later runs neither look at the action nor add a level 4.
    later = escalate_due(now=due + 30 * 24 * HOUR)
    assert (later.checked, later.recorded) == (0, 0)
    assert not Action.objects.filter(pk=checks.pk, level__gt=3).exists()
    assert stored() == _replayed(three_levels, t0, due + 30 * 24 * HOUR)


def test_with_the_shipped_ladder_the_same_action_goes_on_to_level_4(officer: Any) -> None:
    case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team, allocate=[officer])
    t0 = (times.now() - 30 * HOUR).replace(microsecond=0)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0)
    checks = Action.objects.get(case=case, kind="database_checks")
    until = t0 + 24 * HOUR + 30 * 24 * HOUR
    escalate_due(now=until)
    stored = list(Escalation.objects.filter(action=checks).order_by("level").values_list("at", "level"))
    assert [level for _, level in stored] == [2, 3, 4]
    assert stored == _replayed(Path(settings.BASE_DIR) / "policies" / "default.toml", t0, until)


def test_each_step_names_the_level_as_the_forces_ladder_names_it(officer: Any, renamed_levels: Path) -> None:
    case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team, allocate=[officer])
    t0 = (times.now() - 30 * HOUR).replace(microsecond=0)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0)
    checks = Action.objects.get(case=case, kind="database_checks")
    escalate_due(now=t0 + 37 * HOUR)  # the store path recorded level 2; the job records level 3
    reasons = list(Escalation.objects.filter(action=checks).order_by("level").values_list("level", "reason"))
    assert reasons == [
        (2, "not done by its due time: raised to a team leader"),
        (3, "not done by its due time: raised to an on-call inspector"),
    ]


def test_under_the_shipped_policy_the_steps_name_the_shipped_levels(officer: Any) -> None:
    case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team, allocate=[officer])
    t0 = (times.now() - 30 * HOUR).replace(microsecond=0)
    report_record(actor=officer, case=case, category="domestic_abuse", reported_at=t0)
    checks = Action.objects.get(case=case, kind="database_checks")
    escalate_due(now=t0 + 24 * HOUR + 80 * HOUR)
    reasons = list(Escalation.objects.filter(action=checks).order_by("level").values_list("reason", flat=True))
    assert reasons == [
        "not done by its due time: raised to a supervisor (sergeant)",
        "not done by its due time: raised to an inspector",
        "not done by its due time: raised to a superintendent",
    ]


def _level_filter(client: Any, user: Any) -> list[str]:
    import re

    from django.urls import reverse

    client.force_login(user)
    page = client.get(reverse("action_board")).content.decode()
    return re.findall(r'name="level" type="checkbox" value="(\d)"[^>]*>\s*<label[^>]*>\s*([^<]+?)\s*</label>', page)


def test_the_boards_level_filter_offers_the_forces_own_levels(client: Any, officer: Any, renamed_levels: Path) -> None:
    assert _level_filter(client, officer) == [("1", "1: investigator"), ("2", "2: team leader"), ("3", "3: on-call inspector")]


def test_the_boards_level_filter_offers_the_shipped_levels(client: Any, officer: Any) -> None:
    assert _level_filter(client, officer) == [
        ("1", "1: officer"),
        ("2", "2: supervisor (sergeant)"),
        ("3", "3: inspector"),
        ("4", "4: superintendent"),
    ]
