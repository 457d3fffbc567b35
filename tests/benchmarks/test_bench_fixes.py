from __future__ import annotations

import re
from pathlib import Path

from django.core.management import call_command


def test_bench_fixes_writes_its_own_section(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\n<!-- bench:board -->\nboard figures\n<!-- /bench:board -->\n", encoding="utf-8")
    call_command("bench", "--output", str(out), "fixes", "--zones", "200", "--fixes", "20000", "--batch", "5000", "--runs", "2")
    text = out.read_text(encoding="utf-8")
    assert "board figures" in text
    section = text.split("<!-- bench:fixes -->", 1)[1].split("<!-- /bench:fixes -->", 1)[0]
    assert "**200 exclusion zones**" in section and "20,000 fixes" in section
    rate = re.search(r"fixes per second per core \(CPU time\) \| \*\*([\d,]+)\*\*", section)
    assert rate is not None and int(rate.group(1).replace(",", "")) > 0
    pairs = re.search(r"\(fix, zone\) pairs measured \| ([\d,]+)", section)
    assert pairs is not None and int(pairs.group(1).replace(",", "")) > 0
