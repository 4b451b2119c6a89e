from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.accounts.models import User
from practice.couples.models import Partner
from practice.crypto import EncryptedJSON, EncryptedText
from practice.db import Base, UTCDateTime, enum_by_value


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


class FollowUpDecision(enum.Enum):
    """What follows a positive safety check, decided after talking with the partner alone."""

    CONTINUE = "continue"
    PAUSE = "pause"
    REFER = "refer"

    @property
    def label(self) -> str:
        return {
            "continue": "Continue joint work",
            "pause": "Pause joint work",
            "refer": "Refer for individual or specialist help",
        }[self.value]


# The structured risk review: each question is answered yes, no or not known.
RISK_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("recent_violence", "Violence or threats in the last three months"),
    ("fear_now", "The partner is afraid of the other partner now"),
    ("severe_signs", "Choking, weapons or injuries ever involved"),
    ("children", "Children in the home exposed or at risk"),
    ("wants_joint", "The partner wants joint sessions to go on"),
    ("plan_discussed", "A safety plan was discussed"),
)
RISK_ANSWERS: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("no", "No"), ("unknown", "Not known"))


class SafetyFollowUp(Base):
    """The counselor's follow-up of one positive safety check: the individual conversation
    (a signed note of an individual appointment), a structured risk review, and a decision
    with its reason. Joint work stays on hold while a check waits for this, and while the
    decision is to pause until the counselor resumes it. Read by the counselor only."""

    __tablename__ = "safety_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    screen_id: Mapped[int] = mapped_column(
        ForeignKey("safety_screens.id", ondelete="CASCADE"), unique=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    note_id: Mapped[int] = mapped_column(ForeignKey("progress_notes.id", ondelete="CASCADE"))
    risk_review: Mapped[dict[str, str]] = mapped_column(EncryptedJSON("safety"))
    decision: Mapped[FollowUpDecision] = mapped_column(enum_by_value(FollowUpDecision))
    reason: Mapped[str] = mapped_column(EncryptedText("safety"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Joint work paused by this decision starts again when the counselor says so.
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resume_reason: Mapped[str | None] = mapped_column(EncryptedText("safety"))

    screen: Mapped[SafetyScreen] = relationship()
    partner: Mapped[Partner] = relationship()
    decided_by: Mapped[User] = relationship()

    @property
    def holds_joint_work(self) -> bool:
        return self.decision is FollowUpDecision.PAUSE and self.resumed_at is None


class ContactPreference(Base):
    """How it is safe to reach a partner, as they said in private. Reminders by e-mail are
    never sent to a partner who said e-mail is not safe. Read by the partner and their
    counselor only."""

    __tablename__ = "contact_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), unique=True
    )
    email_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    phone_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    safe_times: Mapped[str] = mapped_column(EncryptedText("safety"), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


# The parts of a partner's own safety plan, in their words.
SAFETY_PLAN_PARTS: tuple[tuple[str, str, str], ...] = (
    ("warning_signs", "Warning signs", "What tells me things are getting dangerous"),
    ("safe_places", "Safe places", "Where I can go, and how I get there"),
    ("people", "People to call", "Who I can call, day or night, and their numbers"),
    ("take_with", "What to take", "Papers, keys, medicines, money, phone charger"),
)


class SafetyPlan(Base):
    """A partner's private safety plan: only they and their counselor can read it."""

    __tablename__ = "safety_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), unique=True
    )
    content: Mapped[dict[str, str]] = mapped_column(EncryptedJSON("safety"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
