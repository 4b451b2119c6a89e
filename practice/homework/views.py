from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from practice import clock
from practice.access import Audience, Permission, allow
from practice.consent import services as consent_services
from practice.couples.policy import load_couple_or_404, load_own_partner_or_404
from practice.exercises.forms import FIELD_PREFIX, answer_form_class, answers_of, form_data_from
from practice.exercises.models import Visibility
from practice.exercises.services import library_for
from practice.homework import schedule, services
from practice.homework.forms import AssignmentForm, FeedbackForm
from practice.homework.policy import (
    load_assignment_or_404,
    load_completion_or_404,
    load_own_assignment_or_404,
)
from practice.measures.services import joint_work_hold
from practice.pagination import query_id
from practice.unit_of_work import attempt

bp = Blueprint("homework", __name__)


@bp.route("/couples/<id:couple_id>/assignments/new", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def new_assignment(couple_id: int):
    """Give an exercise to a couple or one partner."""
    couple = load_couple_or_404(couple_id, Permission.ASSIGNMENT_MANAGE)
    versions = library_for(current_user)
    form = AssignmentForm(
        exercises=versions,
        couple=couple,
        exercise_id=query_id(request.args.get("exercise")),
        start_on=clock.today() if request.method == "GET" else None,
    )
    if form.validate_on_submit():
        # The form only accepts exercises from this list, so the chosen one is in it.
        version = next(v for v in versions if v.exercise_id == form.exercise_id.data)
        if attempt(
            lambda: services.assign(couple, version, form.data, current_user),
            form=form,
            field="exercise_id",
        ):
            flash(f"{version.title} assigned.", "success")
            return redirect(url_for("pages.couple", couple_id=couple.id) + "#assignments")
    status = 400 if form.errors else 200
    return render_template(
        "homework/assignment_form.html",
        form=form,
        couple=couple,
        versions=versions,
        hold=joint_work_hold(couple),
    ), status


@bp.route("/assignments/<id:assignment_id>")
@allow(Audience.COUNSELOR)
def assignment(assignment_id: int):
    """An assignment's answers, adherence and feedback."""
    assignment = load_assignment_or_404(assignment_id, Permission.ASSIGNMENT_MANAGE)
    today = clock.today()
    return render_template(
        "homework/assignment.html",
        assignment=assignment,
        status=schedule.status(assignment, today),
        adherence=services.adherence_by_answerer(
            assignment, {p.id: p.name for p in assignment.couple.partners}, today
        ),
        form=FeedbackForm(),
        today=today,
    )


@bp.route("/assignments/<id:assignment_id>/close", methods=["POST"])
@allow(Audience.COUNSELOR)
def close_assignment(assignment_id: int):
    """Stop an assignment early."""
    assignment = load_assignment_or_404(assignment_id, Permission.ASSIGNMENT_MANAGE)
    services.close_assignment(assignment, current_user)
    flash("Assignment closed. Partners see that it has ended.", "success")
    return redirect(url_for("homework.assignment", assignment_id=assignment.id))


@bp.route("/completions/<id:completion_id>/feedback", methods=["POST"])
@allow(Audience.COUNSELOR)
def add_feedback(completion_id: int):
    """Answer a partner's sent answer; they read it in their portal."""
    completion = load_completion_or_404(completion_id, Permission.ASSIGNMENT_MANAGE)
    form = FeedbackForm()
    if not form.validate_on_submit():
        flash("Write your feedback before sending it.", "danger")
    else:
        services.add_feedback(completion, form.body.data, current_user)
        flash(f"Feedback sent to {completion.partner.name}.", "success")
    return redirect(
        url_for("homework.assignment", assignment_id=completion.assignment_id)
        + f"#answer-{completion.id}"
    )


@bp.route("/portal/assignments/<id:assignment_id>", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def answer(assignment_id: int):
    """Fill in an exercise: save a draft, or send it."""
    partner = load_own_partner_or_404()
    assignment = load_own_assignment_or_404(partner, assignment_id)
    version = assignment.version
    today = clock.today()
    submitting = request.method == "POST" and "submit" in request.form
    choice = services.offers_privacy_choice(assignment)
    form_class = answer_form_class(version.fields, require=submitting, privacy_choice=choice)
    draft = services.own_draft(assignment, partner)
    initial = None
    if request.method == "GET" and draft is not None:
        initial = {
            **form_data_from(draft.answers, version.fields),
            "visibility": draft.visibility.value,
        }
    form = form_class(data=initial)
    closed_reason = schedule.why_closed(assignment, today)
    who = schedule.answerer_of(assignment, partner.id)
    adherence = schedule.adherence_of(assignment, who, today)
    done_for_now = (
        closed_reason is None and adherence.this_period_done >= adherence.this_period_expected
    )
    visibility = form.visibility.data if choice else None
    if (
        form.validate_on_submit()
        and not done_for_now
        and attempt(
            lambda: services.save_answers(
                assignment,
                partner,
                answers_of(form, version.fields),
                visibility=Visibility(visibility) if visibility else None,
                submit=submitting,
                today=today,
                actor=current_user,
            ),
            form=form,
            field_prefix=FIELD_PREFIX,
            flash_category="warning",
        )
    ):
        flash(_saved_message(version, submitting), "success")
        if submitting:
            return redirect(url_for("portal.home"))
        return redirect(url_for("homework.answer", assignment_id=assignment.id))
    status = 400 if form.errors or request.method == "POST" else 200
    if done_for_now and request.method == "POST":
        flash(services.already_done_message(assignment), "info")
        status = 409
    return render_template(
        "homework/answer.html",
        assignment=assignment,
        version=version,
        form=form,
        partner=partner,
        closed_reason=closed_reason,
        history=_history_for(assignment, partner),
        adherence=adherence,
        done_for_now=done_for_now,
        visibility=services.visibility_for(assignment, None),
        secrets_policy=consent_services.current_or_default().secrets_policy,
    ), status


def _saved_message(version, submitted: bool) -> str:
    if not submitted:
        return "Draft saved. Only you can see it until you send it."
    if version.agreement_kind is not None:
        return "Sent. Your partner can now accept it or suggest changes."
    return "Sent. Thank you."


def _history_for(assignment, partner):
    """Sent answers this partner may read, newest first, with the counselor's feedback."""
    return [
        c
        for c in reversed(assignment.completions)
        if c.submitted and services.visible_to_partner(c, partner)
    ]
