"""A progress bar on a terminal, silence elsewhere (CI logs, pipes)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], *, total: int, description: str) -> Iterator[T]:
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import track

    yield from track(items, total=total, description=description, console=None, transient=False)
