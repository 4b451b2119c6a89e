"""Who may see and change assignments and answers."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from practice import db
from practice.access import Permission
from practice.audit import services as audit
from practice.couples.models import Couple, Partner
from practice.couples.policy import can as can_for_couple
from practice.homework.models import Assignment, Completion, Feedback


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
    audit.read(current_user, assignment)
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
    audit.read(current_user, assignment)
    return assignment
