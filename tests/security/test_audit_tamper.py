"""Tampering with the audit table, directly in the database, is always detected."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tests.dbowner import owner_sql
from vigil.audit.models import AuditEvent, AuditHead
from vigil.audit.services import compute_hash, row_content
from vigil.audit.verify import verify_chain
from vigil.people.services import place_create

# Tampering is done as the tables' owner on its own connection (tests/dbowner.py), so the rows
# it changes must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def _rows(n: int = 5) -> None:
    for i in range(n):
        place_create(actor="test", address=f"{i} Example Road", lat=51.5, lon=-0.1)


def _sql(sql: str, params: list[object] | None = None) -> None:
    owner_sql(sql, params)


def _verify() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_an_intact_trail_exits_0() -> None:
    _rows()
    code, out, _ = _verify()
    assert code == 0
    assert "intact: 5 rows" in out


def test_a_changed_row_exits_1_naming_it() -> None:
    _rows()
    _sql("UPDATE audit_auditevent SET actor_label = %s WHERE seq = 3", ["someone else"])
    code, _, err = _verify()
    assert code == 1
    assert "seq 3" in err and "changed" in err


def test_a_deleted_row_in_the_middle_exits_1() -> None:
    _rows()
    _sql("DELETE FROM audit_auditevent WHERE seq = 2")
    code, _, err = _verify()
    assert code == 1
    assert "row seq 3" in err


def test_a_deleted_tail_is_caught_by_the_signed_head() -> None:
    _rows()
    _sql("DELETE FROM audit_auditevent WHERE seq >= 4")
    assert AuditEvent.objects.count() == 3
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == 4
    code, _, err = _verify()
    assert code == 1 and "rows after seq 3 are missing" in err


def test_an_inserted_row_with_a_correct_hash_is_caught_by_the_signed_head() -> None:
    """Anyone can compute SHA-256: a forged row appended at the end has a valid hash, but the
    head (signed with a key that is not in the database) still names the real last row."""
    _rows(3)
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    forged = AuditEvent(
        seq=4, at=last.at, actor_label="forger", action="case.view", object_type="cases.case", object_id="1", prev_hash=last.hash
    )
    forged.hash = compute_hash(forged.prev_hash, row_content(forged))
    _sql(
        "INSERT INTO audit_auditevent (seq, at, actor_label, action, object_type, object_id, request_id, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, '', %s, %s)",
        [4, last.at, "forger", "case.view", "cases.case", "1", forged.prev_hash, forged.hash],
    )
    code, _, err = _verify()
    assert code == 1 and "row seq 4 was added after the signed head" in err


def test_an_inserted_row_in_the_middle_is_caught() -> None:
    _rows(3)
    _sql("UPDATE audit_auditevent SET seq = seq + 10 WHERE seq >= 2")
    first = AuditEvent.objects.get(seq=1)
    _sql(
        "INSERT INTO audit_auditevent (seq, at, actor_label, action, object_type, object_id, request_id, prev_hash, hash) "
        "VALUES (2, %s, 'forger', 'x', 't', '1', '', %s, %s)",
        [first.at, first.hash, "f" * 64],
    )
    result = verify_chain()
    assert not result.ok and result.first_broken_seq == 2


def test_a_rewritten_chain_is_caught_because_the_head_cannot_be_re_signed() -> None:
    _rows(3)
    # Rewrite every row consistently (the hashes alone would not show it) ...
    prev = "0" * 64
    for event in AuditEvent.objects.order_by("seq"):
        event.actor_label = "rewritten"
        event.prev_hash = prev
        event.hash = compute_hash(prev, row_content(event))
        _sql(
            "UPDATE audit_auditevent SET actor_label=%s, prev_hash=%s, hash=%s WHERE id=%s",
            [event.actor_label, prev, event.hash, event.pk],
        )
        prev = event.hash
    # ... and point the head at the new end without the key.
    AuditHead.objects.filter(pk=1).update(hash=prev)
    result = verify_chain()
    assert not result.ok and "signature" in result.problem


def test_deleting_everything_including_the_head_is_caught_by_an_external_anchor() -> None:
    _rows(3)
    out = StringIO()
    call_command("audit", "head", stdout=out)
    head = json.loads(out.getvalue())
    anchor = f"{head['seq']}:{head['hash']}"
    _sql("DELETE FROM audit_auditevent")
    _sql("DELETE FROM audit_audithead")
    assert verify_chain().ok  # an empty trail looks new from inside the database ...
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", "--expect", anchor, stdout=StringIO(), stderr=StringIO())
    assert raised.value.returncode == 1  # ... but not against the head recorded outside it


def test_postgresql_refuses_update_and_delete_on_the_audit_table() -> None:
    _rows(2)
    if connection.vendor != "postgresql":
        # SQLite has no trigger; the chain and the signed head are the protection there.
        _sql("UPDATE audit_auditevent SET action = 'x' WHERE seq = 1")
        assert not verify_chain().ok
        return
    for sql in ("UPDATE audit_auditevent SET action = 'x' WHERE seq = 1", "DELETE FROM audit_auditevent WHERE seq = 1"):
        # Refused by the privileges the application's role lacks, or (one role) by the trigger.
        with (
            pytest.raises(DatabaseError, match="append-only|permission denied"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert verify_chain().ok


# --- an emptied or shortened trail (issue 14, defect 6) -------------------------------------------


def test_an_empty_trail_is_not_intact() -> None:
    code, _, err = _verify()
    assert code == 1 and "the trail is empty" in err
    out = StringIO()
    call_command("audit", "verify", "--allow-empty", stdout=out)
    assert "intact: 0 rows" in out.getvalue()


def test_a_trail_emptied_with_its_head_fails_against_the_last_checkpoint() -> None:
    _rows(4)
    assert _verify()[0] == 0  # writes the checkpoint: 4 rows up to seq 4
    _sql("DELETE FROM audit_auditevent")
    _sql("DELETE FROM audit_audithead")
    code, _, err = _verify()
    assert code == 1 and "rows were removed" in err
    # --allow-empty is for a new installation, not for a trail that had rows.
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--allow-empty", stdout=StringIO(), stderr=StringIO())


def test_a_shortened_trail_with_a_head_moved_back_fails_against_the_last_checkpoint() -> None:
    """Cut the last rows and point a (re-signed, as by someone holding the key) head at the new
    end: the chain and the head agree, but the checkpoint remembers 5 rows."""
    from vigil.audit.services import head_mac

    _rows(5)
    assert _verify()[0] == 0
    third = AuditEvent.objects.get(seq=3)
    _sql("DELETE FROM audit_auditevent WHERE seq > 3")
    _sql("UPDATE audit_audithead SET seq = 3, hash = %s, mac = %s", [third.hash, head_mac(3, third.hash)])
    assert verify_chain().ok
    code, _, err = _verify()
    assert code == 1 and "had 5 rows up to seq 5" in err


def test_a_changed_checkpoint_is_refused() -> None:
    from pathlib import Path

    from django.conf import settings as django_settings

    _rows(2)
    assert _verify()[0] == 0
    path = Path(django_settings.VIGIL_AUDIT_CHECKPOINT)
    path.write_text(path.read_text().replace('"rows": 2', '"rows": 1'))
    code, _, err = _verify()
    assert code == 1 and "does not match its signature" in err
