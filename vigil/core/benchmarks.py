"""What every `vigil bench …` shares: the machine it ran on, and writing one marked section
of docs/performance.md while keeping every other section (each benchmark owns its own
`<!-- bench:NAME -->` … `<!-- /bench:NAME -->` pair)."""

from __future__ import annotations

import math
import os
import platform
import re
import statistics
from collections.abc import Sequence
from pathlib import Path

HEADER = "# Performance\n\nFigures written by `vigil bench …`.\n"


def markers(name: str) -> tuple[str, str]:
    """The opening and closing markers of the section `name` (e.g. `replay`)."""
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def write_section(path: Path, section: str, *, start: str, end: str) -> None:
    """Replace the text between `start` and `end` (markers included) with `section`, or add
    `section` at the end of the file when the markers are not there yet."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def read_named_section(path: Path, name: str) -> str | None:
    """The text between the markers of `name` (markers left out), or None when the file or
    the section is not there yet."""
    start, end = markers(name)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start not in text or end not in text:
        return None
    return text.split(start, 1)[1].split(end, 1)[0]


def write_named_section(path: Path, name: str, body: str) -> None:
    """Write `body` between the markers of `name`."""
    start, end = markers(name)
    write_section(path, f"{start}\n{body.strip()}\n\n{end}", start=start, end=end)


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or platform.machine()
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else platform.machine()


def machine_summary() -> str:
    """One line naming the machine: CPU model, core count, OS (the Python version is the
    caller's to add, next to its other software versions)."""
    cores = os.cpu_count() or 1
    return f"{cpu_model()}, {cores} core{'s' if cores != 1 else ''} ({platform.system()} {platform.release()})"


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of the samples."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return float(ordered[rank - 1])


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples) if samples else 0.0
