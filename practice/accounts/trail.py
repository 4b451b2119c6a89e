"""Reading the audit trail: the admin's filtered list, and who has opened a couple's record."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from practice import clock, db
from practice.accounts.models import User
from practice.audit.models import AuditEntry, RecordOpening
from practice.pagination import Page

PAGE_SIZE = 50
# One download holds at most this many entries, the newest; narrower dates reach older ones.
EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = (
    "entry",
    "at (UTC)",
    "who",
    "action",
    "record type",
    "record",
    "couple",
    "address",
)


@dataclass(frozen=True)
class TrailFilter:
    actor_id: int | None = None
    couple_id: int | None = None
    action: str = ""  # the start of an action name: "note", "couples.read", "report."
    start: date | None = None
    end: date | None = None


def _filtered(query: Select, wanted: TrailFilter) -> Select:
    if wanted.actor_id is not None:
        query = query.where(AuditEntry.actor_id == wanted.actor_id)
    if wanted.couple_id is not None:
        query = query.where(AuditEntry.couple_id == wanted.couple_id)
    if wanted.action:
        query = query.where(AuditEntry.action.startswith(wanted.action, autoescape=True))
    # Days are the practice's days; entries are stored in UTC.
    if wanted.start is not None:
        query = query.where(AuditEntry.at >= clock.from_local(wanted.start, time.min))
    if wanted.end is not None:
        next_day = wanted.end + timedelta(days=1)
        query = query.where(AuditEntry.at < clock.from_local(next_day, time.min))
    return query


def entries(wanted: TrailFilter, page: int) -> Page:
    """One page of entries, newest first, each with the name of who acted."""
    base = _filtered(select(AuditEntry.id), wanted)
    ordered = _filtered(
        select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.actor_id), wanted
    ).order_by(AuditEntry.id.desc())
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    number = max(1, min(page, -(-total // PAGE_SIZE) or 1))
    rows = db.session.execute(ordered.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    return Page(items=rows, number=number, per_page=PAGE_SIZE, total=total)


def export_rows(wanted: TrailFilter) -> Iterator[tuple[object, ...]]:
    """The matching entries for a CSV file, newest first, read as plain columns (one query)."""
    query = _filtered(
        select(
            AuditEntry.id,
            AuditEntry.at,
            User.name,
            AuditEntry.action,
            AuditEntry.object_type,
            AuditEntry.object_id,
            AuditEntry.couple_id,
            AuditEntry.address,
        ).outerjoin(User, User.id == AuditEntry.actor_id),
        wanted,
    ).order_by(AuditEntry.id.desc())
    for row in db.session.execute(query.limit(EXPORT_LIMIT)):
        entry_id, at, name, *rest = row
        yield (entry_id, at.isoformat(), name or "the system", *rest)


@dataclass(frozen=True)
class Opened:
    name: str
    role_label: str
    last: datetime
    times: int


def who_opened(couple_id: int, limit: int = 10) -> list[Opened]:
    """The people who have opened a couple's record, the most recent first (one query, on the
    log's summary of openings, whatever the length of the log)."""
    rows = db.session.execute(
        select(User.name, User.role, RecordOpening.last_at, RecordOpening.times)
        .join(User, User.id == RecordOpening.actor_id)
        .where(RecordOpening.couple_id == couple_id)
        .order_by(RecordOpening.last_at.desc(), User.id)
        .limit(limit)
    ).all()
    return [Opened(name, role.label, when, times) for name, role, when, times in rows]
