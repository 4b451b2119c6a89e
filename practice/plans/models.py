from __future__ import annotations

import enum
import hashlib
import json
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.accounts.models import User
from practice.couples.models import Couple, Partner
from practice.crypto import EncryptedJSON
from practice.db import Base, UTCDateTime


class ObjectiveKind(enum.Enum):
    MEASURE = "measure"  # a score to reach on a progress measure
    AGREEMENT = "agreement"  # an agreement of a kind in force
    OWN_WORDS = "own_words"  # the counselor's words, with a target date

    @property
    def label(self) -> str:
        return {
            "measure": "A score on a measure",
            "agreement": "An agreement in force",
            "own_words": "In my own words, with a target date",
        }[self.value]


class ObjectiveStatus(enum.Enum):
    """Worked out from the record, never typed by hand."""

    MET = "met"
    ON_TRACK = "on_track"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        return {"met": "Met", "on_track": "On track", "not_yet": "Not yet"}[self.value]


class TreatmentPlan(Base):
    """A couple's plan. Each save is a new version; the plan keeps the review date of the
    latest, so that the counselor's home finds the reviews due with one indexed query."""

    __tablename__ = "treatment_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(
        ForeignKey("couples.id", ondelete="CASCADE"), unique=True
    )
    review_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    couple: Mapped[Couple] = relationship()
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", order_by="PlanVersion.number"
    )

    @property
    def current(self) -> PlanVersion:
        return self.versions[-1]


class PlanVersion(Base):
    """One saved state of the plan. ``goals`` is a list of goals, each with a stable
    ``key`` (kept across versions, so notes can name it), ``partner_id`` (None for a goal
    of the couple), ``title``, ``objectives`` (kind, measure, target, agreement, text,
    target_on, key) and the interventions planned (``exercises``: library ids, ``areas``:
    framework area keys). All of it is encrypted."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    goals: Mapped[list[dict[str, object]]] = mapped_column(EncryptedJSON("plan"))
    review_on: Mapped[date] = mapped_column(Date)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    plan: Mapped[TreatmentPlan] = relationship(back_populates="versions")
    written_by: Mapped[User] = relationship()

    def goals_for(self, partner_id: int) -> list[dict[str, object]]:
        """What one partner is shown: the couple's goals and their own, never the other's."""
        return [g for g in self.goals if g.get("partner_id") in (None, partner_id)]


def shown_fingerprint(goals: list[dict[str, object]]) -> str:
    """A SHA-256 of the goals a partner is shown. A partner is asked to acknowledge again
    only when what they see changes, so a goal written for one partner never changes what
    the other is asked (nor their pages)."""
    canonical = json.dumps(goals, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class PlanAcknowledgement(Base):
    """A partner's word that they read the plan as shown to them."""

    __tablename__ = "plan_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("treatment_plans.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"))
    shown_sha256: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    partner: Mapped[Partner] = relationship()


class ObjectiveMet(Base):
    """The counselor's record that an objective in their own words was reached (a measure
    or an agreement is read from the record instead)."""

    __tablename__ = "plan_objectives_met"
    __table_args__ = (UniqueConstraint("plan_id", "objective_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plans.id", ondelete="CASCADE"))
    objective_key: Mapped[str] = mapped_column(String(20))
    met_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
