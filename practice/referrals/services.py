"""Referring, moving a referral on, and who sees which referral."""

from __future__ import annotations

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import selectinload

from practice import db
from practice.accounts.models import User
from practice.audit import services as audit
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.directory.models import DirectoryService
from practice.referrals.models import Referral, ReferralEvent, ReferralStatus
from practice.unit_of_work import UserError

OPEN = (ReferralStatus.SUGGESTED, ReferralStatus.CONTACTED, ReferralStatus.ATTENDING)

# Where each status may go next; completed and declined close the loop.
NEXT = {
    ReferralStatus.SUGGESTED: (
        ReferralStatus.CONTACTED,
        ReferralStatus.ATTENDING,
        ReferralStatus.DECLINED,
    ),
    ReferralStatus.CONTACTED: (
        ReferralStatus.ATTENDING,
        ReferralStatus.COMPLETED,
        ReferralStatus.DECLINED,
    ),
    ReferralStatus.ATTENDING: (ReferralStatus.COMPLETED, ReferralStatus.DECLINED),
    ReferralStatus.COMPLETED: (),
    ReferralStatus.DECLINED: (),
}


class ReferralError(UserError):
    """A change that cannot be made; the message is safe to show."""


def refer(
    couple: Couple,
    service: DirectoryService,
    *,
    partner: Partner | None,
    reason: str,
    shared: bool,
    actor: User,
) -> Referral:
    """Refer the couple, or one partner, to a service; shared ones appear in the portal."""
    if couple.status is CoupleStatus.CLOSED:
        raise ReferralError("This case is closed. Reopen it to make referrals.")
    if partner is not None and partner.couple_id != couple.id:
        raise ReferralError("Choose one of the couple's partners.")
    referral = Referral(
        couple=couple,
        partner=partner,
        service_hsds_id=service.hsds_id,
        service_name=service.name,
        reason=reason,
        shared=shared,
        status=ReferralStatus.SUGGESTED,
        created_by_id=actor.id,
    )
    referral.events.append(ReferralEvent(status=ReferralStatus.SUGGESTED, actor_id=actor.id))
    db.session.add(referral)
    db.session.flush()
    audit.record(actor, "referral.create", referral)
    return referral


def change_status(referral: Referral, status: ReferralStatus, note: str, actor: User) -> None:
    """Move a referral on; a decline needs its reason. Every change records who and when."""
    if status not in NEXT[referral.status]:
        raise ReferralError(
            f"A referral that is {referral.status.value} cannot become {status.value}."
        )
    if status is ReferralStatus.DECLINED and not note.strip():
        raise ReferralError("Say why the referral was declined.")
    referral.status = status
    referral.events.append(ReferralEvent(status=status, note=note.strip(), actor_id=actor.id))
    db.session.flush()
    audit.record(actor, f"referral.{status.value}", referral)


def _with_history(query):
    return query.options(
        selectinload(Referral.events).selectinload(ReferralEvent.actor),
        selectinload(Referral.partner),
    )


def referrals_of(couple: Couple) -> list[Referral]:
    """All of a couple's referrals, for their counselor."""
    return list(
        db.session.scalars(
            _with_history(select(Referral).where(Referral.couple_id == couple.id)).order_by(
                Referral.created_at.desc(), Referral.id.desc()
            )
        )
    )


def visible_to_partner(partner: Partner):
    """Shared referrals for the couple, or for this partner alone: never the other's."""
    return select(Referral).where(
        Referral.couple_id == partner.couple_id,
        Referral.shared.is_(True),
        or_(Referral.partner_id.is_(None), Referral.partner_id == partner.id),
    )


def referrals_for_partner(partner: Partner) -> list[Referral]:
    return list(
        db.session.scalars(
            _with_history(visible_to_partner(partner)).order_by(Referral.created_at.desc())
        )
    )


def open_referrals_of(counselor: User, limit: int = 20) -> list[Row]:
    """The counselor's referrals still open, oldest first, as the columns their home page
    shows: id, service_name, couple_id, partner_id, status (one query)."""
    return list(
        db.session.execute(
            select(
                Referral.id,
                Referral.service_name,
                Referral.couple_id,
                Referral.partner_id,
                Referral.status,
            )
            .join(Couple, Couple.id == Referral.couple_id)
            .where(Couple.counselor_id == counselor.id, Referral.status.in_(OPEN))
            .order_by(Referral.created_at, Referral.id)
            .limit(limit)
        )
    )
