from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.factories import TeamFactory, UserFactory
from vigil.core.constants import Role


@pytest.fixture
def inspector(team: Any) -> Any:
    return UserFactory(username="inspector", role=Role.INSPECTOR, team=team)


@pytest.fixture
def superintendent(db: Any) -> Any:
    return UserFactory(username="superintendent", role=Role.SUPERINTENDENT, team=None)


@pytest.fixture
def colleague(team: Any) -> Any:
    """Another officer of the same team."""
    return UserFactory(username="colleague", role=Role.OFFICER, team=team)


@pytest.fixture
def neighbour_team(team: Any) -> Any:
    """Another team in the same area (the inspector's area)."""
    return TeamFactory(area=team.area)


@pytest.fixture
def password() -> str:
    return PASSWORD
