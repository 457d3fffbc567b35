"""`vigil bench import` and `vigil bench api` (small runs): each records every generated row
through its path, policy applied, and writes its own section of performance.md, keeping the
others; both refuse a database that already holds people."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import PersonFactory
from vigil.actions.models import Action
from vigil.api.models import ReceivedEvent

pytestmark = pytest.mark.django_db


def _section(path: Path, name: str) -> str:
    return path.read_text(encoding="utf-8").split(f"<!-- bench:{name} -->", 1)[1].split(f"<!-- /bench:{name} -->", 1)[0]


@pytest.mark.parametrize(("name", "args"), [("import", ["--rows", "12", "--batch-size", "5"]), ("api", ["--events", "8"])])
def test_the_interop_benches_record_every_row_and_write_their_own_section(tmp_path: Path, name: str, args: list[str]) -> None:
    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\n<!-- bench:board -->\nboard figures\n<!-- /bench:board -->\n", encoding="utf-8")
    call_command("bench", "--output", str(out), name, *args)
    section = _section(out, name)
    assert "board figures" in out.read_text(encoding="utf-8")
    rows = re.search(r"\| rows \(events\) \| ([\d,]+) \(([\d,]+) recorded, policy applied: ([\d,]+) actions created\)", section)
    assert rows is not None, section
    events, recorded, actions = (int(g.replace(",", "")) for g in rows.groups())
    assert events == recorded == ReceivedEvent.objects.count() > 0
    assert actions > 0 and Action.objects.count() >= actions
    assert re.search(r"rows per CPU second\*\* \|", section) and "load average (1 min)" in section
    assert f"`vigil bench {name} " in section


def test_a_database_holding_people_is_refused(tmp_path: Path) -> None:
    PersonFactory()
    with pytest.raises(CommandError, match="empty database"):
        call_command("bench", "--no-write", "import", "--rows", "10")
