"""Who may do what with a couple. Admins manage accounts, not clinical records."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from practice import db
from practice.access import Permission, Role
from practice.accounts.models import User
from practice.audit import services as audit
from practice.couples.models import Couple, Partner

# Clinical work on a couple belongs to the couple's own counselor and nobody else.
_OWN_COUNSELOR_ONLY = {
    Permission.COUPLE_VIEW,
    Permission.COUPLE_EDIT,
    Permission.COUPLE_INVITE_PARTNER,
    Permission.COUPLE_EXPORT,
    Permission.APPOINTMENT_MANAGE,
    Permission.NOTE_WRITE,
    Permission.NOTE_READ,
    Permission.MEASURE_ENTER,
    Permission.PROGRESS_VIEW,
    Permission.SAFETY_REVIEW,
    Permission.ASSIGNMENT_MANAGE,
    Permission.REFERRAL_MANAGE,
}


def can(user: User, permission: Permission, couple: Couple) -> bool:
    """Decide whether a user may act on a couple."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if permission in _OWN_COUNSELOR_ONLY:
        return user.role is Role.COUNSELOR and couple.counselor_id == user.id
    if permission in (Permission.COUPLE_REASSIGN, Permission.COUPLE_PURGE):
        return user.role is Role.ADMIN
    return False


def load_couple_or_404(couple_id: int, permission: Permission) -> Couple:
    """Load a couple with its partners; one the user may not see is simply not found."""
    couple = db.session.scalar(
        select(Couple)
        .where(Couple.id == couple_id)
        .options(selectinload(Couple.partners).selectinload(Partner.user))
    )
    if couple is None or not can(current_user, permission, couple):
        abort(404)
    audit.read(current_user, couple)
    return couple


def load_own_partner_or_404() -> Partner:
    """The signed-in client's own partner record, with their couple, both partners and the
    counselor. A client account without one (never the case in practice) finds nothing."""
    partner = db.session.scalar(
        select(Partner)
        .where(Partner.user_id == current_user.id)
        .options(
            selectinload(Partner.couple).selectinload(Couple.partners),
            selectinload(Partner.couple).selectinload(Couple.counselor),
        )
    )
    if partner is None:
        abort(404)
    audit.read(current_user, partner)
    return partner


def load_partner_or_404(couple: Couple, partner_id: int) -> Partner:
    """Find a partner of a couple already loaded through the policy."""
    partner = next((p for p in couple.partners if p.id == partner_id), None)
    if partner is None:
        abort(404)
    return partner
