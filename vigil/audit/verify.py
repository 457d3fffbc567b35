"""Walk the audit chain and report the first row that does not fit."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.audit.models import AuditEvent
from vigil.audit.services import GENESIS, compute_hash, row_content


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    first_broken_seq: int | None = None
    problem: str = ""


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        count += 1
        if event.seq != expected_seq:
            return VerifyResult(False, count, event.seq, f"row seq {event.seq} follows {expected_seq - 1}: rows are missing")
        if event.prev_hash != expected_prev:
            return VerifyResult(False, count, event.seq, f"row seq {event.seq} does not follow the row before it")
        if compute_hash(event.prev_hash, row_content(event)) != event.hash:
            return VerifyResult(False, count, event.seq, f"row seq {event.seq} was changed after it was written")
        expected_prev = event.hash
        expected_seq += 1
    return VerifyResult(True, count)
