"""Walk the audit chain and report the first row that does not fit.

Three checks: every row's hash covers the previous row's hash and its own content (a changed
row); `seq` runs 1, 2, 3 … with no gaps (a deleted or inserted row); and the chain ends exactly
at the head signed with VIGIL_AUDIT_KEY (rows deleted from, or forged at, the end, or a
chain rewritten from scratch, which the hashes alone cannot show).
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from vigil.audit.models import AuditEvent, AuditHead
from vigil.audit.services import GENESIS, compute_hash, head_mac, row_content


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    first_broken_seq: int | None = None
    problem: str = ""
    last_seq: int = 0
    last_hash: str = ""


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
    return VerifyResult(True, count, last_seq=last_seq, last_hash=last_hash)


# --- the checkpoint: what `vigil audit verify` last found, kept outside the database -----------


class CheckpointError(Exception):
    """The checkpoint file cannot be read or its signature does not match."""


@dataclass(frozen=True)
class Checkpoint:
    """The trail as `vigil audit verify` last found it intact: its row count and last row,
    signed with VIGIL_AUDIT_KEY, in a file outside the database (VIGIL_AUDIT_CHECKPOINT)."""

    seq: int
    hash: str
    rows: int
    at: str
    mac: str = ""

    def signed_text(self) -> str:
        return f"audit-checkpoint\n{self.seq}\n{self.hash}\n{self.rows}\n{self.at}"


def checkpoint_path() -> Path:
    return Path(settings.VIGIL_AUDIT_CHECKPOINT)


def read_checkpoint(path: Path | None = None) -> Checkpoint | None:
    path = path or checkpoint_path()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        point = Checkpoint(
            seq=int(data["seq"]), hash=str(data["hash"]), rows=int(data["rows"]), at=str(data["at"]), mac=str(data["mac"])
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckpointError(f"the checkpoint {path} cannot be read: {error}") from None
    if not hmac.compare_digest(point.mac, _sign(point)):
        raise CheckpointError(f"the checkpoint {path} does not match its signature: it was changed or made with another key")
    return point


def _sign(point: Checkpoint) -> str:
    from vigil.audit.services import _mac

    return _mac(point.signed_text())


def write_checkpoint(result: VerifyResult, path: Path | None = None) -> Checkpoint:
    """Record an intact result: written to a new file and moved into place, so a crash leaves
    the old checkpoint or the new one, never half of one."""
    path = path or checkpoint_path()
    point = Checkpoint(seq=result.last_seq, hash=result.last_hash, rows=result.rows, at=timezone.now().isoformat())
    point = Checkpoint(**{**asdict(point), "mac": _sign(point)})
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(asdict(point), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return point


def compare_with_checkpoint(result: VerifyResult, point: Checkpoint) -> VerifyResult:
    """An intact chain may still be shorter than it was: rows cut from the end, or the whole
    trail emptied together with its head. The checkpoint remembers how far it reached."""
    if result.rows < point.rows or result.last_seq < point.seq:
        return VerifyResult(
            False,
            result.rows,
            result.last_seq + 1,
            f"the trail has {result.rows} rows up to seq {result.last_seq}, but when last verified ({point.at}) "
            f"it had {point.rows} rows up to seq {point.seq}: rows were removed",
        )
    row = AuditEvent.objects.filter(seq=point.seq).only("hash").first()
    if row is None or row.hash != point.hash:
        return VerifyResult(
            False, result.rows, point.seq, f"row seq {point.seq} is not the row that was there when last verified ({point.at})"
        )
    return result
