from __future__ import annotations

import re
from pathlib import Path

from django.core.management import call_command

from vigil.core.benchmarks import markers, write_named_section


def test_bench_replay_writes_its_section_with_figures(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    start, end = markers("board")
    out.write_text(f"# Performance\n\n{start}\nboard figures\n{end}\n", encoding="utf-8")
    call_command("bench", "--output", str(out), "replay", "--events", "300", "--runs", "2")
    text = out.read_text(encoding="utf-8")
    assert "board figures" in text
    section = text.split("<!-- bench:replay -->", 1)[1].split("<!-- /bench:replay -->", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith("| 300 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert float(cells[1]) > 0 and int(cells[2].replace(",", "")) > 0 and cells[3] == "20,000" and float(cells[4]) > 0
    assert re.search(r"Measured \d{4}-\d\d-\d\d \d\d:\d\d UTC on .+Python 3\.\d+", section)


def test_a_second_write_replaces_the_section(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    write_named_section(out, "replay", "first")
    write_named_section(out, "replay", "second")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Performance") and "second" in text and "first" not in text
    assert text.count("<!-- bench:replay -->") == 1
