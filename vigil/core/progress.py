"""A progress bar on a terminal, silence elsewhere (CI logs, pipes)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], *, total: int, description: str) -> Iterator[T]:
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import track

    yield from track(items, total=total, description=description, console=None, transient=False)


@contextmanager
def counting(*, total: int, description: str, unit: str) -> Iterator[Callable[[int], None]]:
    """A bar with a rate (`1,234 rows/s`) on a terminal; yields `advance(n)`. Silence elsewhere."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task(description, total=total, rate="")
        started = time.perf_counter()
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, advance=n, rate=f"{rate:,.0f} {unit}/s")

        yield advance
