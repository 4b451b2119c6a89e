from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from practice import db
from practice.appointments.models import Appointment, NoteStatus, ProgressNote
from practice.measures.models import SafetyScreen


@dataclass(frozen=True)
class IndividualNote:
    note_id: int
    starts_at: datetime


def individual_notes_for(screen: SafetyScreen) -> list[IndividualNote]:
    """Signed notes of the individual appointments with the partner who answered, newest
    first: the conversations a follow-up can name (one query)."""
    rows = db.session.execute(
        select(ProgressNote.id, Appointment.starts_at)
        .join(Appointment, Appointment.id == ProgressNote.appointment_id)
        .where(
            Appointment.couple_id == screen.couple_id,
            Appointment.individual_partner_id == screen.partner_id,
            ProgressNote.status == NoteStatus.SIGNED,
        )
        .order_by(Appointment.starts_at.desc())
    )
    return [IndividualNote(note_id, starts_at) for note_id, starts_at in rows]
