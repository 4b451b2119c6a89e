"""Who may see, edit and share exercises of the library."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from practice import db
from practice.access import Permission, Role
from practice.accounts.models import User
from practice.exercises.models import Exercise


def can(user: User, permission: Permission, exercise: Exercise) -> bool:
    """Decide what a staff member may do with a library exercise."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return False
    if permission is Permission.EXERCISE_VIEW:
        return (
            user.role is Role.ADMIN
            or exercise.built_in
            or exercise.shared
            or exercise.owner_id == user.id
        )
    if permission is Permission.EXERCISE_EDIT:
        return user.role is Role.COUNSELOR and exercise.owner_id == user.id
    if permission is Permission.EXERCISE_SHARE:
        return user.role is Role.ADMIN and not exercise.built_in
    return False


def load_exercise_or_404(exercise_id: int, permission: Permission) -> Exercise:
    exercise = db.session.scalar(
        select(Exercise)
        .where(Exercise.id == exercise_id)
        .options(selectinload(Exercise.versions), joinedload(Exercise.owner))
    )
    if exercise is None or not can(current_user, permission, exercise):
        abort(404)
    return exercise
