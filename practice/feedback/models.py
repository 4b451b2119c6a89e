from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.appointments.models import Appointment
from practice.couples.models import Partner
from practice.db import Base, UTCDateTime


class SessionRating(Base):
    """One partner's rating of one appointment (0–10 on each item of the session scale).
    The counselor reads it; the other partner never sees it."""

    __tablename__ = "session_ratings"
    __table_args__ = (UniqueConstraint("appointment_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    heard: Mapped[int] = mapped_column(Integer)
    mattered: Mapped[int] = mapped_column(Integer)
    fits: Mapped[int] = mapped_column(Integer)
    overall: Mapped[int] = mapped_column(Integer)
    session_on: Mapped[date] = mapped_column(Date)  # the appointment's day, for the chart
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    appointment: Mapped[Appointment] = relationship()
    partner: Mapped[Partner] = relationship()
