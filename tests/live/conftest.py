"""Fixtures shared by the live tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live.test_live_equals_replay import ALTERED
from vigil.policy.config import DEFAULT_POLICY_PATH


@pytest.fixture
def edited_policy(tmp_path: Path) -> Path:
    """The shipped policy as a force might edit it (tests/live/test_live_equals_replay.ALTERED:
    other DASH bands, a three-level ladder, R11 off, other due times)."""
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    for old, new in ALTERED:
        text = text.replace(old, new)
    path = tmp_path / "edited.toml"
    path.write_text(text, encoding="utf-8")
    return path
