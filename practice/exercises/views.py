from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from practice import clock
from practice.access import Audience, Permission, allow
from practice.couples.policy import load_couple_or_404
from practice.couples.services import partner_of
from practice.exercises import schedule, services
from practice.exercises.forms import (
    FIELD_PREFIX,
    AssignmentForm,
    ExerciseForm,
    FeedbackForm,
    answer_form_class,
    answers_of,
    exercise_form_data,
    form_data_from,
)
from practice.exercises.models import Mode, Visibility
from practice.exercises.policy import (
    load_agreement_or_404,
    load_assignment_or_404,
    load_completion_or_404,
    load_exercise_or_404,
    load_own_agreement_or_404,
    load_own_assignment_or_404,
)
from practice.framework import AREAS, AREAS_BY_KEY
from practice.measures.services import open_positive_screens
from practice.pagination import query_id
from practice.unit_of_work import attempt

bp = Blueprint("exercises", __name__)


# --- the library ------------------------------------------------------------------------------


@bp.route("/exercises")
@allow(Audience.STAFF)
def library():
    """The exercise library, by framework area."""
    area = request.args.get("area") if request.args.get("area") in AREAS_BY_KEY else None
    return render_template(
        "exercises/library.html",
        versions=services.library_for(current_user, area),
        areas=AREAS,
        area=area,
    )


@bp.route("/exercises/<id:exercise_id>")
@allow(Audience.STAFF)
def exercise(exercise_id: int):
    """One exercise: its current text, fields and earlier versions."""
    exercise = load_exercise_or_404(exercise_id, Permission.EXERCISE_VIEW)
    return render_template(
        "exercises/exercise.html", exercise=exercise, version=services.current_version(exercise)
    )


@bp.route("/exercises/new", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def new_exercise():
    """Write an exercise of one's own."""
    form = ExerciseForm()
    if form.validate_on_submit():
        exercise = services.create_exercise(current_user, form.content())
        flash("Exercise saved to your library.", "success")
        return redirect(url_for("exercises.exercise", exercise_id=exercise.id))
    status = 400 if request.method == "POST" else 200
    return render_template("exercises/exercise_form.html", form=form, exercise=None), status


@bp.route("/exercises/<id:exercise_id>/edit", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def edit_exercise(exercise_id: int):
    """Edit one's own exercise; the change becomes a new version."""
    exercise = load_exercise_or_404(exercise_id, Permission.EXERCISE_EDIT)
    current = services.current_version(exercise)
    initial = exercise_form_data(current) if request.method == "GET" else None
    form = ExerciseForm(data=initial, rows=len(current.fields))
    if form.validate_on_submit():
        version = services.update_exercise(exercise, form.content(), current_user)
        flash(
            f"Saved as version {version.number}. Earlier assignments keep the version they had.",
            "success",
        )
        return redirect(url_for("exercises.exercise", exercise_id=exercise.id))
    status = 400 if request.method == "POST" else 200
    return render_template("exercises/exercise_form.html", form=form, exercise=exercise), status


@bp.route("/exercises/<id:exercise_id>/share", methods=["POST"])
@allow(Audience.ADMIN)
def share_exercise(exercise_id: int):
    """Share a counselor's exercise with the whole practice, or stop sharing it."""
    exercise = load_exercise_or_404(exercise_id, Permission.EXERCISE_SHARE)
    services.set_shared(exercise, not exercise.shared, current_user)
    flash("Shared with the practice." if exercise.shared else "No longer shared.", "success")
    return redirect(url_for("exercises.exercise", exercise_id=exercise.id))


# --- assignments ------------------------------------------------------------------------------


@bp.route("/couples/<id:couple_id>/assignments/new", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def new_assignment(couple_id: int):
    """Give an exercise to a couple or one partner."""
    couple = load_couple_or_404(couple_id, Permission.ASSIGNMENT_MANAGE)
    versions = services.library_for(current_user)
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
            return redirect(url_for("couples.couple", couple_id=couple.id) + "#assignments")
    status = 400 if form.errors else 200
    return render_template(
        "exercises/assignment_form.html",
        form=form,
        couple=couple,
        versions=versions,
        safety_concern=bool(open_positive_screens(couple)),
    ), status


@bp.route("/assignments/<id:assignment_id>")
@allow(Audience.COUNSELOR)
def assignment(assignment_id: int):
    """An assignment's answers, adherence and feedback."""
    assignment = load_assignment_or_404(assignment_id, Permission.ASSIGNMENT_MANAGE)
    today = clock.today()
    return render_template(
        "exercises/assignment.html",
        assignment=assignment,
        status=schedule.status(assignment, today),
        adherence=_adherence_by_answerer(assignment, today),
        form=FeedbackForm(),
        today=today,
    )


def _adherence_by_answerer(assignment, today):
    names = {p.id: p.name for p in assignment.couple.partners}
    submitted = [c for c in assignment.completions if c.submitted]
    return [
        (
            "Together" if who is None else names[who],
            schedule.adherence(
                assignment, [c for c in submitted if who is None or c.partner_id == who], today
            ),
        )
        for who in schedule.answerers(assignment)
    ]


@bp.route("/assignments/<id:assignment_id>/close", methods=["POST"])
@allow(Audience.COUNSELOR)
def close_assignment(assignment_id: int):
    """Stop an assignment early."""
    assignment = load_assignment_or_404(assignment_id, Permission.ASSIGNMENT_MANAGE)
    services.close_assignment(assignment, current_user)
    flash("Assignment closed. Partners see that it has ended.", "success")
    return redirect(url_for("exercises.assignment", assignment_id=assignment.id))


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
        url_for("exercises.assignment", assignment_id=completion.assignment_id)
        + f"#answer-{completion.id}"
    )


@bp.route("/agreements/<id:agreement_id>")
@allow(Audience.COUNSELOR)
def staff_agreement(agreement_id: int):
    """An agreement of one of the counselor's couples, with every version."""
    agreement = load_agreement_or_404(agreement_id, Permission.ASSIGNMENT_MANAGE)
    return render_template("exercises/agreement_staff.html", agreement=agreement)


# --- the partner's portal ---------------------------------------------------------------------


def _own_partner():
    partner = partner_of(current_user)
    if partner is None:
        abort(404)
    return partner


@bp.route("/portal/assignments/<id:assignment_id>", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def answer(assignment_id: int):
    """Fill in an exercise: save a draft, or send it."""
    partner = _own_partner()
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
    mine = [
        c
        for c in assignment.completions
        if c.submitted and (version.mode is Mode.TOGETHER or c.partner_id == partner.id)
    ]
    adherence = schedule.adherence(assignment, mine, today)
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
        return redirect(url_for("exercises.answer", assignment_id=assignment.id))
    status = 400 if form.errors or request.method == "POST" else 200
    if done_for_now and request.method == "POST":
        flash(services.already_done_message(assignment), "info")
        status = 409
    return render_template(
        "exercises/answer.html",
        assignment=assignment,
        version=version,
        form=form,
        partner=partner,
        closed_reason=closed_reason,
        history=_history_for(assignment, partner),
        adherence=adherence,
        done_for_now=done_for_now,
        visibility=services.visibility_for(assignment, None),
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


@bp.route("/portal/agreements/<id:agreement_id>")
@allow(Audience.CLIENT)
def agreement(agreement_id: int):
    """An agreement with its versions and signatures."""
    partner = _own_partner()
    agreement = load_own_agreement_or_404(partner, agreement_id)
    return render_template("exercises/agreement.html", agreement=agreement, partner=partner)


@bp.route("/portal/agreements/<id:agreement_id>/accept", methods=["POST"])
@allow(Audience.CLIENT)
def accept_agreement(agreement_id: int):
    """Co-sign the proposal your partner made."""
    partner = _own_partner()
    agreement = load_own_agreement_or_404(partner, agreement_id)
    if attempt(
        lambda: services.accept_agreement(agreement, partner, current_user),
        flash_category="warning",
    ):
        flash("Agreed. It is now in force for both of you.", "success")
    return redirect(url_for("exercises.agreement", agreement_id=agreement.id))


@bp.route("/portal/agreements/<id:agreement_id>/amend", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def amend_agreement(agreement_id: int):
    """Suggest changes to an agreement; your partner then accepts or amends in turn."""
    partner = _own_partner()
    agreement = load_own_agreement_or_404(partner, agreement_id)
    try:
        services.check_may_amend(agreement, partner)
    except services.ExerciseError as error:
        flash(str(error), "info")
        return redirect(url_for("exercises.agreement", agreement_id=agreement.id))
    fields = agreement.assignment.version.fields
    form_class = answer_form_class(fields, require=True, privacy_choice=False)
    initial = form_data_from(agreement.latest.content, fields) if request.method == "GET" else None
    form = form_class(data=initial)
    if form.validate_on_submit():
        sent = attempt(
            lambda: services.amend_agreement(
                agreement, partner, answers_of(form, fields), current_user
            ),
            form=form,
            field_prefix=FIELD_PREFIX,
            flash_category="warning",
        )
        if sent:
            flash("Your changes were sent to your partner.", "success")
        if sent or not form.errors:
            return redirect(url_for("exercises.agreement", agreement_id=agreement.id))
    status = 400 if form.errors else 200
    return render_template(
        "exercises/amend.html", agreement=agreement, form=form, fields=fields
    ), status
