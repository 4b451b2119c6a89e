"""Recording the audit trail: every change, every read of client data, every export.

Entries wait in the session and are written when its transaction commits, one after another
under a lock, each chained to the one before; so the log follows the order of commits, and a
change that is rolled back leaves no entry (a read of a page shown with an error stays).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import has_request_context, request
from sqlalchemy import event, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from practice import clock, db
from practice.audit.chain import GENESIS, entry_hash
from practice.audit.models import AuditEntry, RecordOpening

PENDING = "practice.audit.pending"
# A constant key for PostgreSQL's advisory lock that orders the writing of entries.
CHAIN_LOCK = 727_100_001


class Actor(Protocol):
    """Whoever acts: a user (the audit log sits below accounts, so it knows only the id)."""

    id: int


@dataclass(frozen=True)
class Pending:
    entry: AuditEntry
    is_read: bool


def record(
    actor: Actor | None, action: str, obj: db.Base, *, couple_id: int | None = None
) -> AuditEntry:
    """Note an action on a record; it is written when the caller's transaction commits."""
    entry = _entry(actor, action, obj, couple_id)
    _pending(db.session).append(Pending(entry, is_read=False))
    return entry


def read(actor: Actor | None, obj: db.Base, *, couple_id: int | None = None) -> None:
    """Note that someone opened a record of client data (on a page request that reads)."""
    if not has_request_context() or request.method not in db.READ_METHODS:
        return  # a change is recorded by its own service
    entry = _entry(actor, f"{obj.__tablename__}.read", obj, couple_id)
    _pending(db.session).append(Pending(entry, is_read=True))


def _entry(actor: Actor | None, action: str, obj: db.Base, couple_id: int | None) -> AuditEntry:
    if couple_id is None:
        couple_id = obj.id if obj.__tablename__ == "couples" else getattr(obj, "couple_id", None)
    return AuditEntry(
        at=clock.now(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=obj.__tablename__,
        object_id=getattr(obj, "id", None),
        couple_id=couple_id,
        address=request.remote_addr if has_request_context() else None,
    )


def _pending(session: Session) -> list[Pending]:
    return session.info.setdefault(PENDING, [])


def has_pending(session: Session) -> bool:
    """Whether entries wait to be written at the next commit."""
    return bool(session.info.get(PENDING))


def keep_reads_through_rollback(session: Session) -> list[AuditEntry]:
    """The reads noted so far, to be written again after the request's changes are undone."""
    return [item.entry for item in _pending(session) if item.is_read]


def note_reads(session: Session, entries: list[AuditEntry]) -> None:
    _pending(session).extend(Pending(entry, is_read=True) for entry in entries)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    waiting = session.info.pop(PENDING, [])
    if not waiting:
        return
    if session.get_bind().dialect.name == "postgresql":
        # One writer of the chain at a time (SQLite's write lock already does this).
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    previous = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
    previous = previous or GENESIS
    for item in waiting:
        item.entry.prev_hash = previous
        item.entry.entry_hash = previous = entry_hash(item.entry, previous)
        session.add(item.entry)
    session.flush()
    _note_openings(session, [item.entry for item in waiting])


def _note_openings(session: Session, entries: list[AuditEntry]) -> None:
    """Keep the summary of who opened which record up with the entries just written."""
    openings: dict[tuple[int, int], tuple[datetime, int]] = {}
    for entry in entries:
        if entry.couple_id is None or entry.actor_id is None or not entry.action.endswith(".read"):
            continue
        key = (entry.couple_id, entry.actor_id)
        _, times = openings.get(key, (entry.at, 0))
        openings[key] = (entry.at, times + 1)
    if not openings:
        return
    dialect = session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for (couple_id, actor_id), (last_at, times) in openings.items():
        statement = upsert(RecordOpening).values(
            couple_id=couple_id, actor_id=actor_id, last_at=last_at, times=times
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["couple_id", "actor_id"],
                set_={
                    "last_at": statement.excluded.last_at,
                    "times": RecordOpening.times + statement.excluded.times,
                },
            )
        )


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, _previous_transaction: object) -> None:
    session.info.pop(PENDING, None)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_the_log(session: Session, _context: object, _instances: object) -> None:
    """The log is only ever added to: no code path may change or delete an entry."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("audit entries cannot be changed or deleted")
