"""Walk the audit chain and report the first row that does not fit.

Three checks: every row's hash covers the previous row's hash and its own content (a changed
row); `seq` runs 1, 2, 3 … with no gaps (a deleted or inserted row); and the chain ends exactly
at the head signed with VIGIL_AUDIT_KEY (rows deleted from, or forged at, the end, or a
chain rewritten from scratch, which the hashes alone cannot show).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from vigil.audit.models import AuditEvent, AuditHead
from vigil.audit.services import GENESIS, compute_hash, head_mac, row_content


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
    return _check_head(count, expected_seq - 1, expected_prev)


def _check_head(count: int, last_seq: int, last_hash: str) -> VerifyResult:
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if count == 0:
            return VerifyResult(True, 0)
        return VerifyResult(False, count, 1, "the signed head of the chain is missing")
    if not hmac.compare_digest(head.mac, head_mac(head.seq, head.hash)):
        return VerifyResult(False, count, head.seq, f"the signed head (seq {head.seq}) does not match its signature")
    if head.seq > last_seq:
        return VerifyResult(
            False, count, last_seq + 1, f"rows after seq {last_seq} are missing: the signed head is seq {head.seq}"
        )
    if head.seq < last_seq:
        return VerifyResult(
            False, count, head.seq + 1, f"row seq {head.seq + 1} was added after the signed head (seq {head.seq})"
        )
    if head.hash != last_hash:
        return VerifyResult(False, count, head.seq, f"row seq {head.seq} is not the row the signed head names")
    return VerifyResult(True, count)
