"""The audit log's hash chain: how an entry's hash is made, and checking the whole log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from practice.audit.models import AuditEntry

GENESIS = "0" * 64  # what the first entry points back to


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
    """SHA-256 of the entry's content and the previous entry's hash."""
    content = {
        "prev": prev_hash,
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "couple": entry.couple_id,
        "address": entry.address,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Verdict:
    entries: int
    first_bad_id: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_bad_id is None


def verify(entries: Iterable[AuditEntry]) -> Verdict:
    """Walk the log in order; name the first entry that does not follow from the ones before."""
    expected_prev = GENESIS
    count = 0
    for entry in entries:
        count += 1
        if entry.prev_hash != expected_prev:
            return Verdict(
                count, entry.id, "does not follow the entry before it (one removed or added)"
            )
        if entry.entry_hash != entry_hash(entry, entry.prev_hash):
            return Verdict(count, entry.id, "its content was changed after it was written")
        expected_prev = entry.entry_hash
    return Verdict(count)
