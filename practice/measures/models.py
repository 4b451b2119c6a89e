from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.accounts.models import User
from practice.couples.models import Partner
from practice.crypto import EncryptedJSON
from practice.db import Base, UTCDateTime


class MeasureResponse(Base):
    """One partner's answers to a progress measure (check-in or CSI-4) on one day."""

    __tablename__ = "measure_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    measure_key: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, int]] = mapped_column(EncryptedJSON("measure"))
    total: Mapped[float] = mapped_column(Float)
    taken_on: Mapped[date] = mapped_column(Date)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    partner: Mapped[Partner] = relationship()
    entered_by: Mapped[User] = relationship()


class SafetyScreen(Base):
    """A partner's private safety check. Kept in its own table so that no query for
    shared progress data can ever pick it up by accident."""

    __tablename__ = "safety_screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    answers: Mapped[dict[str, int]] = mapped_column(EncryptedJSON("safety"))
    positive: Mapped[bool] = mapped_column(Boolean)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    partner: Mapped[Partner] = relationship()
    reviewed_by: Mapped[User | None] = relationship()
