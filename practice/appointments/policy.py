"""Appointments and notes are reached through their couple's policy."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from practice import db
from practice.access import Permission
from practice.appointments.models import Addendum, Appointment, NoteVersion, ProgressNote
from practice.audit import services as audit
from practice.couples.models import Couple, Partner
from practice.couples.policy import can


def load_appointment_or_404(appointment_id: int, permission: Permission) -> Appointment:
    """Load an appointment with its couple, partners and note, if the user may act on it."""
    appointment = db.session.scalar(
        select(Appointment)
        .where(Appointment.id == appointment_id)
        .options(
            joinedload(Appointment.couple).selectinload(Couple.partners).selectinload(Partner.user),
            selectinload(Appointment.note),
        )
    )
    if appointment is None or not can(current_user, permission, appointment.couple):
        abort(404)
    audit.read(current_user, appointment)
    return appointment


def load_note_or_404(note_id: int, permission: Permission) -> ProgressNote:
    """Load a note with everything its page shows, if the user may act on it."""
    note = db.session.scalar(
        select(ProgressNote)
        .where(ProgressNote.id == note_id)
        .options(
            joinedload(ProgressNote.appointment)
            .joinedload(Appointment.couple)
            .selectinload(Couple.partners),
            joinedload(ProgressNote.author),
            joinedload(ProgressNote.signed_by),
            selectinload(ProgressNote.addenda).joinedload(Addendum.signed_by),
            selectinload(ProgressNote.versions).joinedload(NoteVersion.saved_by),
        )
    )
    if note is None or not can(current_user, permission, note.appointment.couple):
        abort(404)
    audit.read(current_user, note)
    return note


def load_couple_appointment_or_404(
    couple: Couple, appointment_id: int | None
) -> Appointment | None:
    """One of a couple's appointments (the couple already loaded through its policy), or
    None when no appointment is asked for."""
    if appointment_id is None:
        return None
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.couple_id != couple.id:
        abort(404)
    return appointment
