from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from practice import db
from practice.access import Audience, Permission, allow
from practice.couples.policy import load_couple_or_404, load_partner_or_404
from practice.measures import services as measures
from practice.measures.models import (
    RISK_QUESTIONS,
    SAFETY_PLAN_PARTS,
    FollowUpDecision,
    SafetyFollowUp,
)
from practice.measures.policy import load_positive_screen_or_404
from practice.safety import services
from practice.safety.forms import ResumeForm, follow_up_form_class, note_choices, risk_review_of
from practice.unit_of_work import attempt

bp = Blueprint("safety", __name__)


@bp.route("/couples/<id:couple_id>/safety/<id:screen_id>/follow-up", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def follow_up(couple_id: int, screen_id: int):
    """Record the follow-up of a positive safety check: the note, the review, the decision."""
    couple = load_couple_or_404(couple_id, Permission.SAFETY_REVIEW)
    screen = load_positive_screen_or_404(couple, screen_id)
    if screen.reviewed_at is not None:
        return redirect(url_for("pages.couple", couple_id=couple.id) + "#safety-history")
    notes = services.individual_notes_for(screen)
    form = follow_up_form_class()()
    form.note_id.choices = note_choices(notes)
    if form.validate_on_submit():
        recorded = attempt(
            lambda: measures.record_follow_up(
                screen,
                form.note_id.data,
                risk_review_of(form),
                FollowUpDecision(form.decision.data),
                form.reason.data,
                current_user,
            ),
            form=form,
        )
        if recorded:
            flash(f"Followed up: {recorded.value.decision.label.lower()}.", "success")
            return redirect(url_for("pages.couple", couple_id=couple.id))
    return render_template(
        "safety/follow_up.html",
        couple=couple,
        screen=screen,
        form=form,
        notes=notes,
        endorsed=measures.endorsed_items(screen),
        risk_keys=[key for key, _question in RISK_QUESTIONS],
        contact=measures.contact_preference_of(screen.partner),
        plan=measures.safety_plan_of(screen.partner),
        parts=SAFETY_PLAN_PARTS,
    ), 400 if form.errors else 200


@bp.route("/couples/<id:couple_id>/safety/partners/<id:partner_id>")
@allow(Audience.COUNSELOR)
def partner_safety(couple_id: int, partner_id: int):
    """One partner's private contact wishes and safety plan, for their counselor."""
    couple = load_couple_or_404(couple_id, Permission.SAFETY_REVIEW)
    partner = load_partner_or_404(couple, partner_id)
    return render_template(
        "safety/partner.html",
        couple=couple,
        partner=partner,
        contact=measures.contact_preference_of(partner),
        plan=measures.safety_plan_of(partner),
        parts=SAFETY_PLAN_PARTS,
    )


@bp.route("/couples/<id:couple_id>/safety/follow-ups/<id:follow_up_id>/resume", methods=["POST"])
@allow(Audience.COUNSELOR)
def resume(couple_id: int, follow_up_id: int):
    """Let joint work go on after a follow-up paused it, with the reason."""
    couple = load_couple_or_404(couple_id, Permission.SAFETY_REVIEW)
    follow_up = db.session.scalar(
        select(SafetyFollowUp).where(
            SafetyFollowUp.id == follow_up_id, SafetyFollowUp.couple_id == couple.id
        )
    )
    if follow_up is None:
        abort(404)
    form = ResumeForm()
    if form.validate_on_submit():
        if attempt(lambda: measures.resume_joint_work(follow_up, form.reason.data, current_user)):
            flash("Joint work can go on.", "success")
    else:
        flash(form.reason.errors[0] if form.reason.errors else "Say why.", "danger")
    return redirect(url_for("pages.couple", couple_id=couple.id) + "#safety-history")
