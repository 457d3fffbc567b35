from __future__ import annotations

import pytest
from django.db import transaction

from tests.dbowner import owner_sql
from vigil.audit.models import AuditEvent
from vigil.audit.services import AuditEntry, AuditError, audit_record, audit_record_many, encrypted_digest
from vigil.audit.verify import verify_chain
from vigil.people.services import place_create

pytestmark = pytest.mark.django_db


def _three_rows() -> None:
    for n in range(3):
        place_create(actor="test", address=f"{n} Example Road", lat=51.5, lon=-0.1)


def test_every_service_write_leaves_a_chained_audit_row() -> None:
    _three_rows()
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[1].prev_hash == rows[0].hash
    # Addresses are encrypted at rest, so the trail keeps a keyed digest, not the address.
    assert rows[0].new["address"] == encrypted_digest("0 Example Road")
    assert "Example Road" not in str(rows[0].new)
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_audit_refuses_to_write_outside_a_transaction() -> None:
    with pytest.raises(AuditError, match="inside the service's transaction"):
        audit_record(actor="test", action="x", object_type="t", object_id=1)


def _raw(sql: str, params: list[object]) -> None:
    owner_sql(sql, params)


@pytest.mark.django_db(transaction=True)  # tampering is done as the owner, on committed rows
@pytest.mark.parametrize("tamper", ["change", "delete"])
def test_verify_names_the_first_broken_row(tamper: str) -> None:
    _three_rows()
    second = AuditEvent.objects.get(seq=2)
    if tamper == "change":
        _raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged", second.pk])
    else:
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    result = verify_chain()
    assert not result.ok
    assert result.first_broken_seq == (2 if tamper == "change" else 3)


def test_a_failed_service_leaves_no_audit_row_behind() -> None:
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - any failure must roll back both
        place_create(actor="test", address="1 Example Road", lat=51.5, lon=-0.1)
        raise RuntimeError("the service failed after writing")
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # tampering is done as the owner, on committed rows
def test_bulk_append_continues_the_chain_as_single_rows_would() -> None:
    """`audit_record_many` (the bulk re-evaluation's writer) chains, signs and stores its rows
    so that `audit verify` accepts them between single rows, over more than one statement."""
    _three_rows()
    entries = [
        AuditEntry(
            actor_label="policy",
            action="action.update",
            object_type="actions.action",
            object_id=str(n),
            case_id=None,
            old={"status": "open"},
            new={"status": "cancelled", "n": n},
        )
        for n in range(1_205)
    ]
    with transaction.atomic():
        assert audit_record_many(entries) == 1_205
    place_create(actor="test", address="After Road", lat=51.5, lon=-0.1)
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, 3 + 1_205 + 2))
    bulk = rows[3:-1]
    assert bulk[0].prev_hash == rows[2].hash and rows[-1].prev_hash == bulk[-1].hash
    assert bulk[-1].new == {"status": "cancelled", "n": 1_204} and bulk[0].actor_label == "policy" and bulk[0].actor is None
    assert verify_chain().ok
    _raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged", bulk[600].pk])
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == bulk[600].seq


@pytest.mark.django_db(transaction=True)
def test_bulk_append_refuses_to_write_outside_a_transaction() -> None:
    with pytest.raises(AuditError, match="inside the service's transaction"):
        audit_record_many([AuditEntry(actor_label="x", action="x", object_type="t", object_id="1", case_id=None)])
    assert audit_record_many([]) == 0
