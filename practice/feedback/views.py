from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from practice import clock
from practice.access import Audience, Permission, allow
from practice.couples.policy import load_couple_or_404, load_own_partner_or_404
from practice.feedback import services
from practice.feedback.forms import rating_form_class
from practice.measures import charts
from practice.measures.definitions import SESSION_SCALE
from practice.measures.forms import answers_of
from practice.unit_of_work import attempt

bp = Blueprint("feedback", __name__)


@bp.route("/portal/appointments/<id:appointment_id>/rating", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def rate(appointment_id: int):
    """Let a partner rate, privately, an appointment they attended."""
    partner = load_own_partner_or_404()
    appointment = services.rateable_appointment(partner, appointment_id, clock.today())
    if appointment is None:
        abort(404)
    form = rating_form_class()()
    if form.validate_on_submit() and attempt(
        lambda: services.record_rating(
            partner, appointment, answers_of(SESSION_SCALE, form), current_user
        ),
        form=form,
    ):
        flash("Thank you. Only your counselor sees your rating.", "success")
        return redirect(url_for("portal.home"))
    return render_template(
        "feedback/rate.html", form=form, appointment=appointment, measure=SESSION_SCALE
    ), 400 if form.errors else 200


@bp.route("/couples/<id:couple_id>/charts/sessions.svg")
@allow(Audience.COUNSELOR)
def chart(couple_id: int):
    """Both partners' overall rating of each appointment, as an SVG image."""
    couple = load_couple_or_404(couple_id, Permission.PROGRESS_VIEW)
    series = services.chart_series(couple, services.ratings_of(couple))
    return charts.svg_response(charts.progress_chart(SESSION_SCALE.key, series))
