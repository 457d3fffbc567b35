from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.factories import PersonFactory
from vigil.cases.models import Case
from vigil.cases.services import case_open


@pytest.fixture
def case(officer: Any) -> Case:
    return case_open(
        actor=officer,
        victim=PersonFactory(full_name="Priya Hallworth"),
        subject=PersonFactory(full_name="Dominic Teague"),
        team=officer.team,
    )


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def dash_answers(yes: int, *, not_known: int = 0) -> dict[int, str]:
    """A DASH with `yes` yes answers (from question 1 up), then `not_known` not-known, the rest no."""
    answers: dict[int, str] = {}
    for n in range(1, 25):
        answers[n] = "yes" if n <= yes else "not_known" if n <= yes + not_known else "no"
    return answers
