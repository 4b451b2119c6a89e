from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user

from practice import clock
from practice.access import Audience, Permission, allow
from practice.couples.policy import load_couple_or_404, load_own_partner_or_404
from practice.directory.search import local_safety_services
from practice.measures import charts, services
from practice.measures.definitions import HARK
from practice.measures.forms import (
    ContactPreferenceForm,
    answers_form_class,
    answers_of,
    safety_plan_form_class,
)
from practice.measures.models import SAFETY_PLAN_PARTS
from practice.measures.policy import progress_measure_or_404
from practice.quick_exit import QUICK_EXIT_URL

bp = Blueprint("measures", __name__)

JUST_ANSWERED = "safety_just_answered"


# --- the counselor -------------------------------------------------------------------------


@bp.route("/couples/<id:couple_id>/charts/<measure_key>.svg")
@allow(Audience.COUNSELOR)
def chart(couple_id: int, measure_key: str):
    """The progress chart of one measure, as an SVG image."""
    couple = load_couple_or_404(couple_id, Permission.PROGRESS_VIEW)
    measure = progress_measure_or_404(measure_key)
    progress = next(p for p in services.progress_of(couple).measures if p.measure is measure)
    _key, series = progress.chart_key()
    return charts.svg_response(charts.progress_chart(measure.key, series))


# --- the partner's portal ------------------------------------------------------------------


@bp.route("/portal/measures/<measure_key>", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def portal_answer(measure_key: str):
    """Let a partner fill in a check-in or the CSI-4 before an appointment."""
    partner = load_own_partner_or_404()
    measure = progress_measure_or_404(measure_key)
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
    partner = load_own_partner_or_404()
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
    partner = load_own_partner_or_404()
    just_answered = session.pop(JUST_ANSWERED, None)
    return render_template(
        "measures/safety_resources.html",
        positive=just_answered == "positive",
        answered=just_answered is not None,
        quick_exit=QUICK_EXIT_URL,
        local_services=local_safety_services(partner.couple.zip_code, limit=5),
    )


@bp.route("/portal/safety/contact", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def contact_preference():
    """Let a partner say, privately, how it is safe to reach them."""
    partner = load_own_partner_or_404()
    saved = services.contact_preference_of(partner)
    data = {}
    if saved is not None:
        data = {
            "email_ok": "yes" if saved.email_ok else "no",
            "phone_ok": "yes" if saved.phone_ok else "no",
            "safe_times": saved.safe_times,
        }
    form = ContactPreferenceForm(data=data)
    if form.validate_on_submit():
        services.save_contact_preference(
            partner,
            form.email_ok.data == "yes",
            form.phone_ok.data == "yes",
            form.safe_times.data or "",
            current_user,
        )
        flash("Saved. Only you and your counselor can see this.", "success")
        return redirect(url_for("measures.contact_preference"))
    return render_template(
        "measures/contact_preference.html", form=form, quick_exit=QUICK_EXIT_URL
    ), 400 if form.errors else 200


@bp.route("/portal/safety/plan", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def safety_plan():
    """A partner's own safety plan, in their words; only they and their counselor read it."""
    partner = load_own_partner_or_404()
    plan = services.safety_plan_of(partner)
    form = safety_plan_form_class()(data=plan.content if plan else {})
    if form.validate_on_submit():
        parts = {key: form[key].data for key, _label, _hint in SAFETY_PLAN_PARTS}
        services.save_safety_plan(partner, parts, current_user)
        flash("Your safety plan is saved.", "success")
        return redirect(url_for("measures.safety_plan"))
    return render_template(
        "measures/safety_plan.html",
        form=form,
        parts=SAFETY_PLAN_PARTS,
        saved=plan is not None,
        quick_exit=QUICK_EXIT_URL,
    ), 400 if form.errors else 200


@bp.route("/portal/safety/plan/print")
@allow(Audience.CLIENT)
def print_safety_plan():
    """The safety plan laid out to print, with the numbers that help at any hour."""
    partner = load_own_partner_or_404()
    plan = services.safety_plan_of(partner)
    return render_template(
        "measures/safety_plan_print.html",
        plan=plan.content if plan else {},
        parts=SAFETY_PLAN_PARTS,
        quick_exit=QUICK_EXIT_URL,
    )
