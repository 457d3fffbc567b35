from __future__ import annotations

from typing import Any

import pytest

from tests.actions.builders import policy_offline


@pytest.fixture(autouse=True)
def _policy_offline(monkeypatch: Any) -> None:
    policy_offline(monkeypatch)
    monkeypatch.setattr("vigil.warrants.services.policy_reevaluate", lambda **kwargs: None)
    monkeypatch.setattr("vigil.cases.services.policy_reevaluate", lambda **kwargs: None)
