from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.accounts.models import User
from practice.couples.models import Couple, Partner
from practice.db import Base, UTCDateTime, enum_by_value


class Mode(enum.Enum):
    INDIVIDUAL = "individual"  # each partner on their own
    TOGETHER = "together"  # one answer for the couple
    TURNS = "turns"  # each answers; hidden from the other until both have sent

    @property
    def label(self) -> str:
        return {
            "individual": "Each partner on their own",
            "together": "By the couple together, one answer",
            "turns": "Each partner, answers hidden until both have sent",
        }[self.value]


class Rhythm(enum.Enum):
    ONCE = "once"
    DAILY = "daily"
    TIMES_PER_WEEK = "times_per_week"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return {
            "once": "Once",
            "daily": "Every day",
            "times_per_week": "Several times a week",
            "weekly": "Once a week",
        }[self.value]


class AgreementKind(enum.Enum):
    PAUSE = "pause"
    BOUNDARY = "boundary"
    BUDGET = "budget"
    PARENTING = "parenting"

    @property
    def label(self) -> str:
        return {
            "pause": "Pause agreement",
            "boundary": "Boundary agreement",
            "budget": "Budget meeting",
            "parenting": "Parenting plan",
        }[self.value]


class Exercise(Base):
    """An exercise's identity; its content lives in numbered, unchangeable versions."""

    __tablename__ = "exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # None for the built-in library; otherwise the counselor who wrote it.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    current_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    owner: Mapped[User | None] = relationship()
    versions: Mapped[list[ExerciseVersion]] = relationship(
        back_populates="exercise", order_by="ExerciseVersion.number"
    )

    @property
    def built_in(self) -> bool:
        return self.owner_id is None


class ExerciseVersion(Base):
    """One version of an exercise. Never changed: assignments keep the version they got."""

    __tablename__ = "exercise_versions"
    __table_args__ = (UniqueConstraint("exercise_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    area: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(Text)
    instructions: Mapped[str] = mapped_column(Text)
    minutes: Mapped[int] = mapped_column(Integer)
    rhythm: Mapped[Rhythm] = mapped_column(enum_by_value(Rhythm))
    mode: Mapped[Mode] = mapped_column(enum_by_value(Mode))
    privacy_choice: Mapped[bool] = mapped_column(Boolean, default=False)
    agreement_kind: Mapped[AgreementKind | None] = mapped_column(enum_by_value(AgreementKind))
    timer_minutes: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    exercise: Mapped[Exercise] = relationship(back_populates="versions")


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

    couple: Mapped[Couple] = relationship()
    version: Mapped[ExerciseVersion] = relationship()
    partner: Mapped[Partner | None] = relationship()
    completions: Mapped[list[Completion]] = relationship(
        back_populates="assignment", order_by="Completion.id"
    )


class CompletionStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Visibility(enum.Enum):
    SHARED = "shared"  # the other partner may read it
    COUNSELOR = "counselor"  # the counselor only

    @property
    def label(self) -> str:
        return {"shared": "Shared with my partner", "counselor": "For my counselor only"}[
            self.value
        ]


class Completion(Base):
    """A partner's answers to an assignment for one period (a day, a week, or once)."""

    __tablename__ = "completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    period_start: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, object]] = mapped_column(JSON)
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
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    completion: Mapped[Completion] = relationship(back_populates="feedback")
    author: Mapped[User] = relationship()


class AgreementStatus(enum.Enum):
    PROPOSED = "proposed"  # no version accepted yet
    IN_FORCE = "in_force"  # a version accepted by both (a newer proposal may be pending)


class Agreement(Base):
    """A co-signed agreement between the partners (pause, boundary, budget, parenting)."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    kind: Mapped[AgreementKind] = mapped_column(enum_by_value(AgreementKind))
    title: Mapped[str] = mapped_column(String(120))
    status: Mapped[AgreementStatus] = mapped_column(enum_by_value(AgreementStatus))
    revisit_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    assignment: Mapped[Assignment | None] = relationship()
    couple: Mapped[Couple] = relationship()
    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", order_by="AgreementVersion.number"
    )

    @property
    def latest(self) -> AgreementVersion:
        return self.versions[-1]

    @property
    def in_force(self) -> AgreementVersion | None:
        """The version both partners accepted last; it holds until a newer one is accepted."""
        accepted = [v for v in self.versions if v.accepted_at is not None]
        return accepted[-1] if accepted else None

    @property
    def pending(self) -> AgreementVersion | None:
        """A proposal waiting for the other partner's answer, if there is one."""
        latest = self.versions[-1] if self.versions else None
        if latest is None or latest.accepted_at is not None or latest.replaced_at is not None:
            return None
        return latest


class AgreementVersion(Base):
    """One proposal of an agreement; accepted versions carry both partners' signatures."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, object]] = mapped_column(JSON)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # amended by a newer one

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    proposed_by: Mapped[Partner] = relationship(foreign_keys=[proposed_by_id])
    accepted_by: Mapped[Partner | None] = relationship(foreign_keys=[accepted_by_id])


class ReminderSent(Base):
    """A reminder e-mail already sent, so each is sent once."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("partner_id", "assignment_id", "for_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    for_day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
