from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from tests.actions.builders import reported
from tests.factories import PersonFactory, UserFactory
from vigil.bench.board import END, START, write_section
from vigil.cases.services import case_open
from vigil.core.benchmarks import percentile
from vigil.core.constants import Role

# The board's benchmark over actions the engine made from reports, at a held clock.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 50) == 50.0 and percentile(samples, 95) == 95.0 and percentile([7.0], 95) == 7.0


def test_the_section_replaces_only_itself(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n## Replay\nkept\n\n{START}\nold figures\n{END}\n\n## Linkage\nalso kept\n")
    write_section(doc, f"{START}\nnew figures\n{END}")
    text = doc.read_text()
    assert "new figures" in text and "old figures" not in text and "kept" in text and "also kept" in text
    write_section(tmp_path / "fresh.md", f"{START}\nfirst\n{END}")
    assert (tmp_path / "fresh.md").read_text().startswith("# Performance")


def test_bench_board_times_three_roles_and_names_indexes(officer: Any, supervisor: Any, tmp_path: Path) -> None:
    UserFactory(username="superintendent", role=Role.SUPERINTENDENT, team=None)
    # Three reports, each making three actions: an hour ago (level 1), 30 hours ago (due 6
    # hours ago: level 2) and 5 days ago (three days past due: level 4).
    for hours in (1, 30, 120):
        case = case_open(actor=officer, victim=PersonFactory(), subject=PersonFactory(), team=officer.team)
        assert len(reported(case, actor=officer, ago=dt.timedelta(hours=hours))) == 3
    out = tmp_path / "performance.md"
    out.write_text(f"# Performance\n\n{START}\n<!-- board:otherdb -->\nother figures\n<!-- /board:otherdb -->\n{END}\n")
    call_command("bench", "--output", str(out), "board", "--iterations", "10")
    text = out.read_text()
    # A run replaces its own database's figures and keeps the other database's.
    assert "other figures" in text and f"<!-- board:{connection.vendor} -->" in text
    assert START in text and END in text
    for who in (
        "| Officer | officer | 9 |",
        "| Supervisor (sergeant) | supervisor | 6 |",
        "| Superintendent | superintendent | 3 |",
    ):
        assert who in text
    assert "p95" in text and connection.vendor in text.lower()
