"""Field-level encryption at rest: AES-256-GCM with a key ring from the environment.

`VIGIL_FIELD_KEYS` is a comma-separated list of `id:key`, each key 32 bytes in base64. The
first key encrypts; every key decrypts, so a new key can be put first and `vigil keys
rotate` re-encrypts the stored values under it before the old key is taken out.

A stored value looks like `vgl1:<key id>:<base64url(nonce || ciphertext || tag)>`. The
column's name (`app.model.field`) is authenticated as associated data, so a value copied
into another column does not decrypt. The empty string is stored as the empty string (an
empty narrative is not a secret, and `blank=True` keeps working). A value without the
prefix is read as plaintext written before the column was encrypted; `vigil keys rotate`
encrypts it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import validators
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "vgl1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key id, wrong key, or tampering."""


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[str, bytes], ...]

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes:
        for kid, key in self.keys:
            if kid == key_id:
                return key
        raise DecryptionError(f"no key with id {key_id!r} in VIGIL_FIELD_KEYS")


def parse_keyring(text: str) -> KeyRing:
    """Parse `id:base64key,id:base64key`, failing with a message that names the problem."""
    keys: list[tuple[str, bytes]] = []
    for item in [part.strip() for part in text.split(",") if part.strip()]:
        key_id, sep, encoded = item.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured("VIGIL_FIELD_KEYS: each key must be written id:base64key, the id letters, digits, - or _")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"VIGIL_FIELD_KEYS: key {key_id!r} is not valid base64") from None
        if len(key) != 32:
            raise ImproperlyConfigured(f"VIGIL_FIELD_KEYS: key {key_id!r} must be 32 bytes, not {len(key)}")
        if any(kid == key_id for kid, _ in keys):
            raise ImproperlyConfigured(f"VIGIL_FIELD_KEYS: key id {key_id!r} appears twice")
        keys.append((key_id, key))
    if not keys:
        raise ImproperlyConfigured("VIGIL_FIELD_KEYS must hold at least one key")
    return KeyRing(tuple(keys))


@lru_cache(maxsize=8)
def _cached_ring(text: str) -> KeyRing:
    return parse_keyring(text)


def keyring() -> KeyRing:
    return _cached_ring(settings.VIGIL_FIELD_KEYS)


def generate_key(key_id: str) -> str:
    """A new `id:base64key` entry for VIGIL_FIELD_KEYS."""
    if not _KEY_ID.match(key_id):
        raise ValueError("a key id is letters, digits, - or _ (at most 32)")
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode('ascii')}"


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def key_id_of(value: str) -> str | None:
    """The id of the key a stored value was encrypted with; None for plaintext or empty."""
    if not is_encrypted(value):
        return None
    return value.split(":", 2)[1]


def encrypt(plaintext: str, *, context: str, ring: KeyRing | None = None) -> str:
    if plaintext == "":
        return ""
    ring = ring or keyring()
    nonce = os.urandom(12)
    sealed = AESGCM(ring.key(ring.current_id)).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{PREFIX}:{ring.current_id}:{body}"


def decrypt(stored: str, *, context: str, ring: KeyRing | None = None) -> str:
    if not is_encrypted(stored):
        return stored
    ring = ring or keyring()
    try:
        _, key_id, body = stored.split(":", 2)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, binascii.Error):
        raise DecryptionError(f"{context}: stored value is malformed") from None
    try:
        return AESGCM(ring.key(key_id)).decrypt(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")
    except InvalidTag:
        raise DecryptionError(f"{context}: value does not decrypt with key {key_id!r} (changed, moved or wrong key)") from None


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text encrypted in the database and plain in Python. It cannot be searched or ordered
    in SQL. `max_length`, if given, is checked on the plaintext."""

    description = "Text encrypted at rest (AES-256-GCM)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return decrypt(value, context=self.context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(value, context=self.context)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertext cannot be searched: only null checks and `= ""` (empty stays empty) work.
        # Anything else would silently match nothing, so it is refused.
        if lookup_name not in ("isnull", "exact"):
            return None
        return super().get_lookup(lookup_name)


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every model with encrypted columns, and those columns."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def encrypt_existing_rows(model: type[models.Model], field_names: list[str], batch: int = 500) -> int:
    """Re-save the named columns of every row so that they are encrypted under the current
    key (plaintext written before a column was encrypted, or values under an older key).
    Used by the data migrations and by `vigil keys rotate`. Returns the rows rewritten."""
    current = keyring().current_id
    written = 0
    last_pk: Any = None
    while True:
        qs = model._default_manager.order_by("pk")
        if last_pk is not None:
            qs = qs.filter(pk__gt=last_pk)
        # Read the stored text as it is, to see which key (if any) each value is under.
        rows = list(qs.values_list("pk", *[raw_column(model, name) for name in field_names])[:batch])
        if not rows:
            return written
        for pk, *stored in rows:
            last_pk = pk
            if all(value in (None, "") or key_id_of(value) == current for value in stored):
                continue
            fresh = model._default_manager.get(pk=pk)
            model._default_manager.filter(pk=pk).update(**{name: getattr(fresh, name) for name in field_names})
            written += 1


def raw_column(model: type[models.Model], name: str) -> Any:
    from django.db.models.functions import Cast

    # A cast to plain text skips the field's decryption on the way out.
    return Cast(name, output_field=models.TextField())


def migration_encrypt(app_label: str, model_name: str, *field_names: str) -> Any:
    """A RunPython function for a data migration that encrypts existing rows."""

    def run(apps: Any, schema_editor: Any) -> None:
        encrypt_existing_rows(apps.get_model(app_label, model_name), list(field_names))

    return run


def check_keyring(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """System check: VIGIL_FIELD_KEYS must parse, so a bad key stops start-up, not a page."""
    from django.core.checks import Error

    try:
        parse_keyring(settings.VIGIL_FIELD_KEYS)
    except ImproperlyConfigured as error:
        return [Error(str(error), id="vigil.E001")]
    return []
