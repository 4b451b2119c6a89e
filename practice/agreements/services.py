"""Proposing, co-signing and amending agreements, and the ones due to be looked at again."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import selectinload

from practice import clock, db
from practice.accounts.models import User
from practice.agreements.models import Agreement, AgreementStatus, AgreementVersion
from practice.audit import services as audit
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.exercises.fields import check_answers
from practice.exercises.models import ExerciseVersion
from practice.unit_of_work import UserError


class AgreementError(UserError):
    """Something that cannot be done with an agreement; the message is safe to show."""


def _revisit_on(content: dict[str, Any]) -> date | None:
    value = content.get("revisit_on")
    return date.fromisoformat(value) if isinstance(value, str) else None


def propose_agreement(
    couple_id: int,
    assignment_id: int | None,
    version: ExerciseVersion,
    partner: Partner,
    content: dict[str, Any],
) -> Agreement:
    """Start an agreement from a partner's sent answer to an agreement exercise."""
    agreement = Agreement(
        couple_id=couple_id,
        assignment_id=assignment_id,
        version=version,
        kind=version.agreement_kind,
        title=version.title,
        status=AgreementStatus.PROPOSED,
        revisit_on=_revisit_on(content),
    )
    db.session.add(agreement)
    db.session.add(
        AgreementVersion(agreement=agreement, number=1, content=content, proposed_by_id=partner.id)
    )
    return agreement


def accept_agreement(agreement: Agreement, partner: Partner, actor: User) -> None:
    """The other partner co-signs the pending proposal; it is then the version in force."""
    _check_party(agreement, partner)
    pending = agreement.pending
    if pending is None:
        raise AgreementError("There is no proposal waiting for an answer.")
    if pending.proposed_by_id == partner.id:
        raise AgreementError("Your partner needs to accept what you proposed.")
    pending.accepted_by_id = partner.id
    pending.accepted_at = clock.now()
    agreement.status = AgreementStatus.IN_FORCE
    agreement.revisit_on = _revisit_on(pending.content)
    db.session.flush()
    audit.record(actor, "agreement.accept", agreement)


def amend_agreement(
    agreement: Agreement, partner: Partner, answers: dict[str, Any], actor: User
) -> AgreementVersion:
    """Propose a changed text. What is in force stays in force until the change is accepted."""
    check_may_amend(agreement, partner)
    content = check_answers(agreement.version.fields, answers, complete=True)
    if agreement.pending is not None:
        agreement.pending.replaced_at = clock.now()
    version = AgreementVersion(
        agreement=agreement,
        number=agreement.latest.number + 1,
        content=content,
        proposed_by_id=partner.id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "agreement.amend", agreement)
    return version


def _check_party(agreement: Agreement, partner: Partner) -> None:
    # The views load only the partner's own agreements; the services hold the rule as well.
    if partner.couple_id != agreement.couple_id:
        raise AgreementError("This agreement belongs to another couple.")


def check_may_amend(agreement: Agreement, partner: Partner) -> None:
    """Refuse a change from someone who is not a party, or who is waiting for an answer."""
    _check_party(agreement, partner)
    pending = agreement.pending
    if pending is not None and pending.proposed_by_id == partner.id:
        raise AgreementError("Wait for your partner to answer your proposal.")


def agreements_of(couple_id: int) -> list[Agreement]:
    return list(
        db.session.scalars(
            select(Agreement)
            .where(Agreement.couple_id == couple_id)
            .options(
                selectinload(Agreement.versions).selectinload(AgreementVersion.proposed_by),
                selectinload(Agreement.versions).selectinload(AgreementVersion.accepted_by),
                selectinload(Agreement.version),
            )
            .order_by(Agreement.created_at.desc(), Agreement.id.desc())
        )
    )


def revisits_for(counselor: User, today: date, limit: int = 20) -> list[Row]:
    """Agreements of the counselor's open cases (active or paused) due for review, earliest
    first, as the columns a list shows: id, couple_id, title, revisit_on (one query)."""
    return list(
        db.session.execute(
            select(Agreement.id, Agreement.couple_id, Agreement.title, Agreement.revisit_on)
            .join(Couple, Couple.id == Agreement.couple_id)
            .where(
                Couple.counselor_id == counselor.id,
                Couple.status != CoupleStatus.CLOSED,
                Agreement.status == AgreementStatus.IN_FORCE,
                Agreement.revisit_on <= today + timedelta(days=7),
            )
            .order_by(Agreement.revisit_on, Agreement.id)
            .limit(limit)
        )
    )
