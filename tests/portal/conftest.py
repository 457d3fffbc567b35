from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import PersonFactory
from vigil.cases.models import Case
from vigil.cases.services import case_open
from vigil.core import times
from vigil.core.constants import RelationshipKind
from vigil.people.models import Person
from vigil.people.services import relationship_create
from vigil.portal.constants import AccessMethod
from vigil.portal.models import Helpline
from vigil.portal.services import IssuedAccess, reporting_access_issue


def seed_helplines() -> None:
    """The data migration's entries (a transactional test may have emptied the table)."""
    if not Helpline.objects.exists():
        migration = importlib.import_module("vigil.portal.migrations.0002_seed_helplines")
        for entry in migration.HELPLINES:
            Helpline.objects.create(**entry)


@pytest.fixture
def helplines(db: Any) -> None:
    seed_helplines()


@dataclass
class World:
    case: Case
    victim: Person
    subject: Person
    son: Person


def build_world(officer: Any) -> World:
    victim = PersonFactory(full_name="Ruth Almond")
    subject = PersonFactory(full_name="Desmond Kittering")
    son = PersonFactory(full_name="Owen Almond")
    case = case_open(actor=officer, victim=victim, subject=subject, team=officer.team, allocate=[officer])
    relationship_create(actor=officer, a=victim, b=son, kind=RelationshipKind.FAMILY)
    return World(case=case, victim=victim, subject=subject, son=son)


@pytest.fixture
def world(officer: Any) -> World:
    return build_world(officer)


def issue(
    officer: Any, world: World, *, person: Person | None = None, method: str = AccessMethod.PIN, days: float = 7
) -> IssuedAccess:
    person = person or world.son
    return reporting_access_issue(
        actor=officer,
        case=world.case,
        reporter_person=person,
        expires_at=times.now() + dt.timedelta(days=days),
        method=method,
        victim_consent=person.pk != world.victim.pk,
    )


def sign_in(client: Client, issued: IssuedAccess) -> Any:
    return client.post("/report", {"reference": issued.reference, "pin": issued.pin})


def report_data(client: Client, **overrides: Any) -> dict[str, Any]:
    now = timezone.localtime(times.now()) - dt.timedelta(minutes=30)
    data = {
        "portal_token": client.session.get("portal_form_token", ""),
        "kind": "sighting",
        "day": now.day,
        "month": now.month,
        "year": now.year,
        "time": now.strftime("%H:%M"),
        "where": "Outside the newsagent on Mill Lane",
        "seen_by": "reporter",
        "details": "Grey hoodie, stood by the bus stop",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
