from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from practice import clock
from practice.db import Base, UTCDateTime


class GeneratedReport(Base):
    """A record of every PDF made: who, when, which kind, which period, and its SHA-256."""

    __tablename__ = "generated_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int | None]  # the couple, note, exercise... the report is about
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64))
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
