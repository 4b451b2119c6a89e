"""Referrals are reached through their couple's policy, or, for a partner, only when shared
with them."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from practice import db
from practice.access import Permission
from practice.audit import services as audit
from practice.couples.models import Partner
from practice.couples.policy import load_couple_or_404
from practice.referrals.models import Referral
from practice.referrals.services import visible_to_partner


def load_referral_or_404(referral_id: int, permission: Permission) -> Referral:
    """A referral of one of the counselor's own couples."""
    referral = db.session.scalar(select(Referral).where(Referral.id == referral_id))
    if referral is None:
        abort(404)
    load_couple_or_404(referral.couple_id, permission)
    audit.read(current_user, referral)
    return referral


def load_own_referral_or_404(partner: Partner, referral_id: int) -> Referral:
    """A referral shared with this partner: the couple's, or their own, never the other's."""
    referral = db.session.scalar(visible_to_partner(partner).where(Referral.id == referral_id))
    if referral is None:
        abort(404)
    audit.read(current_user, referral)
    return referral
