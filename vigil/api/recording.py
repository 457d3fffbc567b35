"""Record a checked batch through the shared event path."""

from __future__ import annotations

from typing import Any

from vigil.api.batch import CheckedBatch


def record_batch(checked: CheckedBatch) -> dict[str, Any]:
    raise NotImplementedError
