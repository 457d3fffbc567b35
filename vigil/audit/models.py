from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One row of the append-only, hash-chained audit trail.

    `hash` covers the previous row's hash and this row's content, so changing,
    inserting or deleting any row breaks the chain from that point (`vigil audit verify`).
    """

    seq = models.PositiveBigIntegerField(unique=True, help_text="1, 2, 3 … with no gaps: a gap is a deleted row.")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150, help_text="Who acted, as text: a user, 'policy', 'portal'.")
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id} by {self.actor_label}"


class AuditHead(models.Model):
    """The newest row of the chain, signed with VIGIL_AUDIT_KEY (an HMAC).

    Updated in the same transaction as every append. Rows deleted from the end of the chain
    leave the head pointing past the last row; rows forged at the end, or a rewritten chain,
    do not match the signed hash. Forging a head needs the key, which is not in the database.
    There is one row (pk=1)."""

    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"head at seq {self.seq}"
