"""The signed progress note as a PDF."""

from __future__ import annotations

from practice.appointments.models import ProgressNote, note_sections
from practice.clock import to_local
from practice.framework import AREAS_BY_KEY
from practice.reporting.services import WHEN, Report, build


def note_context(note: ProgressNote) -> dict[str, object]:
    """What the signed-note report shows: the note, its signature and addenda."""
    appointment = note.appointment
    couple = appointment.couple
    return {
        "couple_name": couple.display_name,
        "appointment_when": to_local(appointment.starts_at).strftime(WHEN),
        "individual": appointment.individual_partner.name
        if appointment.individual_partner
        else None,
        "note_format": note.format.label,
        "author": note.author.name,
        "sections": [(label, getattr(note, name)) for name, label in note_sections(note.format)],
        "areas": [AREAS_BY_KEY[key].label for key in note.areas if key in AREAS_BY_KEY],
        "interventions": note.interventions,
        "homework_reviewed": note.homework_reviewed,
        "risk_observed": note.risk_observed,
        "risk_details": note.risk_details,
        "signed_by": note.signed_by.name,
        "signed_when": to_local(note.signed_at).strftime(WHEN),
        "content_hash": note.content_hash,
        "addenda": [
            {
                "reason": addendum.reason,
                "body": addendum.body,
                "signed_by": addendum.signed_by.name,
                "signed_when": to_local(addendum.signed_at).strftime(WHEN),
                "content_hash": addendum.content_hash,
            }
            for addendum in note.addenda
        ],
    }


def note_filename(note: ProgressNote) -> str:
    return f"note-{note.id}-{to_local(note.appointment.starts_at):%Y%m%d}.pdf"


def note_report(note: ProgressNote) -> Report:
    """The PDF of a signed note."""
    if not note.is_signed:
        raise ValueError("only signed notes are printed")
    return build("note", note_filename(note), note_context(note))
