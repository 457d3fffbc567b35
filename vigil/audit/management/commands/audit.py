"""`vigil audit verify`: walk the hash-chained audit trail and compare it with the checkpoint of
the last good run; `vigil audit head`: print the signed head, for copying to a store outside
the database (see docs/security.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.audit.models import AuditEvent, AuditHead
from vigil.audit.verify import (
    CheckpointError,
    VerifyResult,
    checkpoint_path,
    compare_with_checkpoint,
    read_checkpoint,
    verify_chain,
    write_checkpoint,
)


class Command(BaseCommand):
    help = "Check the audit trail (verify) or print its signed head (head)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,head}")
        verify = sub.add_parser(
            "verify",
            help="Walk the chain and compare it with the checkpoint of the last good run. Exit 0 if intact, "
            "1 naming the first broken row (an empty or shortened trail is broken).",
        )
        verify.add_argument(
            "--expect",
            metavar="SEQ:HASH",
            help="A head printed earlier by `vigil audit head`: the chain must still hold that row with that hash.",
        )
        verify.add_argument(
            "--checkpoint",
            metavar="PATH",
            help="The checkpoint file (default VIGIL_AUDIT_CHECKPOINT): read, then replaced after an intact run.",
        )
        verify.add_argument("--no-checkpoint", action="store_true", help="Neither read nor write the checkpoint.")
        verify.add_argument(
            "--allow-empty", action="store_true", help="A new installation: an empty trail without a checkpoint is intact."
        )
        sub.add_parser("head", help="Print the signed head as JSON, for an external log.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "head":
            head = AuditHead.objects.filter(pk=1).first()
            payload = {"seq": head.seq, "hash": head.hash, "mac": head.mac, "at": head.at.isoformat()} if head else {}
            self.stdout.write(json.dumps(payload))
            return
        path = Path(options["checkpoint"]) if options.get("checkpoint") else checkpoint_path()
        use_checkpoint = not options.get("no_checkpoint")
        try:
            point = read_checkpoint(path) if use_checkpoint else None
        except CheckpointError as error:
            self.stderr.write(f"Audit trail not verified: {error}")
            raise CommandError("audit trail verification failed", returncode=1) from None
        result = verify_chain()
        if result.ok and point is not None:
            result = compare_with_checkpoint(result, point)
        if result.ok and result.rows == 0 and not options.get("allow_empty"):
            result = VerifyResult(
                False, 0, 1, "the trail is empty: a system in use always has rows (for a new installation, use --allow-empty)"
            )
        if result.ok and options.get("expect"):
            result = _check_expected(options["expect"], result)
        if result.ok:
            if use_checkpoint and result.rows:
                write_checkpoint(result, path)
            self.stdout.write(f"Audit trail intact: {result.rows} rows.")
            return
        self.stderr.write(f"Audit trail broken at row seq {result.first_broken_seq}: {result.problem}")
        raise CommandError("audit trail verification failed", returncode=1)


def _check_expected(expected: str, result: VerifyResult) -> VerifyResult:
    rows = result.rows
    seq_text, _, hash_ = expected.partition(":")
    if not seq_text.isdigit() or len(hash_) != 64:
        raise CommandError("--expect takes SEQ:HASH as printed by `vigil audit head`", returncode=2)
    seq = int(seq_text)
    row = AuditEvent.objects.filter(seq=seq).only("hash").first()
    if row is None:
        return VerifyResult(False, rows, seq, f"row seq {seq}, recorded outside the database, is missing: the end was cut off")
    if row.hash != hash_:
        return VerifyResult(False, rows, seq, f"row seq {seq} does not match the hash recorded outside the database")
    return result
