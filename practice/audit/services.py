from __future__ import annotations

from typing import Protocol

from practice import db
from practice.audit.models import AuditEntry


class Actor(Protocol):
    """Whoever acts: a user (the audit log sits below accounts, so it knows only the id)."""

    id: int


def record(actor: Actor | None, action: str, obj: db.Base) -> AuditEntry:
    """Add an audit entry for an action on a record (flushed with the caller's transaction)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=obj.__tablename__,
        object_id=getattr(obj, "id", None),
    )
    db.session.add(entry)
    return entry
