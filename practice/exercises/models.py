from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.accounts.models import User
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


class Visibility(enum.Enum):
    """Who may read a partner's answer, where the exercise lets them choose."""

    SHARED = "shared"  # the other partner may read it
    COUNSELOR = "counselor"  # the counselor only

    @property
    def label(self) -> str:
        return {"shared": "Shared with my partner", "counselor": "For my counselor only"}[
            self.value
        ]


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
