from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from practice import clock
from practice.db import Base, UTCDateTime


class AuditEntry(Base):
    """One action on one record: who, what, which object, when, from where. Holds ids and
    action names only, never what a client wrote.

    Entries are only ever added, and each carries the hash of the one before it
    (``prev_hash``) inside its own (``entry_hash``): an entry changed, removed or slipped in
    out of band breaks the chain, which `practice audit verify` finds.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    # The couple whose record it concerns, so that a record's own trail is one query away.
    couple_id: Mapped[int | None] = mapped_column(index=True)
    address: Mapped[str | None] = mapped_column(String(45))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class RecordOpening(Base):
    """Who has opened a couple's record, how often, and when last: a summary of the log's
    read entries, kept up as they are written, so that the couple page reads a few rows
    rather than every opening of the record since the case began."""

    __tablename__ = "record_openings"

    couple_id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    times: Mapped[int]
