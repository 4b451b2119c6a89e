"""The exercise library: what each person may see, and counselors' own exercises."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from practice import clock, db
from practice.access import Role
from practice.accounts.models import User
from practice.audit import services as audit
from practice.exercises.fields import check_spec
from practice.exercises.library import add_version
from practice.exercises.models import Exercise, ExerciseVersion
from practice.framework import AREAS_BY_KEY
from practice.unit_of_work import UserError


class ExerciseError(UserError):
    """Something that cannot be done; the message is safe to show."""


def _current_versions():
    return select(ExerciseVersion).join(
        Exercise,
        and_(
            Exercise.id == ExerciseVersion.exercise_id,
            Exercise.current_number == ExerciseVersion.number,
        ),
    )


def visible_exercises_clause(user: User):
    """Built-in and shared exercises for everyone on staff; one's own as well; all for admins."""
    if user.role is Role.ADMIN:
        return True
    return or_(Exercise.owner_id.is_(None), Exercise.shared.is_(True), Exercise.owner_id == user.id)


def library_for(user: User, area: str | None = None) -> list[ExerciseVersion]:
    """The current version of every exercise the user may see, by area and title."""
    query = (
        _current_versions()
        .where(visible_exercises_clause(user))
        .options(selectinload(ExerciseVersion.exercise).selectinload(Exercise.owner))
        .order_by(ExerciseVersion.title)
    )
    if area:
        query = query.where(ExerciseVersion.area == area)
    # In the framework's order: naming the gap first, local services last.
    return sorted(db.session.scalars(query), key=lambda v: AREAS_BY_KEY[v.area].number)


def current_version(exercise: Exercise) -> ExerciseVersion:
    return next(v for v in exercise.versions if v.number == exercise.current_number)


def create_exercise(owner: User, content: dict[str, Any]) -> Exercise:
    """A counselor's own exercise, visible to them until an admin shares it."""
    exercise = Exercise(slug=f"custom-{clock.now():%Y%m%d%H%M%S%f}", owner_id=owner.id)
    db.session.add(exercise)
    exercise.versions = []
    add_version(exercise, {**content, "fields": check_spec(content["fields"])}, owner.id)
    db.session.flush()
    audit.record(owner, "exercise.create", exercise)
    return exercise


def update_exercise(exercise: Exercise, content: dict[str, Any], actor: User) -> ExerciseVersion:
    """Edit by adding a version; what was assigned before keeps the version it had."""
    version = add_version(exercise, {**content, "fields": check_spec(content["fields"])}, actor.id)
    db.session.flush()
    audit.record(actor, "exercise.update", exercise)
    return version


def set_shared(exercise: Exercise, shared: bool, actor: User) -> None:
    """Share a counselor's exercise with the whole practice, or stop sharing it."""
    if exercise.built_in:
        raise ExerciseError("Built-in exercises are always available to everyone.")
    exercise.shared = shared
    db.session.flush()
    audit.record(actor, "exercise.share" if shared else "exercise.unshare", exercise)
