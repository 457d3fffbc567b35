"""`vigil keys`: field-encryption keys.

vigil keys generate ID     print a new key entry to put first in VIGIL_FIELD_KEYS
vigil keys status          how many stored values are under each key (or still plain)
vigil keys rotate          re-encrypt every value under the first (newest) key
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vigil.audit.services import audit_record
from vigil.core.crypto import encrypt_existing_rows, encrypted_fields, generate_key, key_id_of, keyring, raw_column


class Command(BaseCommand):
    help = "Generate field-encryption keys, show which key each value is under, or rotate to the newest key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{generate,status,rotate}")
        generate = sub.add_parser("generate", help="Print a new id:key entry for VIGIL_FIELD_KEYS.")
        generate.add_argument("key_id")
        sub.add_parser("status", help="Count stored values by key id.")
        sub.add_parser("rotate", help="Re-encrypt every stored value under the first key in VIGIL_FIELD_KEYS.")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "generate":
            try:
                self.stdout.write(generate_key(options["key_id"]))
            except ValueError as error:
                raise CommandError(str(error)) from None
            return
        if command == "status":
            for label, counts in status().items():
                shown = ", ".join(f"{key}: {n}" for key, n in sorted(counts.items())) or "no values"
                self.stdout.write(f"{label}: {shown}")
            return
        current = keyring().current_id
        total = 0
        for model, fields in encrypted_fields():
            with transaction.atomic():
                written = encrypt_existing_rows(model, [f.name for f in fields])
                audit_record(
                    actor="keys rotate",
                    action="keys.rotate",
                    object_type=model._meta.label_lower,
                    object_id="*",
                    new={"key_id": current, "rows": written, "fields": [f.name for f in fields]},
                )
            total += written
            self.stdout.write(f"{model._meta.label_lower}: {written} rows re-encrypted under {current}")
        leftover = {label: counts for label, counts in status().items() if set(counts) - {current, "empty"}}
        if leftover:
            raise CommandError(f"values are still under other keys: {leftover}")
        self.stdout.write(f"Done: {total} rows re-encrypted; every value is under key {current}.")


def status() -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    for model, fields in encrypted_fields():
        for field in fields:
            counts: Counter[str] = Counter()
            for (value,) in model._default_manager.values_list(raw_column(model, field.name)).iterator():
                counts["empty" if value in (None, "") else key_id_of(value) or "plaintext"] += 1
            found[f"{model._meta.label_lower}.{field.name}"] = counts
    return found
