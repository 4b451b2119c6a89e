from __future__ import annotations

from datetime import date
from functools import partial

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from practice import clock
from practice.access import Audience, Permission, allow
from practice.appointments.policy import load_note_or_404
from practice.couples.policy import load_couple_or_404, load_own_partner_or_404
from practice.directory.search import services_by_id
from practice.exercises.policy import load_exercise_or_404
from practice.exercises.services import current_version
from practice.homework.policy import load_own_assignment_or_404
from practice.referrals.services import referrals_of
from practice.reporting import jobs, notes, printables, progress, services, summary
from practice.reporting.forms import CLINICAL, PeriodForm, ProgressReportForm
from practice.unit_of_work import finish_reading

bp = Blueprint("reports", __name__)


def _pdf_response(report: services.Report) -> Response:
    return Response(
        report.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )


def _sent(
    kind: str,
    filename: str,
    context: dict,
    subject_id: int | None,
    *,
    extra: dict[str, bytes] | None = None,
    period: tuple[date | None, date | None] = (None, None),
    couple_id: int | None = None,
    purpose: str | None = None,
) -> Response:
    """Render outside the transaction (the data is read, so no lock is held while WeasyPrint
    works), record the report (committed with the request), and send it. With Redis, a
    worker renders and records it, and the answer is a page that waits for it."""
    finish_reading()
    if jobs.enabled():
        order = jobs.Order(
            kind, filename, context, extra, current_user.id, subject_id, period, couple_id, purpose
        )
        return redirect(url_for("reports.prepared", token=jobs.submit(order)))
    report = services.build(kind, filename, context, extra)
    services.record(report, current_user, subject_id, period, couple_id=couple_id, purpose=purpose)
    return _pdf_response(report)


@bp.route("/reports/<token>")
@allow(Audience.SIGNED_IN)
def prepared(token: str):
    """A report being made by the worker: how far it is, then the link to download it."""
    state = jobs.progress(token, current_user.id)
    if state is None:
        abort(404)
    return render_template("reporting/prepared.html", state=state, token=token)


@bp.route("/reports/<token>/download")
@allow(Audience.SIGNED_IN)
def download_prepared(token: str):
    """The finished report, for the person who asked for it."""
    state = jobs.progress(token, current_user.id)
    if state is None or state.report is None:
        abort(404)
    return _pdf_response(state.report)


@bp.route("/exercises/<id:exercise_id>/worksheet.pdf")
@allow(Audience.STAFF)
def exercise_worksheet(exercise_id: int):
    """A printable blank form of an exercise from the library."""
    exercise = load_exercise_or_404(exercise_id, Permission.EXERCISE_VIEW)
    version = current_version(exercise)
    return _sent(
        "worksheet",
        f"worksheet-{exercise_id}-v{version.number}.pdf",
        printables.worksheet_context(version),
        exercise_id,
    )


@bp.route("/portal/assignments/<id:assignment_id>/worksheet.pdf")
@allow(Audience.CLIENT)
def portal_worksheet(assignment_id: int):
    """The worksheet of one of my exercises, for doing it on paper."""
    partner = load_own_partner_or_404()
    assignment = load_own_assignment_or_404(partner, assignment_id)
    return _sent(
        "worksheet",
        f"worksheet-assignment-{assignment_id}.pdf",
        printables.worksheet_context(assignment.version, assignment),
        assignment.version.exercise_id,
        couple_id=assignment.couple_id,
    )


@bp.route("/couples/<id:couple_id>/handout.pdf")
@allow(Audience.COUNSELOR)
def handout(couple_id: int):
    """The services a couple was referred to (shared with the whole couple), to take home."""
    couple = load_couple_or_404(couple_id, Permission.REFERRAL_MANAGE)
    chosen = [r for r in referrals_of(couple) if r.shared and r.partner_id is None]
    listed = services_by_id([r.service_hsds_id for r in chosen])
    context = printables.handout_context(
        [listed[r.service_hsds_id] for r in chosen if r.service_hsds_id in listed],
        couple.display_name,
        couple.counselor.name,
    )
    return _sent("handout", f"services-{couple_id}.pdf", context, couple_id, couple_id=couple_id)


def _couple_period_report(
    couple,
    kind: str,
    form: PeriodForm,
    make_context,
    *,
    purpose: str | None = None,
    ask_first: bool = False,
) -> Response | str | tuple[str, int]:
    """A report about a couple for the period of the form. The form is shown to choose it
    (with ask_first and no query), or again with its messages when the period asked for is
    malformed, reversed or in the future: never changed silently, never a report."""
    if ask_first and not request.args:
        return render_template("reporting/period_form.html", couple=couple, form=form, kind=kind)
    if not form.validate():
        # Refused like every other form of the project: the messages, with 400.
        page = render_template("reporting/period_form.html", couple=couple, form=form, kind=kind)
        return page, 400
    start, end = form.from_date.data, form.to_date.data
    context, extra = make_context(couple, start, end)
    named = f"{kind}-{purpose}" if purpose else kind
    return _sent(
        kind,
        f"{named}-{couple.id}-{start:%Y%m%d}-{end:%Y%m%d}.pdf",
        context,
        couple.id,
        extra=extra,
        period=(start, end),
        couple_id=couple.id,
        purpose=purpose,
    )


def _progress_report(couple_id: int, *, ask_first: bool) -> Response | str | tuple[str, int]:
    couple = load_couple_or_404(couple_id, Permission.PROGRESS_VIEW)
    defaults = {"from_date": progress.baseline_of(couple), "to_date": clock.today()}
    form = ProgressReportForm(request.args or None, data=defaults)
    purpose = form.purpose.data  # checked with the period before anything is made
    return _couple_period_report(
        couple,
        "progress",
        form,
        partial(progress.progress_context, purpose=purpose),
        # The clinical record is what the report was before it had a purpose: named as before.
        purpose=None if purpose == CLINICAL else purpose,
        ask_first=ask_first,
    )


@bp.route("/couples/<id:couple_id>/reports/progress")
@allow(Audience.COUNSELOR)
def progress_form(couple_id: int):
    """Choose the period and the purpose of a progress report, then make it."""
    return _progress_report(couple_id, ask_first=True)


@bp.route("/couples/<id:couple_id>/progress-report.pdf")
@allow(Audience.COUNSELOR)
def progress_report(couple_id: int):
    """The couple progress report for a period (from the first answer on record to today by
    default), for the clinical record unless another purpose is asked for."""
    return _progress_report(couple_id, ask_first=False)


@bp.route("/couples/<id:couple_id>/summary.pdf")
@allow(Audience.COUNSELOR)
def summary_report(couple_id: int):
    """The summary to give the couple: progress, exercises, agreements, next steps, help."""
    couple = load_couple_or_404(couple_id, Permission.PROGRESS_VIEW)
    defaults = {"from_date": min(couple.intake_date, clock.today()), "to_date": clock.today()}
    form = PeriodForm(request.args or None, data=defaults)
    return _couple_period_report(couple, "summary", form, summary.summary_context)


@bp.route("/notes/<id:note_id>/pdf")
@allow(Audience.COUNSELOR)
def note_pdf(note_id: int):
    """Download a signed note as a PDF."""
    note = load_note_or_404(note_id, Permission.NOTE_READ)
    if not note.is_signed:
        abort(404)
    return _sent(
        "note",
        notes.note_filename(note),
        notes.note_context(note),
        note_id,
        couple_id=note.couple_id,
    )
