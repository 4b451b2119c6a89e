from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.accounts.models import User
from practice.db import Base, Email, UTCDateTime, enum_by_value


class CoupleStatus(enum.Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Couple(Base):
    __tablename__ = "couples"

    id: Mapped[int] = mapped_column(primary_key=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    presenting_concerns: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    intake_date: Mapped[date] = mapped_column(Date)
    # Where the couple lives, for finding services near them (US ZIP code).
    zip_code: Mapped[str] = mapped_column(String(10), default="")
    status: Mapped[CoupleStatus] = mapped_column(
        enum_by_value(CoupleStatus), default=CoupleStatus.ACTIVE, index=True
    )
    closed_on: Mapped[date | None] = mapped_column(Date)
    closing_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    counselor: Mapped[User] = relationship()
    partners: Mapped[list[Partner]] = relationship(
        back_populates="couple", order_by="Partner.position", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        return " & ".join(partner.name for partner in self.partners)


class Partner(Base):
    """One of the couple's two people; position 1 or 2 keeps the pair to exactly two."""

    __tablename__ = "partners"
    __table_args__ = (
        UniqueConstraint("couple_id", "position"),
        CheckConstraint("position IN (1, 2)", name="two_partners"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120), index=True)
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str | None] = mapped_column(Email)
    phone: Mapped[str] = mapped_column(String(40), default="")
    # The partner's own sign-in, once they have been invited.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)

    couple: Mapped[Couple] = relationship(back_populates="partners")
    user: Mapped[User | None] = relationship()


class CaseEventKind(enum.Enum):
    OPENED = "opened"
    STATUS = "status"
    MOVED = "moved"


class CaseEvent(Base):
    """A step in the case's own history: opened, paused, closed, reopened, moved to another
    counselor. The summary names staff and statuses only, never what a client said."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[CaseEventKind] = mapped_column(enum_by_value(CaseEventKind))
    summary: Mapped[str] = mapped_column(String(300))

    couple: Mapped[Couple] = relationship()
