"""Who may see and change exercises, assignments, answers and agreements."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from practice import db
from practice.access import Permission
from practice.accounts.models import Role, User
from practice.couples.models import Couple, Partner
from practice.couples.policy import can as can_for_couple
from practice.exercises.models import (
    Agreement,
    AgreementVersion,
    Assignment,
    Completion,
    Exercise,
    Feedback,
)


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


def _assignment_query(assignment_id: int):
    return (
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(
            joinedload(Assignment.couple).selectinload(Couple.partners),
            joinedload(Assignment.version),
            selectinload(Assignment.completions)
            .selectinload(Completion.feedback)
            .joinedload(Feedback.author),
            selectinload(Assignment.completions).joinedload(Completion.partner),
        )
    )


def load_assignment_or_404(assignment_id: int, permission: Permission) -> Assignment:
    """An assignment of one of the counselor's own couples."""
    assignment = db.session.scalar(_assignment_query(assignment_id))
    if assignment is None or not can_for_couple(current_user, permission, assignment.couple):
        abort(404)
    return assignment


def load_completion_or_404(completion_id: int, permission: Permission) -> Completion:
    """A sent answer on one of the counselor's own couples' assignments."""
    completion = db.session.scalar(
        select(Completion)
        .where(Completion.id == completion_id)
        .options(joinedload(Completion.assignment).joinedload(Assignment.couple))
    )
    if (
        completion is None
        or not completion.submitted
        or not can_for_couple(current_user, permission, completion.assignment.couple)
    ):
        abort(404)
    return completion


def load_own_assignment_or_404(partner: Partner, assignment_id: int) -> Assignment:
    """An assignment of the partner's couple that is for the couple or for this partner."""
    assignment = db.session.scalar(_assignment_query(assignment_id))
    if (
        assignment is None
        or assignment.couple_id != partner.couple_id
        or assignment.partner_id not in (None, partner.id)
    ):
        abort(404)
    return assignment


def _load_agreement(agreement_id: int) -> Agreement | None:
    return db.session.scalar(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.versions).joinedload(AgreementVersion.proposed_by),
            selectinload(Agreement.versions).joinedload(AgreementVersion.accepted_by),
            joinedload(Agreement.assignment).joinedload(Assignment.version),
            joinedload(Agreement.couple).selectinload(Couple.partners),
        )
    )


def load_own_agreement_or_404(partner: Partner, agreement_id: int) -> Agreement:
    """An agreement of the partner's own couple."""
    agreement = _load_agreement(agreement_id)
    if agreement is None or agreement.couple_id != partner.couple_id:
        abort(404)
    return agreement


def load_agreement_or_404(agreement_id: int, permission: Permission) -> Agreement:
    """An agreement of one of the counselor's own couples."""
    agreement = _load_agreement(agreement_id)
    if agreement is None or not can_for_couple(current_user, permission, agreement.couple):
        abort(404)
    return agreement
