from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from practice.access import Audience, Permission, allow
from practice.couples.policy import load_couple_or_404, load_own_partner_or_404
from practice.exercises.services import library_for
from practice.framework import AREAS_BY_KEY
from practice.plans import services
from practice.plans.forms import GOAL_SLOTS, OBJECTIVE_SLOTS, AcknowledgeForm, PlanForm
from practice.plans.models import ObjectiveKind, shown_fingerprint
from practice.unit_of_work import attempt

bp = Blueprint("plans", __name__)


def _plan_or_404(couple_id: int):
    plan = services.plan_of(couple_id)
    if plan is None:
        abort(404)
    return plan


@bp.route("/couples/<id:couple_id>/plan")
@allow(Audience.COUNSELOR)
def plan(couple_id: int):
    """The couple's plan with each objective's status, who acknowledged it, and its versions."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_VIEW)
    plan = services.plan_of(couple.id)
    goals = services.goal_views(couple, plan) if plan else []
    return render_template(
        "plans/plan.html",
        couple=couple,
        plan=plan,
        goals=goals,
        titles=services.exercise_titles({e for g in goals for e in g.exercises}),
        areas=AREAS_BY_KEY,
        acknowledged=services.acknowledged_partners(plan, couple) if plan else {},
        own_words=ObjectiveKind.OWN_WORDS,
    )


@bp.route("/couples/<id:couple_id>/plan/versions/<id:number>")
@allow(Audience.COUNSELOR)
def plan_version(couple_id: int, number: int):
    """An earlier version of the plan, as it was written."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_VIEW)
    plan = _plan_or_404(couple.id)
    version = next((v for v in plan.versions if v.number == number), None)
    if version is None:
        abort(404)
    goals = services.goal_views(couple, plan, version)
    return render_template(
        "plans/version.html",
        couple=couple,
        plan=plan,
        version=version,
        goals=goals,
        titles=services.exercise_titles({e for g in goals for e in g.exercises}),
        areas=AREAS_BY_KEY,
    )


@bp.route("/couples/<id:couple_id>/plan/edit", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def edit_plan(couple_id: int):
    """Write the plan, or a new version of it: goals, objectives and interventions."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_EDIT)
    plan = services.plan_of(couple.id)
    form = PlanForm(
        data=services.form_data_of(plan.current if plan else None, GOAL_SLOTS, OBJECTIVE_SLOTS)
    )
    whom = [SelectChoice("", "The couple")] + [
        SelectChoice(str(p.id), f"{p.name} only") for p in couple.partners
    ]
    library = [SelectChoice(v.exercise_id, v.title) for v in library_for(current_user)]
    for entry in form.goals:
        entry.form.for_whom.choices = whom
        entry.form.exercises.choices = library
    if form.validate_on_submit():
        saved = attempt(
            lambda: services.save_plan(
                couple, form.chosen_goals(), form.review_on.data, current_user
            ),
            form=form,
            field="review_on",
        )
        if saved:
            flash(
                f"Plan version {saved.value.number} saved. Each partner is asked to read and "
                "acknowledge what they are shown.",
                "success",
            )
            return redirect(url_for("plans.plan", couple_id=couple.id))
    return render_template(
        "plans/edit.html", couple=couple, plan=plan, form=form
    ), 400 if form.errors else 200


@bp.route("/couples/<id:couple_id>/plan/objectives/<key>/met", methods=["POST"])
@allow(Audience.COUNSELOR)
def objective_met(couple_id: int, key: str):
    """Record that an objective in the counselor's own words was reached today."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_EDIT)
    plan = _plan_or_404(couple.id)
    # The token is checked for every form by CSRFProtect before this runs.
    if attempt(lambda: services.record_met(plan, key, current_user)):
        flash("Recorded as met today.", "success")
    return redirect(url_for("plans.plan", couple_id=couple.id))


@bp.route("/portal/plan", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def portal_plan():
    """A partner reads the couple's goals and their own, and acknowledges them."""
    partner = load_own_partner_or_404()
    plan = services.plan_of(partner.couple_id)
    if plan is None:
        return render_template("plans/portal_plan.html", partner=partner, plan=None)
    shown = plan.current.goals_for(partner.id)
    form = AcknowledgeForm()
    if not form.is_submitted():
        # Only the fingerprint the browser sends back counts: what this partner was shown.
        form.shown.data = shown_fingerprint(shown)
    acknowledgement = services.acknowledgement_of(plan, partner)
    refused = False
    if acknowledgement is None and form.validate_on_submit():
        done = attempt(
            lambda: services.acknowledge(plan, partner, form.shown.data or "", current_user)
        )
        if done:
            flash("Thank you. Your counselor can see that you have read the plan.", "success")
            return redirect(url_for("plans.portal_plan"))
        form.shown.data, refused = shown_fingerprint(shown), True
    return render_template(
        "plans/portal_plan.html",
        partner=partner,
        plan=plan,
        couple_goals=[g for g in shown if g["partner_id"] is None],
        own_goals=[g for g in shown if g["partner_id"] is not None],
        wording=services.objective_wording,
        titles=services.exercise_titles({e for g in shown for e in g.get("exercises") or []}),
        areas=AREAS_BY_KEY,
        form=form,
        acknowledgement=acknowledgement,
    ), 400 if refused else 200
