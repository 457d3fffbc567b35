"""`vigil audit verify`: walk the hash-chained audit trail; `vigil audit head`: print the
signed head, for copying to a store outside the database (see docs/security.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.audit.models import AuditEvent, AuditHead
from vigil.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail (verify) or print its signed head (head)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,head}")
        verify = sub.add_parser("verify", help="Walk the chain. Exit 0 if intact, 1 naming the first broken row.")
        verify.add_argument(
            "--expect",
            metavar="SEQ:HASH",
            help="A head printed earlier by `vigil audit head`: the chain must still hold that row with that hash.",
        )
        sub.add_parser("head", help="Print the signed head as JSON, for an external log.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "head":
            head = AuditHead.objects.filter(pk=1).first()
            payload = {"seq": head.seq, "hash": head.hash, "mac": head.mac, "at": head.at.isoformat()} if head else {}
            self.stdout.write(json.dumps(payload))
            return
        result = verify_chain()
        if result.ok and options.get("expect"):
            result = _check_expected(options["expect"], result.rows)
        if result.ok:
            self.stdout.write(f"Audit trail intact: {result.rows} rows.")
            return
        self.stderr.write(f"Audit trail broken at row seq {result.first_broken_seq}: {result.problem}")
        raise CommandError("audit trail verification failed", returncode=1)


def _check_expected(expected: str, rows: int) -> Any:
    from vigil.audit.verify import VerifyResult

    seq_text, _, hash_ = expected.partition(":")
    if not seq_text.isdigit() or len(hash_) != 64:
        raise CommandError("--expect takes SEQ:HASH as printed by `vigil audit head`", returncode=2)
    seq = int(seq_text)
    row = AuditEvent.objects.filter(seq=seq).only("hash").first()
    if row is None:
        return VerifyResult(False, rows, seq, f"row seq {seq}, recorded outside the database, is missing: the end was cut off")
    if row.hash != hash_:
        return VerifyResult(False, rows, seq, f"row seq {seq} does not match the hash recorded outside the database")
    return VerifyResult(True, rows)
