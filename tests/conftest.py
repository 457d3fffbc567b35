from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TeamFactory, UserFactory
from vigil.core.constants import Role

PASSWORD = "correct horse battery staple"


@pytest.fixture
def team(db: Any) -> Any:
    return TeamFactory()


@pytest.fixture
def officer(team: Any) -> Any:
    return UserFactory(username="officer", role=Role.OFFICER, team=team)


@pytest.fixture
def supervisor(team: Any) -> Any:
    return UserFactory(username="supervisor", role=Role.SUPERVISOR, team=team)


@pytest.fixture
def outsider(db: Any) -> Any:
    """An officer of another team in another area, who must see nothing of `team`'s cases."""
    return UserFactory(username="outsider", role=Role.OFFICER, team=TeamFactory())
