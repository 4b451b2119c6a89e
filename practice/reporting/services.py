"""Building reports from the records, and keeping a record of each one made."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from practice import db
from practice.accounts.models import User
from practice.appointments.models import ProgressNote
from practice.appointments.services import FORMAT_SECTIONS
from practice.clock import to_local
from practice.framework import AREAS_BY_KEY
from practice.reporting.models import GeneratedReport
from practice.reporting.render import render_pdf

SECTION_LABELS = {
    "data_section": "Data",
    "subjective": "Subjective",
    "objective": "Objective",
    "assessment": "Assessment",
    "plan": "Plan",
}
WHEN = "%d %b %Y at %H:%M"


@dataclass(frozen=True)
class Report:
    kind: str
    filename: str
    pdf: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


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
        "sections": [
            (SECTION_LABELS[name], getattr(note, name)) for name in FORMAT_SECTIONS[note.format]
        ],
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


def build(kind: str, filename: str, context: dict[str, object]) -> Report:
    """Render a report from a context already read from the database."""
    return Report(kind, filename, render_pdf(kind, context))


def note_report(note: ProgressNote) -> Report:
    """The PDF of a signed note."""
    if not note.is_signed:
        raise ValueError("only signed notes are printed")
    return build("note", note_filename(note), note_context(note))


def record(
    report: Report,
    actor: User | None,
    subject_id: int | None,
    period: tuple[date | None, date | None] = (None, None),
) -> GeneratedReport:
    """Note that a report was made, by whom, for what, and its SHA-256."""
    entry = GeneratedReport(
        kind=report.kind,
        subject_id=subject_id,
        period_from=period[0],
        period_to=period[1],
        sha256=report.sha256,
        generated_by_id=actor.id if actor is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def worksheet_context(version, assignment=None) -> dict[str, object]:
    """A blank form of an exercise version, with the assignment's details when there is one."""
    context: dict[str, object] = {
        "title": version.title,
        "for_whom": "Exercise worksheet",
        "dates": None,
        "minutes": version.minutes,
        "rhythm": version.rhythm.label.lower(),
        "mode": version.mode.label,
        "purpose": version.purpose,
        "note": None,
        "instructions": version.instructions,
        "fields": version.fields,
    }
    if assignment is not None:
        context["for_whom"] = (
            assignment.partner.name if assignment.partner else assignment.couple.display_name
        )
        context["dates"] = f"{assignment.start_on:%d %b %Y} to {assignment.due_on:%d %b %Y}"
        context["rhythm"] = assignment.rhythm.label.lower()
        context["note"] = assignment.note or None
    return context


def worksheet(version, assignment=None) -> Report:
    name = f"worksheet-{version.exercise_id}-v{version.number}.pdf"
    return build("worksheet", name, worksheet_context(version, assignment))


def handout_context(services_listed, for_whom: str, counselor: str) -> dict[str, object]:
    """Chosen services with how to reach them, for partners to take home."""
    return {
        "for_whom": for_whom,
        "counselor": counselor,
        "services": [
            {
                "name": service.name,
                "organization": service.organization,
                "description": service.description,
                "addresses": [place.address for place in service.locations if place.address],
                "online": service.online,
                "phones": list(dict.fromkeys(service.phones)),
                "email": service.email,
                "url": service.url,
                "hours": service.hours,
                "languages": service.languages,
                "fees": service.fees,
            }
            for service in services_listed
        ],
    }
