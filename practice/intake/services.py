from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from practice import db
from practice.accounts.models import User
from practice.audit import services as audit
from practice.couples.models import Couple, Partner
from practice.intake.models import Intake, Reason


class IntakeAlreadySent(Exception):
    """A partner's intake is written once; the counselor takes it from there."""


def intake_of(partner: Partner) -> Intake | None:
    return db.session.scalar(select(Intake).where(Intake.partner_id == partner.id))


def record_intake(partner: Partner, data: dict[str, object], actor: User) -> Intake:
    """Store a partner's own intake; only the partner themselves may write it."""
    if partner.user_id != actor.id:
        raise PermissionError("the intake is written by the partner alone")
    if intake_of(partner) is not None:
        raise IntakeAlreadySent
    intake = Intake(
        couple_id=partner.couple_id,
        partner_id=partner.id,
        reason=Reason(data["reason"]),
        answers={
            "what_brings": str(data["what_brings"]).strip(),
            "hopes": str(data["hopes"]).strip(),
            "stressors": [str(key) for key in data.get("stressors") or []],
            "stressors_other": str(data.get("stressors_other") or "").strip(),
            "prior": str(data["prior"]),
            "prior_details": str(data.get("prior_details") or "").strip(),
        },
    )
    db.session.add(intake)
    db.session.flush()
    audit.record(actor, "intake.submit", intake)
    return intake


def intakes_of(couple: Couple) -> dict[int, Intake]:
    """Both partners' intakes by partner id (one query)."""
    found = db.session.scalars(select(Intake).where(Intake.couple_id == couple.id))
    return {intake.partner_id: intake for intake in found}


def reasons_differ(intakes: dict[int, Intake]) -> bool:
    return len(intakes) == 2 and len({intake.reason for intake in intakes.values()}) == 2


def intake_summaries(couple_ids: Sequence[int]) -> dict[int, tuple[int, bool]]:
    """For each couple: how many partners sent their intake, and whether their reasons
    differ. One query, for a caseload or a couple page; no answers are decrypted."""
    if not couple_ids:
        return {}
    rows = db.session.execute(
        select(
            Intake.couple_id,
            func.count(Intake.id),
            func.count(func.distinct(Intake.reason)),
        )
        .where(Intake.couple_id.in_(couple_ids))
        .group_by(Intake.couple_id)
    )
    return {couple_id: (sent, sent == 2 and kinds == 2) for couple_id, sent, kinds in rows}
