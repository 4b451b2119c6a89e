from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.accounts.models import User
from practice.couples.models import Couple, Partner
from practice.crypto import EncryptedJSON, EncryptedText
from practice.db import Base, UTCDateTime, enum_by_value
from practice.exercises.models import ExerciseVersion, Rhythm, Visibility


class Assignment(Base):
    """An exercise given to a couple, or to one partner, with dates and a rhythm."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("exercise_versions.id"))
    # None: the couple; otherwise the one partner it is for.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)  # the last day it can be done
    rhythm: Mapped[Rhythm] = mapped_column(enum_by_value(Rhythm))
    times_per_week: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why joint work was assigned although a safety follow-up held it (the counselor's words).
    hold_override: Mapped[str | None] = mapped_column(EncryptedText("assignment"))

    couple: Mapped[Couple] = relationship()
    version: Mapped[ExerciseVersion] = relationship()
    partner: Mapped[Partner | None] = relationship()
    completions: Mapped[list[Completion]] = relationship(
        back_populates="assignment", order_by="Completion.id"
    )


class CompletionStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Completion(Base):
    """A partner's answers to an assignment for one period (a day, a week, or once)."""

    __tablename__ = "completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    period_start: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, object]] = mapped_column(EncryptedJSON("answers"))
    status: Mapped[CompletionStatus] = mapped_column(enum_by_value(CompletionStatus))
    visibility: Mapped[Visibility] = mapped_column(enum_by_value(Visibility))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignment: Mapped[Assignment] = relationship(back_populates="completions")
    partner: Mapped[Partner] = relationship()
    feedback: Mapped[list[Feedback]] = relationship(
        back_populates="completion", order_by="Feedback.id"
    )

    @property
    def submitted(self) -> bool:
        return self.status is CompletionStatus.SUBMITTED


class Feedback(Base):
    """The counselor's response to one answer, read by the partner who wrote it."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    completion_id: Mapped[int] = mapped_column(
        ForeignKey("completions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(EncryptedText("feedback"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    completion: Mapped[Completion] = relationship(back_populates="feedback")
    author: Mapped[User] = relationship()


class ReminderSent(Base):
    """A reminder e-mail already sent, so each is sent once."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("partner_id", "assignment_id", "for_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    for_day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
