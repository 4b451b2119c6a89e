from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from practice import clock, db
from practice.access import Audience, Permission, allow
from practice.appointments import services
from practice.appointments.digest import digest_for
from practice.appointments.forms import AddendumForm, AppointmentForm, AttendanceForm, NoteForm
from practice.appointments.models import (
    NOTE_CONTENT_FIELDS,
    NoteFormat,
    ProgressNote,
    note_sections,
)
from practice.appointments.policy import (
    load_appointment_or_404,
    load_couple_appointment_or_404,
    load_note_or_404,
)
from practice.couples.models import CoupleStatus
from practice.couples.policy import load_couple_or_404, load_partner_or_404
from practice.measures import services as measures
from practice.measures.forms import answers_form_class, answers_of
from practice.measures.policy import progress_measure_or_404
from practice.pagination import query_id
from practice.unit_of_work import attempt

bp = Blueprint("appointments", __name__)
bp.add_app_template_global(note_sections)


@bp.route("/couples/<id:couple_id>/appointments/new", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def new_appointment(couple_id: int):
    """Schedule an appointment for a couple."""
    couple = load_couple_or_404(couple_id, Permission.APPOINTMENT_MANAGE)
    form = AppointmentForm(
        couple=couple, individual_partner_id=query_id(request.args.get("partner"))
    )
    if form.validate_on_submit() and (
        made := attempt(
            lambda: services.schedule(couple, form.data, current_user), form=form, field="day"
        )
    ):
        flash("Appointment scheduled.", "success")
        return redirect(url_for("appointments.appointment", appointment_id=made.value.id))
    status = 400 if form.errors else 200
    return render_template("appointments/appointment_form.html", form=form, couple=couple), status


@bp.route("/appointments/<id:appointment_id>")
@allow(Audience.COUNSELOR)
def appointment(appointment_id: int):
    """Show an appointment with its attendance and note."""
    appointment = load_appointment_or_404(appointment_id, Permission.APPOINTMENT_MANAGE)
    form = AttendanceForm(
        couple=appointment.couple,
        data={
            "attendance": appointment.attendance.value if appointment.attendance else None,
            "attending_partner_id": appointment.attending_partner_id,
        },
    )
    return render_template("appointments/appointment.html", appointment=appointment, form=form)


@bp.route("/appointments/<id:appointment_id>/attendance", methods=["POST"])
@allow(Audience.COUNSELOR)
def record_attendance(appointment_id: int):
    """Record who attended."""
    appointment = load_appointment_or_404(appointment_id, Permission.APPOINTMENT_MANAGE)
    form = AttendanceForm(couple=appointment.couple)
    if form.validate_on_submit() and attempt(
        lambda: services.record_attendance(appointment, form.data, current_user),
        form=form,
        field="attendance",
    ):
        flash("Attendance recorded.", "success")
        return redirect(url_for("appointments.appointment", appointment_id=appointment.id))
    return render_template("appointments/appointment.html", appointment=appointment, form=form), 400


@bp.route("/appointments/<id:appointment_id>/calendar.ics")
@allow(Audience.COUNSELOR)
def calendar_file(appointment_id: int):
    """Download the appointment as a calendar file."""
    appointment = load_appointment_or_404(appointment_id, Permission.APPOINTMENT_MANAGE)
    return Response(
        services.calendar_file(appointment),
        mimetype="text/calendar",
        headers={"Content-Disposition": f"attachment; filename=appointment-{appointment.id}.ics"},
    )


@bp.route("/appointments/<id:appointment_id>/note", methods=["POST"])
@allow(Audience.COUNSELOR)
def start_note(appointment_id: int):
    """Open the appointment's draft note."""
    appointment = load_appointment_or_404(appointment_id, Permission.NOTE_WRITE)
    note_format = NoteFormat.SOAP if request.form.get("format") == "soap" else NoteFormat.DAP
    note = services.start_note(appointment, current_user, note_format)
    return redirect(url_for("appointments.edit_note", note_id=note.id))


def _note_form_data(note: ProgressNote) -> dict[str, object]:
    content = note.content()
    content["plan_goals"] = [goal["key"] for goal in content.get("plan_goals") or []]
    return {**content, "version": str(note.version)}


@bp.route("/notes/<id:note_id>")
@allow(Audience.COUNSELOR)
def note(note_id: int):
    """Read a note, its addenda and its saved versions."""
    note = load_note_or_404(note_id, Permission.NOTE_READ)
    if not note.is_signed:
        return redirect(url_for("appointments.edit_note", note_id=note.id))
    return render_template(
        "appointments/note.html",
        note=note,
        form=AddendumForm(),
        intact=services.verify_signature(note),
    )


@bp.route("/notes/<id:note_id>/edit", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def edit_note(note_id: int):
    """Edit a draft note; save it, or sign and lock it."""
    note = load_note_or_404(note_id, Permission.NOTE_WRITE)
    if note.is_signed:
        if request.method == "POST":
            # Someone signed it meanwhile (or this tab is old): show what was typed, to copy.
            return _locked(note, NoteForm())
        return redirect(url_for("appointments.note", note_id=note.id))
    form = NoteForm(data=None if request.method == "POST" else _note_form_data(note))
    form.plan_goals.choices = services.plan_goal_choices(note.couple_id)
    if form.validate_on_submit():
        signing = "sign" in request.form
        action = services.sign if signing else services.save_draft
        try:
            action(note, form.data, form.expected_version, current_user)
        except (services.NoteConflict, StaleDataError):
            db.session.rollback()
            return _conflict(note_id, form)
        except services.NoteLocked:
            db.session.rollback()
            return _locked(note, form)
        except services.AppointmentError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return _note_editor(note, form, 400)
        flash("Note signed and locked." if signing else "Draft saved.", "success")
        target = "appointments.note" if signing else "appointments.edit_note"
        return redirect(url_for(target, note_id=note.id))
    return _note_editor(note, form, 400 if form.errors else 200)


def _note_editor(note: ProgressNote, form: NoteForm, status: int):
    digest = digest_for(note.appointment.couple, clock.today(), before=note.appointment.starts_at)
    return render_template(
        "appointments/note_form.html", note=note, form=form, digest=digest
    ), status


def _locked(note: ProgressNote, form: NoteForm):
    kept = {name: form[name].data for name in NOTE_CONTENT_FIELDS}
    kept["areas"] = kept["areas"] or []
    return render_template("appointments/note_locked.html", note=note, kept=kept), 409


def _conflict(note_id: int, form: NoteForm):
    """Show the newer saved note beside the editor's own text, which is kept in the form."""
    current = load_note_or_404(note_id, Permission.NOTE_WRITE)
    if current.is_signed:
        return render_template("appointments/note_locked.html", note=current, kept=form.data), 409
    form.version.data = str(current.version)
    return render_template("appointments/note_conflict.html", note=current, form=form), 409


@bp.route("/notes/<id:note_id>/addenda", methods=["POST"])
@allow(Audience.COUNSELOR)
def add_addendum(note_id: int):
    """Sign an addendum to a signed note."""
    note = load_note_or_404(note_id, Permission.NOTE_WRITE)
    if not note.is_signed:
        abort(404)
    form = AddendumForm()
    if form.validate_on_submit():
        services.add_addendum(note, form.data, current_user)
        flash("Addendum signed and added.", "success")
        return redirect(url_for("appointments.note", note_id=note.id))
    return render_template(
        "appointments/note.html", note=note, form=form, intact=services.verify_signature(note)
    ), 400


# Measures are entered here, beside appointments, because the counselor enters them during one.
@bp.route("/couples/<id:couple_id>/measures/<measure_key>", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def enter_measure(couple_id: int, measure_key: str):
    """Enter a partner's answers given during an appointment."""
    couple = load_couple_or_404(couple_id, Permission.MEASURE_ENTER)
    measure = progress_measure_or_404(measure_key)
    partner = load_partner_or_404(couple, query_id(request.args.get("partner")) or 0)
    appointment = load_couple_appointment_or_404(couple, query_id(request.args.get("appointment")))
    back = (
        url_for("appointments.appointment", appointment_id=appointment.id)
        if appointment
        else url_for("pages.couple", couple_id=couple.id) + "#progress"
    )
    if couple.status is CoupleStatus.CLOSED:
        flash("This case is closed; reopen it to record new answers.", "warning")
        return redirect(back)
    day = clock.to_local(appointment.starts_at).date() if appointment else clock.today()
    form = answers_form_class(measure, with_date=True)(
        data=None if request.method == "POST" else {"taken_on": day}
    )
    if form.validate_on_submit() and _plausible_day(form.taken_on, couple):
        measures.record_response(
            partner, measure, answers_of(measure, form), form.taken_on.data, current_user
        )
        flash(f"{measure.short_title} for {partner.name} saved.", "success")
        return redirect(back)
    return render_template(
        "measures/answer.html",
        form=form,
        measure=measure,
        partner=partner,
        couple=couple,
        portal=False,
        back=back,
    ), 400 if form.errors else 200


def _plausible_day(field, couple) -> bool:
    earliest = couple.intake_date - timedelta(days=90)
    if not earliest <= field.data <= clock.today():
        field.errors.append(
            f"Enter a date between {earliest:%d %b %Y} (shortly before intake) and today."
        )
        return False
    return True
