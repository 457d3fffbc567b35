from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture
def client_for() -> Any:
    def make(user: Any) -> Client:
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return make


@pytest.fixture
def gazetteer(db: Any, tmp_path: Path) -> None:
    """A few invented postcodes, loaded through the real command."""
    from django.core.management import call_command

    path = tmp_path / "postcodes.csv"
    path.write_text("postcode,latitude,longitude\nVG1 1AA,51.527,-0.187\nVG1 2BB,51.529,-0.189\nVG2 3CC,51.531,-0.180\n")
    call_command("gazetteer", "load", str(path))
