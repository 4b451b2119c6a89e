"""The homework digest since the last appointment someone attended: shown beside the note
editor, ready to insert, and on the couple page."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from practice import db
from practice.agreements.services import agreements_of
from practice.appointments.models import Appointment, Attendance
from practice.couples.models import Couple
from practice.homework.digest import Digest, digest
from practice.homework.services import assignments_of


def last_attended_appointment(couple: Couple, before: datetime | None = None) -> Appointment | None:
    """The latest appointment someone attended (before a moment, when given)."""
    query = select(Appointment).where(
        Appointment.couple_id == couple.id,
        Appointment.attendance.in_([Attendance.BOTH, Attendance.ONE_PARTNER]),
    )
    if before is not None:
        query = query.where(Appointment.starts_at < before)
    return db.session.scalar(query.order_by(Appointment.starts_at.desc()).limit(1))


def digest_for(couple: Couple, today: date, before: datetime | None = None) -> Digest:
    """The homework digest since the last attended appointment (before a moment, if given)."""
    last = last_attended_appointment(couple, before)
    return digest(
        couple,
        assignments_of(couple),
        agreements_of(couple.id),
        last.starts_at if last else None,
        today,
    )
