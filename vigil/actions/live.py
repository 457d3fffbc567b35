"""The live system's bridge to the pure policy engine (filled in once the engine lands)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def policy_reevaluate(*, person_ids: Iterable[int], actor: Any) -> None:
    return None
