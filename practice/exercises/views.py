from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from practice.access import Audience, Permission, allow
from practice.exercises import services
from practice.exercises.forms import ExerciseForm, exercise_form_data
from practice.exercises.policy import load_exercise_or_404
from practice.framework import AREAS, AREAS_BY_KEY

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
