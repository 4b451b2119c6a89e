"""Appointments, attendance, progress notes, signing and addenda."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, event, inspect, or_, select
from sqlalchemy.orm import Session, selectinload

from practice import clock, db
from practice.accounts.models import User
from practice.appointments.models import (
    MAX_APPOINTMENT_MINUTES,
    NOTE_CONTENT_FIELDS,
    SECTION_LABELS,
    Addendum,
    Appointment,
    AppointmentFormat,
    Attendance,
    NoteFormat,
    NoteStatus,
    NoteVersion,
    ProgressNote,
    note_sections,
)
from practice.audit import services as audit
from practice.clock import from_local, to_local
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.pagination import Page, paginate
from practice.plans import services as plans
from practice.unit_of_work import UserError

log = logging.getLogger(__name__)


class AppointmentError(UserError):
    """A change to an appointment or note that cannot be made."""


class NoteLocked(AppointmentError):
    """The note is signed: it can only be amended by an addendum."""


class NoteConflict(AppointmentError):
    """Someone saved the note after this editor loaded it."""


# --- appointments -------------------------------------------------------------------------


def _partner_of(couple: Couple, partner_id: int | None) -> Partner | None:
    if not partner_id:
        return None
    partner = next((p for p in couple.partners if p.id == partner_id), None)
    if partner is None:
        raise AppointmentError("Choose one of the couple's partners.")
    return partner


def _check_slot(couple: Couple, starts_at: datetime, minutes: int, data: dict[str, Any]) -> None:
    if couple.status is CoupleStatus.CLOSED:
        raise AppointmentError("This case is closed. Reopen it to schedule appointments.", "day")
    if data["day"] < couple.intake_date:
        raise AppointmentError("The date comes before the couple's intake date.", "day")
    if to_local(starts_at).time().replace(tzinfo=None) != data["start_time"].replace(tzinfo=None):
        raise AppointmentError(
            "That time does not exist on that day (the clocks change). Choose another.",
            "start_time",
        )
    ends_at = starts_at + timedelta(minutes=minutes)
    # Every appointment that starts before this one ends, and late enough that it may still
    # be running (none lasts longer than MAX_APPOINTMENT_MINUTES). Any of them that ends after
    # this one starts is a clash, not only the earliest.
    nearby = db.session.scalars(
        select(Appointment)
        .join(Couple, Couple.id == Appointment.couple_id)
        .where(
            Couple.counselor_id == couple.counselor_id,
            Appointment.starts_at < ends_at,
            Appointment.starts_at > starts_at - timedelta(minutes=MAX_APPOINTMENT_MINUTES),
            or_(Appointment.attendance.is_(None), Appointment.attendance != Attendance.CANCELLED),
        )
        .options(selectinload(Appointment.couple).selectinload(Couple.partners))
        .order_by(Appointment.starts_at)
    )
    clash = next((other for other in nearby if other.ends_at > starts_at), None)
    if clash is not None:
        raise AppointmentError(
            f"You already have an appointment then ({to_local(clash.starts_at):%H:%M}, "
            f"{clash.couple.display_name}).",
            "start_time",
        )


def schedule(couple: Couple, data: dict[str, Any], actor: User) -> Appointment:
    """Put an appointment in the calendar for a couple (or one partner of it)."""
    starts_at = from_local(data["day"], data["start_time"])
    _check_slot(couple, starts_at, data["duration_minutes"], data)
    appointment = Appointment(
        couple=couple,
        starts_at=starts_at,
        duration_minutes=data["duration_minutes"],
        format=AppointmentFormat(data["format"]),
        place=data["place"] or "",
        individual_partner=_partner_of(couple, data.get("individual_partner_id")),
        created_by_id=actor.id,
    )
    db.session.add(appointment)
    db.session.flush()
    audit.record(actor, "appointment.create", appointment)
    return appointment


def record_attendance(appointment: Appointment, data: dict[str, Any], actor: User) -> None:
    """Record who came to an appointment, or that it was cancelled or missed."""
    attendance = Attendance(data["attendance"])
    if attendance in (Attendance.BOTH, Attendance.ONE_PARTNER, Attendance.NO_SHOW) and (
        appointment.starts_at > clock.now()
    ):
        raise AppointmentError("Who attended can be recorded once the appointment has begun.")
    attending = None
    if attendance is Attendance.ONE_PARTNER:
        attending = _partner_of(appointment.couple, data.get("attending_partner_id"))
        if attending is None:
            raise AppointmentError("Say which partner attended.")
    individual = appointment.individual_partner
    if individual is not None and (
        attendance is Attendance.BOTH or (attending is not None and attending.id != individual.id)
    ):
        raise AppointmentError(
            f"This was an individual appointment with {individual.name}: record that "
            f"{individual.name} attended, or that it was cancelled or missed."
        )
    appointment.attendance = attendance
    appointment.attending_partner = attending
    db.session.flush()
    audit.record(actor, "appointment.attendance", appointment)


def appointments_of(couple: Couple, *, page: int = 1, per_page: int = 10) -> Page[Appointment]:
    """One page of a couple's appointments, newest first, with their notes (three queries)."""
    base = select(Appointment).where(Appointment.couple_id == couple.id)
    ordered = base.options(selectinload(Appointment.note)).order_by(
        Appointment.starts_at.desc(), Appointment.id.desc()
    )
    return paginate(base, ordered, page, per_page)


def upcoming_for(counselor: User, *, limit: int = 8) -> list[Appointment]:
    """The counselor's next appointments across their caseload."""
    now = clock.now()
    return list(
        db.session.scalars(
            select(Appointment)
            .join(Couple, Couple.id == Appointment.couple_id)
            .where(
                Couple.counselor_id == counselor.id,
                Appointment.starts_at >= now - timedelta(hours=1),
                Appointment.attendance.is_(None),
            )
            .options(selectinload(Appointment.couple).selectinload(Couple.partners))
            .order_by(Appointment.starts_at)
            .limit(limit)
        )
    )


def upcoming_rows_for(counselor: User, *, limit: int = 8) -> list[Row]:
    """The counselor's next appointments across their caseload, as the columns a list
    shows: id, starts_at, format, couple_id, individual_partner_id (one query)."""
    return list(
        db.session.execute(
            select(
                Appointment.id,
                Appointment.starts_at,
                Appointment.format,
                Appointment.couple_id,
                Appointment.individual_partner_id,
            )
            .join(Couple, Couple.id == Appointment.couple_id)
            .where(
                Couple.counselor_id == counselor.id,
                Appointment.starts_at >= clock.now() - timedelta(hours=1),
                Appointment.attendance.is_(None),
            )
            .order_by(Appointment.starts_at, Appointment.id)
            .limit(limit)
        )
    )


def calendar_file(appointment: Appointment, practice_name: str = "Practice") -> bytes:
    """An iCalendar (.ics) file for one appointment, free of clinical detail."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Practice//Appointments//EN")
    calendar.add("version", "2.0")
    event_ = Event()
    event_.add("uid", f"appointment-{appointment.id}@practice")
    event_.add("dtstamp", appointment.created_at)
    event_.add("dtstart", appointment.starts_at)
    event_.add("dtend", appointment.ends_at)
    event_.add("summary", f"Counseling appointment ({appointment.format.label.lower()})")
    if appointment.place:
        event_.add("location", appointment.place)
    calendar.add_component(event_)
    return calendar.to_ical()


# --- progress notes -----------------------------------------------------------------------


def start_note(appointment: Appointment, author: User, note_format: NoteFormat) -> ProgressNote:
    """Open the draft note of an appointment (one note per appointment)."""
    if appointment.note is not None:
        return appointment.note
    note = ProgressNote(
        appointment=appointment,
        couple_id=appointment.couple_id,
        author_id=author.id,
        format=note_format,
        areas=[],
    )
    db.session.add(note)
    db.session.flush()
    audit.record(author, "note.create", note)
    return note


def plan_goal_choices(couple_id: int) -> list[tuple[str, str]]:
    """The goals of the couple's plan in force, as (key, title), for a note to name."""
    plan = plans.plan_of(couple_id)
    return [(g["key"], g["title"]) for g in plan.current.goals] if plan else []


def _assign_content(note: ProgressNote, data: dict[str, Any]) -> None:
    note.format = NoteFormat(data["format"])
    shown = {name for name, _label in note_sections(note.format)}
    for name in SECTION_LABELS:
        setattr(note, name, (data[name] or "") if name in shown else "")
    note.areas = list(data["areas"] or [])
    titles = dict(plan_goal_choices(note.couple_id))
    chosen = [key for key in data.get("plan_goals") or [] if key in titles]
    note.plan_goals = [{"key": key, "title": titles[key]} for key in chosen] or None
    note.interventions = data["interventions"] or ""
    note.homework_reviewed = data["homework_reviewed"] or ""
    note.risk_observed = bool(data["risk_observed"])
    note.risk_details = (data["risk_details"] or "") if note.risk_observed else ""


def _check_editable(note: ProgressNote, expected_version: int) -> None:
    if note.is_signed:
        raise NoteLocked("This note is signed. Add an addendum to correct or add to it.")
    if note.version != expected_version:
        raise NoteConflict("Someone saved this note after you opened it.")


def _keep_version(note: ProgressNote, actor: User, *, signed: bool = False) -> None:
    db.session.add(
        NoteVersion(
            note=note,
            number=len(note.versions) + 1,
            content=note.content(),
            saved_by_id=actor.id,
            signed=signed,
        )
    )


def save_draft(
    note: ProgressNote, data: dict[str, Any], expected_version: int, actor: User
) -> None:
    """Save the draft, unless someone else saved it first or it is already signed."""
    _check_editable(note, expected_version)
    _assign_content(note, data)
    note.updated_at = clock.now()
    _keep_version(note, actor)
    db.session.flush()
    audit.record(actor, "note.save", note)


def content_hash(payload: dict[str, Any]) -> str:
    """A SHA-256 of canonical JSON: the same content always gives the same hash."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def note_signature_payload(note: ProgressNote) -> dict[str, Any]:
    return {
        "note": note.id,
        "appointment": note.appointment_id,
        "content": note.content(),
        "signed_by": note.signed_by_id,
        "signed_at": note.signed_at.isoformat() if note.signed_at else None,
    }


def sign(note: ProgressNote, data: dict[str, Any], expected_version: int, actor: User) -> None:
    """Save the final text, sign it, and lock the note for good."""
    _check_editable(note, expected_version)
    now = clock.now()
    if note.appointment.starts_at > now:
        raise AppointmentError("A note can be signed once its appointment has taken place.")
    _assign_content(note, data)
    if not any(getattr(note, name) for name, _label in note_sections(note.format)):
        raise AppointmentError("An empty note cannot be signed. Write at least one section.")
    note.status = NoteStatus.SIGNED
    note.signed_at = now
    note.updated_at = now
    note.signed_by_id = actor.id
    note.content_hash = content_hash(note_signature_payload(note))
    _keep_version(note, actor, signed=True)
    db.session.flush()
    audit.record(actor, "note.sign", note)
    log.info("note %s signed by %s", note.id, actor.id)


def add_addendum(note: ProgressNote, data: dict[str, Any], actor: User) -> Addendum:
    """Append a signed correction or addition to a signed note."""
    if not note.is_signed:
        raise AppointmentError("A draft can still be edited; addenda are for signed notes.")
    now = clock.now()
    addendum = Addendum(
        note=note,
        reason=data["reason"],
        body=data["body"],
        signed_by_id=actor.id,
        signed_at=now,
        content_hash=content_hash(
            {
                "note_hash": note.content_hash,
                "reason": data["reason"],
                "body": data["body"],
                "signed_by": actor.id,
                "signed_at": now.isoformat(),
            }
        ),
    )
    db.session.add(addendum)
    db.session.flush()
    audit.record(actor, "note.addendum", addendum)
    return addendum


def verify_signature(note: ProgressNote) -> bool:
    """Whether the stored note still matches the hash taken when it was signed."""
    return note.is_signed and note.content_hash == content_hash(note_signature_payload(note))


# --- the lock, enforced below every route -------------------------------------------------


_LOCKED_COLUMNS = (*NOTE_CONTENT_FIELDS, "status", "signed_at", "signed_by_id", "content_hash")


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_signed_records(
    session: Session, _context: object, _instances: object
) -> None:
    """Whatever code path tries it, a signed note, its versions and addenda never change."""
    for obj in session.dirty:
        if isinstance(obj, ProgressNote):
            state = inspect(obj)
            history = state.attrs.status.history
            was_signed = NoteStatus.SIGNED in (history.deleted or history.unchanged or ())
            changed = any(state.attrs[name].history.has_changes() for name in _LOCKED_COLUMNS)
            if was_signed and changed:
                raise NoteLocked("This note is signed and cannot be changed.")
        elif isinstance(obj, NoteVersion | Addendum) and session.is_modified(obj):
            raise NoteLocked("Signed records cannot be changed.")
    for obj in session.deleted:
        if isinstance(obj, Addendum | NoteVersion) or (
            isinstance(obj, ProgressNote) and obj.is_signed
        ):
            raise NoteLocked("Signed records cannot be deleted.")
