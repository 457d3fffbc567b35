"""Narratives and addresses are encrypted at rest, and `vigil keys rotate` loses nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tests.factories import PersonFactory, PlaceFactory, TeamFactory
from vigil.audit.verify import verify_chain
from vigil.cases.models import Case, Report
from vigil.core.crypto import DecryptionError, decrypt, encrypt, generate_key, key_id_of, parse_keyring

pytestmark = pytest.mark.django_db

OLD = "old1:" + "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE="
NEW_KEY = generate_key("new1")


def _stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test-only, fixed names
        return str(cursor.fetchone()[0])


def _report(summary: str) -> Report:
    victim, subject = PersonFactory(), PersonFactory()
    case = Case.objects.create(
        reference=f"VG-ENC-{victim.pk}", victim=victim, subject=subject, team=TeamFactory(), created_at=timezone.now()
    )
    return Report.objects.create(
        case=case,
        category="stalking",
        reported_at=timezone.now() - dt.timedelta(hours=1),
        victim_record=victim,
        summary=summary,
        recorded_at=timezone.now(),
    )


def test_narratives_and_addresses_are_ciphertext_in_the_database() -> None:
    report = _report("He said he would find her new address.")
    place = PlaceFactory(address="1 Hidden Refuge Lane", protected=True)
    stored_summary = _stored("cases_report", "summary", report.pk)
    stored_address = _stored("people_place", "address", place.pk)
    assert "find her" not in stored_summary and stored_summary.startswith("vgl1:test2:")
    assert "Refuge" not in stored_address and stored_address.startswith("vgl1:test2:")
    assert Report.objects.get(pk=report.pk).summary == "He said he would find her new address."
    assert type(place).objects.get(pk=place.pk).address == "1 Hidden Refuge Lane"


def test_the_same_text_encrypts_differently_each_time() -> None:
    assert encrypt("same", context="x.y.z") != encrypt("same", context="x.y.z")


def test_a_changed_or_moved_ciphertext_does_not_decrypt() -> None:
    token = encrypt("secret narrative", context="cases.report.summary")
    with pytest.raises(DecryptionError):
        decrypt(token, context="cases.sighting.summary")  # copied into another column
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(DecryptionError):
        decrypt(tampered, context="cases.report.summary")


@pytest.mark.parametrize(
    "ring",
    [
        "",
        "nocolon",
        "k1:not-base64!",
        "k1:" + "c2hvcnQ=",
        "k1:b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE=,k1:b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE=",
    ],
)
def test_a_bad_key_ring_is_refused_with_a_reason(ring: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="VIGIL_FIELD_KEYS"):
        parse_keyring(ring)


def test_rotation_re_encrypts_everything_under_the_new_key_and_loses_nothing() -> None:
    texts = [f"Narrative number {n}: <script>alert({n})</script> ünïcødé" for n in range(7)]
    with override_settings(VIGIL_FIELD_KEYS=OLD):
        reports = [_report(t) for t in texts]
        places = [PlaceFactory(address=f"{n} Old Key Street") for n in range(3)]
        empty = _report("")
        assert {key_id_of(_stored("cases_report", "summary", r.pk)) for r in reports} == {"old1"}
    # A new key goes first; the old one stays until rotation is done.
    with override_settings(VIGIL_FIELD_KEYS=f"{NEW_KEY},{OLD}"):
        out = StringIO()
        call_command("keys", "rotate", stdout=out)
        assert "every value is under key new1" in out.getvalue()
        assert {key_id_of(_stored("cases_report", "summary", r.pk)) for r in reports} == {"new1"}
        assert _stored("cases_report", "summary", empty.pk) == ""
        call_command("keys", "rotate", stdout=StringIO())  # safe to run twice
    # With the old key gone, every value still reads back exactly.
    with override_settings(VIGIL_FIELD_KEYS=NEW_KEY):
        assert [Report.objects.get(pk=r.pk).summary for r in reports] == texts
        assert [type(p).objects.get(pk=p.pk).address for p in places] == [f"{n} Old Key Street" for n in range(3)]
        status = StringIO()
        call_command("keys", "status", stdout=status)
        assert "old1" not in status.getvalue()
    assert verify_chain().ok  # the rotation itself is on the audit trail


def test_without_the_old_key_values_under_it_cannot_be_read() -> None:
    with override_settings(VIGIL_FIELD_KEYS=OLD):
        report = _report("under the old key")
    with override_settings(VIGIL_FIELD_KEYS=NEW_KEY), pytest.raises(DecryptionError):
        Report.objects.get(pk=report.pk)


def test_plaintext_written_before_encryption_is_encrypted_by_rotation() -> None:
    report = _report("placeholder")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_report SET summary = %s WHERE id = %s", ["written before encryption", report.pk])
    assert Report.objects.get(pk=report.pk).summary == "written before encryption"
    call_command("keys", "rotate", stdout=StringIO())
    assert key_id_of(_stored("cases_report", "summary", report.pk)) == "test2"
    assert Report.objects.get(pk=report.pk).summary == "written before encryption"


def test_encrypted_columns_cannot_be_searched_by_mistake() -> None:
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Report.objects.filter(summary__icontains="x"))
