from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import and_, or_, select

from practice import clock, db
from practice.accounts.models import User
from practice.appointments.models import Appointment, Attendance
from practice.audit import services as audit
from practice.couples.models import Couple, Partner
from practice.feedback.models import SessionRating
from practice.measures.definitions import SESSION_SCALE
from practice.unit_of_work import UserError

RATE_WITHIN = timedelta(days=14)  # an appointment can be rated for two weeks after it
DROP = 3  # a partner's rating this far below their own average is flagged
SPLIT = 4  # partners this far apart on one appointment: a split alliance


def _attended_by(partner: Partner):
    """Appointments the partner was at: joint ones both attended or they attended, and their
    own individual ones."""
    return or_(
        and_(
            Appointment.individual_partner_id.is_(None),
            or_(
                Appointment.attendance == Attendance.BOTH,
                and_(
                    Appointment.attendance == Attendance.ONE_PARTNER,
                    Appointment.attending_partner_id == partner.id,
                ),
            ),
        ),
        and_(
            Appointment.individual_partner_id == partner.id,
            Appointment.attendance.in_((Attendance.BOTH, Attendance.ONE_PARTNER)),
        ),
    )


def to_rate(partner: Partner, today: date) -> list[Appointment]:
    """The partner's attended appointments of the last two weeks not yet rated by them."""
    since = clock.from_local(today - RATE_WITHIN, time(0))
    rated = select(SessionRating.appointment_id).where(SessionRating.partner_id == partner.id)
    return list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.couple_id == partner.couple_id,
                Appointment.starts_at >= since,
                Appointment.starts_at <= clock.now(),
                _attended_by(partner),
                Appointment.id.not_in(rated),
            )
            .order_by(Appointment.starts_at.desc())
        )
    )


def rateable_appointment(partner: Partner, appointment_id: int, today: date) -> Appointment | None:
    return next((a for a in to_rate(partner, today) if a.id == appointment_id), None)


def record_rating(
    partner: Partner, appointment: Appointment, scores: dict[str, int], actor: User
) -> SessionRating:
    """Store a partner's own rating of an appointment they attended (once)."""
    if partner.user_id != actor.id:
        raise PermissionError("a partner rates an appointment for themselves")
    for item in SESSION_SCALE.items:
        if scores.get(item.key) not in item.scores:
            raise UserError("Please answer this question.", field=item.key)
    rating = SessionRating(
        couple_id=partner.couple_id,
        appointment_id=appointment.id,
        partner_id=partner.id,
        session_on=clock.local_day(appointment.starts_at),
        **{item.key: scores[item.key] for item in SESSION_SCALE.items},
    )
    db.session.add(rating)
    db.session.flush()
    audit.record(actor, "session.rating", rating)
    return rating


@dataclass(frozen=True)
class FeedbackFlag:
    session_on: date
    text: str


def ratings_of(couple: Couple) -> list[SessionRating]:
    return list(
        db.session.scalars(
            select(SessionRating)
            .where(SessionRating.couple_id == couple.id)
            .order_by(SessionRating.session_on, SessionRating.id)
        )
    )


def flags(couple: Couple, ratings: list[SessionRating]) -> list[FeedbackFlag]:
    """A partner's overall rating 3 or more below their own average of the appointments
    before; the partners 4 or more apart on one appointment (a split alliance)."""
    names = {partner.id: partner.name for partner in couple.partners}
    found: list[FeedbackFlag] = []
    earlier: dict[int, list[int]] = {}
    by_appointment: dict[int, list[SessionRating]] = {}
    for rating in ratings:
        before = earlier.setdefault(rating.partner_id, [])
        if before and sum(before) / len(before) - rating.overall >= DROP:
            average = sum(before) / len(before)
            found.append(
                FeedbackFlag(
                    rating.session_on,
                    f"{names.get(rating.partner_id, 'A partner')} rated {rating.overall}, "
                    f"{average - rating.overall:.1f} below their average of {average:.1f}",
                )
            )
        before.append(rating.overall)
        by_appointment.setdefault(rating.appointment_id, []).append(rating)
    for pair in by_appointment.values():
        if len(pair) == 2 and abs(pair[0].overall - pair[1].overall) >= SPLIT:
            first, second = pair
            found.append(
                FeedbackFlag(
                    first.session_on,
                    f"Split: {names.get(first.partner_id)} {first.overall}, "
                    f"{names.get(second.partner_id)} {second.overall}",
                )
            )
    return sorted(found, key=lambda flag: flag.session_on, reverse=True)


def chart_series(couple: Couple, ratings: list[SessionRating]):
    """Each partner's overall rating by appointment day, for the chart."""
    return tuple(
        (
            partner.name,
            tuple((r.session_on, float(r.overall)) for r in ratings if r.partner_id == partner.id),
        )
        for partner in couple.partners
    )
