from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from practice import clock, db
from practice.access import Audience, Permission, allow
from practice.appointments.models import Appointment
from practice.couples.models import CoupleStatus
from practice.couples.policy import load_couple_or_404, load_partner_or_404
from practice.couples.services import partner_of
from practice.directory.search import local_safety_services
from practice.measures import charts, services
from practice.measures.definitions import HARK, MEASURES, PROGRESS_MEASURES, Measure
from practice.measures.forms import answers_form_class, answers_of
from practice.measures.models import SafetyScreen
from practice.pagination import query_id
from practice.quick_exit import QUICK_EXIT_URL

bp = Blueprint("measures", __name__)

JUST_ANSWERED = "safety_just_answered"
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _progress_measure_or_404(measure_key: str) -> Measure:
    measure = MEASURES.get(measure_key)
    if measure is None or measure not in PROGRESS_MEASURES:
        abort(404)
    return measure


# --- the counselor -------------------------------------------------------------------------


@bp.route("/couples/<id:couple_id>/measures/<measure_key>", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def enter(couple_id: int, measure_key: str):
    """Enter a partner's answers given during an appointment."""
    couple = load_couple_or_404(couple_id, Permission.MEASURE_ENTER)
    measure = _progress_measure_or_404(measure_key)
    partner = load_partner_or_404(couple, query_id(request.args.get("partner")) or 0)
    appointment = _appointment_of(couple, query_id(request.args.get("appointment")))
    back = (
        url_for("appointments.appointment", appointment_id=appointment.id)
        if appointment
        else url_for("couples.couple", couple_id=couple.id) + "#progress"
    )
    if couple.status is CoupleStatus.CLOSED:
        flash("This case is closed; reopen it to record new answers.", "warning")
        return redirect(back)
    day = clock.to_local(appointment.starts_at).date() if appointment else clock.today()
    form = answers_form_class(measure, with_date=True)(
        data=None if request.method == "POST" else {"taken_on": day}
    )
    if form.validate_on_submit() and _plausible_day(form.taken_on, couple):
        services.record_response(
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


def _appointment_of(couple, appointment_id: int | None):
    if appointment_id is None:
        return None
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.couple_id != couple.id:
        abort(404)
    return appointment


def _plausible_day(field, couple) -> bool:
    earliest = couple.intake_date - timedelta(days=90)
    if not earliest <= field.data <= clock.today():
        field.errors.append(
            f"Enter a date between {earliest:%d %b %Y} (shortly before intake) and today."
        )
        return False
    return True


@bp.route("/couples/<id:couple_id>/charts/<measure_key>.svg")
@allow(Audience.COUNSELOR)
def chart(couple_id: int, measure_key: str):
    """The progress chart of one measure, as an SVG image."""
    couple = load_couple_or_404(couple_id, Permission.PROGRESS_VIEW)
    measure = _progress_measure_or_404(measure_key)
    progress = next(p for p in services.progress_of(couple).measures if p.measure is measure)
    _key, series = progress.chart_key()
    response = Response(charts.progress_chart(measure.key, series), mimetype="image/svg+xml")
    # matplotlib styles its SVG inline; the image may use its own styles and nothing else.
    response.headers["Content-Security-Policy"] = CHART_POLICY
    return response


@bp.route("/couples/<id:couple_id>/safety/<id:screen_id>/reviewed", methods=["POST"])
@allow(Audience.COUNSELOR)
def mark_reviewed(couple_id: int, screen_id: int):
    """Note that a positive safety check has been followed up."""
    couple = load_couple_or_404(couple_id, Permission.SAFETY_REVIEW)
    screen = db.session.scalar(
        select(SafetyScreen).where(
            SafetyScreen.id == screen_id, SafetyScreen.couple_id == couple.id
        )
    )
    if screen is None or not screen.positive:
        abort(404)
    services.mark_reviewed(screen, current_user)
    flash("Marked as followed up.", "success")
    return redirect(url_for("couples.couple", couple_id=couple.id))


# --- the partner's portal ------------------------------------------------------------------


def _own_partner_or_404():
    partner = partner_of(current_user)
    if partner is None:
        abort(404)
    return partner


@bp.route("/portal/measures/<measure_key>", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def portal_answer(measure_key: str):
    """Let a partner fill in a check-in or the CSI-4 before an appointment."""
    partner = _own_partner_or_404()
    measure = _progress_measure_or_404(measure_key)
    form = answers_form_class(measure, with_date=False)()
    if form.validate_on_submit():
        services.record_response(
            partner, measure, answers_of(measure, form), clock.today(), current_user
        )
        flash(f"Thank you. Your answers to the {measure.short_title} are saved.", "success")
        return redirect(url_for("portal.home"))
    return render_template(
        "measures/answer.html",
        form=form,
        measure=measure,
        partner=partner,
        couple=partner.couple,
        portal=True,
    ), 400 if form.errors else 200


@bp.route("/portal/safety", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def safety_check():
    """The private safety check: answered alone, seen by the counselor only."""
    partner = _own_partner_or_404()
    form = answers_form_class(HARK, with_date=False)()
    if form.validate_on_submit():
        screen = services.record_safety_screen(partner, answers_of(HARK, form), current_user)
        # Shown once, right after answering; the page never repeats the result later, in
        # case someone else picks up the phone.
        session[JUST_ANSWERED] = "positive" if screen.positive else "negative"
        return redirect(url_for("measures.safety_resources"))
    return render_template(
        "measures/safety_check.html", form=form, measure=HARK, quick_exit=QUICK_EXIT_URL
    ), 400 if form.errors else 200


@bp.route("/portal/safety/resources")
@allow(Audience.CLIENT)
def safety_resources():
    """Private safety resources; right after a check, a word about what happens next."""
    partner = _own_partner_or_404()
    just_answered = session.pop(JUST_ANSWERED, None)
    return render_template(
        "measures/safety_resources.html",
        positive=just_answered == "positive",
        answered=just_answered is not None,
        quick_exit=QUICK_EXIT_URL,
        local_services=local_safety_services(partner.couple.zip_code)[:5],
    )
