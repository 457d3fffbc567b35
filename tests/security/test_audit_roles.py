"""On PostgreSQL the application connects as a role that cannot empty or alter the audit trail
(issue 14, defect 6): the probe's `SET vigil.audit_maintenance=on; TRUNCATE audit_auditevent;
DELETE FROM audit_audithead;` fails at every step. scripts/with-postgres.sh creates the two
roles; the suite runs as the application's."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from vigil.audit.models import AuditEvent, AuditHead
from vigil.audit.verify import verify_chain
from vigil.core.dbroles import app_credentials, two_roles
from vigil.people.services import place_create

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

ATTEMPTS = [
    "SET vigil.audit_maintenance = on; TRUNCATE audit_auditevent",
    "TRUNCATE audit_auditevent CASCADE",
    "DELETE FROM audit_auditevent",
    "UPDATE audit_auditevent SET actor_label = 'x'",
    "DELETE FROM audit_audithead",
    "TRUNCATE audit_audithead",
    "UPDATE audit_audithead SET seq = 1",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "ALTER TABLE audit_audithead DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_auditevent_no_update_delete ON audit_auditevent",
    "SET session_replication_role = replica",
]


@pytest.fixture(autouse=True)
def _two_roles() -> None:
    if connection.vendor != "postgresql" or not two_roles():
        pytest.fail("run on PostgreSQL with the owner and application roles: scripts/with-postgres.sh sets them up")


def test_the_suite_runs_as_the_application_role_which_owns_nothing() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_credentials()["USER"]
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("sql", ATTEMPTS)
def test_the_application_role_cannot_empty_or_alter_the_trail(sql: str) -> None:
    for n in range(3):
        place_create(actor="test", address=f"{n} Example Road")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        for statement in sql.split(";"):
            cursor.execute(statement)
    assert AuditEvent.objects.count() == 3
    assert AuditHead.objects.get().seq == 3
    assert verify_chain().ok


def test_the_head_never_moves_back_nor_to_a_row_that_is_not_there() -> None:
    for n in range(3):
        place_create(actor="test", address=f"{n} Example Road")
    first = AuditEvent.objects.get(seq=1)
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        AuditHead.objects.filter(pk=1).update(seq=1, hash=first.hash)
    with pytest.raises(DatabaseError, match="must name a row"), transaction.atomic():
        AuditHead.objects.filter(pk=1).update(seq=9, hash="f" * 64)
    assert AuditHead.objects.get().seq == 3
