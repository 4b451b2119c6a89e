"""Who may see and answer agreements."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from practice import db
from practice.access import Permission
from practice.agreements.models import Agreement, AgreementVersion
from practice.audit import services as audit
from practice.couples.models import Couple, Partner
from practice.couples.policy import can as can_for_couple


def _load_agreement(agreement_id: int) -> Agreement | None:
    return db.session.scalar(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.versions).joinedload(AgreementVersion.proposed_by),
            selectinload(Agreement.versions).joinedload(AgreementVersion.accepted_by),
            joinedload(Agreement.version),
            joinedload(Agreement.couple).selectinload(Couple.partners),
        )
    )


def load_own_agreement_or_404(partner: Partner, agreement_id: int) -> Agreement:
    """An agreement of the partner's own couple."""
    agreement = _load_agreement(agreement_id)
    if agreement is None or agreement.couple_id != partner.couple_id:
        abort(404)
    audit.read(current_user, agreement)
    return agreement


def load_agreement_or_404(agreement_id: int, permission: Permission) -> Agreement:
    """An agreement of one of the counselor's own couples."""
    agreement = _load_agreement(agreement_id)
    if agreement is None or not can_for_couple(current_user, permission, agreement.couple):
        abort(404)
    audit.read(current_user, agreement)
    return agreement
