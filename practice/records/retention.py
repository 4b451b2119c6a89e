"""Keeping a closed case for the retention period, then purging it on an admin's word.

A purge removes the couple and everything recorded about them. The partners' sign-ins are
emptied rather than removed: the audit log refers to them by id and is never changed, and
an emptied account holds nothing of the person (no name, no address, no password).
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import selectinload

from practice import db
from practice.accounts.models import Invitation, RecoveryCode, User, UserSession
from practice.agreements.models import Agreement, AgreementVersion
from practice.appointments.models import Addendum, Appointment, NoteVersion, ProgressNote
from practice.audit import services as audit
from practice.consent.models import ConsentSignature
from practice.couples.models import CaseEvent, Couple, CoupleStatus, Partner
from practice.feedback.models import SessionRating
from practice.homework.models import Assignment, Completion, Feedback, ReminderSent
from practice.intake.models import Intake
from practice.measures.models import (
    ContactPreference,
    MeasureResponse,
    SafetyFollowUp,
    SafetyPlan,
    SafetyScreen,
)
from practice.outbox.models import OutboxMessage
from practice.pagination import Page, paginate
from practice.plans.models import ObjectiveMet, PlanAcknowledgement, PlanVersion, TreatmentPlan
from practice.referrals.models import Referral, ReferralEvent
from practice.unit_of_work import UserError

log = logging.getLogger(__name__)


class RetentionError(UserError):
    """A purge that may not happen (yet); the message is safe to show."""


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def keep_until(couple: Couple, years: int) -> date | None:
    """The first day a closed case may be purged; None while the case is open."""
    if couple.status is not CoupleStatus.CLOSED or couple.closed_on is None:
        return None
    try:
        return couple.closed_on.replace(year=couple.closed_on.year + years)
    except ValueError:
        return couple.closed_on.replace(year=couple.closed_on.year + years, month=3, day=1)


def _due(today: date, years: int) -> Select:
    # keep_until(c) <= today  <=>  closed_on <= today less the years (whole-day arithmetic).
    return select(Couple).where(
        Couple.status == CoupleStatus.CLOSED,
        Couple.closed_on <= years_before(today, years),
    )


def due_for_purge(today: date, years: int, page: int, per_page: int = 25) -> Page[Couple]:
    """Closed cases past their retention period, the longest closed first."""
    query = _due(today, years)
    ordered = query.options(selectinload(Couple.partners), selectinload(Couple.counselor)).order_by(
        Couple.closed_on, Couple.id
    )
    return paginate(query, ordered, page, per_page)


def purge(couple: Couple, actor: User, today: date, years: int) -> None:
    """Remove a closed case past its retention period, and everything recorded about it."""
    until = keep_until(couple, years)
    if until is None:
        raise RetentionError("Only a closed case can be purged.")
    if until > today:
        raise RetentionError(f"This case is kept until {until:%d %b %Y}.")
    audit.record(actor, "couple.purge", couple)
    couple_id = couple.id
    partner_users = [p.user_id for p in couple.partners if p.user_id is not None]
    addresses = [p.email for p in couple.partners if p.email]
    for statement in _deletions(couple_id):
        db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expunge(couple)
    _empty_accounts(partner_users, addresses)
    db.session.flush()
    log.info("couple %s purged by %s", couple_id, actor.id)


def _deletions(couple_id: int) -> list:
    """Every row of the case, children before their parents."""
    assignments = select(Assignment.id).where(Assignment.couple_id == couple_id)
    completions = select(Completion.id).where(Completion.assignment_id.in_(assignments))
    agreements = select(Agreement.id).where(Agreement.couple_id == couple_id)
    notes = select(ProgressNote.id).where(ProgressNote.couple_id == couple_id)
    referrals = select(Referral.id).where(Referral.couple_id == couple_id)
    partners = select(Partner.id).where(Partner.couple_id == couple_id)
    plans = select(TreatmentPlan.id).where(TreatmentPlan.couple_id == couple_id)
    return [
        delete(PlanAcknowledgement).where(PlanAcknowledgement.plan_id.in_(plans)),
        delete(ObjectiveMet).where(ObjectiveMet.plan_id.in_(plans)),
        delete(PlanVersion).where(PlanVersion.plan_id.in_(plans)),
        delete(TreatmentPlan).where(TreatmentPlan.couple_id == couple_id),
        delete(Feedback).where(Feedback.completion_id.in_(completions)),
        delete(Completion).where(Completion.assignment_id.in_(assignments)),
        delete(ReminderSent).where(ReminderSent.partner_id.in_(partners)),
        delete(AgreementVersion).where(AgreementVersion.agreement_id.in_(agreements)),
        delete(Agreement).where(Agreement.couple_id == couple_id),
        delete(Assignment).where(Assignment.couple_id == couple_id),
        # A follow-up names a note: it goes before the notes.
        delete(SafetyFollowUp).where(SafetyFollowUp.couple_id == couple_id),
        delete(NoteVersion).where(NoteVersion.note_id.in_(notes)),
        delete(Addendum).where(Addendum.note_id.in_(notes)),
        delete(ProgressNote).where(ProgressNote.couple_id == couple_id),
        delete(SessionRating).where(SessionRating.couple_id == couple_id),
        delete(Appointment).where(Appointment.couple_id == couple_id),
        delete(MeasureResponse).where(MeasureResponse.couple_id == couple_id),
        delete(SafetyScreen).where(SafetyScreen.couple_id == couple_id),
        delete(ContactPreference).where(ContactPreference.couple_id == couple_id),
        delete(SafetyPlan).where(SafetyPlan.couple_id == couple_id),
        delete(Intake).where(Intake.couple_id == couple_id),
        delete(ConsentSignature).where(ConsentSignature.couple_id == couple_id),
        delete(ReferralEvent).where(ReferralEvent.referral_id.in_(referrals)),
        delete(Referral).where(Referral.couple_id == couple_id),
        delete(CaseEvent).where(CaseEvent.couple_id == couple_id),
        delete(Partner).where(Partner.couple_id == couple_id),
        delete(Couple).where(Couple.id == couple_id),
    ]


def _empty_accounts(user_ids: list[int], addresses: list[str]) -> None:
    """Leave the partners' sign-ins as ids only, never to sign in again; drop their mail."""
    if addresses:
        db.session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.recipient.in_(addresses))
            .execution_options(synchronize_session=False)
        )
    if not user_ids:
        return
    for model in (UserSession, Invitation, RecoveryCode):
        db.session.execute(
            delete(model)
            .where(model.user_id.in_(user_ids))
            .execution_options(synchronize_session=False)
        )
    for user_id in user_ids:
        db.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(
                email=f"purged-{user_id}@purged.invalid",
                name="Purged client",
                password_hash=None,
                is_disabled=True,
                totp_secret=None,
                totp_enabled_at=None,
                totp_last_step=None,
            )
            .execution_options(synchronize_session=False)
        )
    # Objects still held by the session would otherwise show the old values.
    for user in [obj for obj in db.session.identity_map.values() if isinstance(obj, User)]:
        if user.id in user_ids:
            db.session.expire(user)
