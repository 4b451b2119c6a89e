from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.couples.models import Couple, Partner
from practice.crypto import EncryptedJSON
from practice.db import Base, UTCDateTime, enum_by_value
from practice.exercises.models import AgreementKind, ExerciseVersion


class AgreementStatus(enum.Enum):
    PROPOSED = "proposed"  # no version accepted yet
    IN_FORCE = "in_force"  # a version accepted by both (a newer proposal may be pending)


class Agreement(Base):
    """A co-signed agreement between the partners (pause, boundary, budget, parenting)."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    # The homework answer that proposed it; the agreement lives on if that is closed.
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    # The exercise version whose fields the agreement is written in.
    version_id: Mapped[int] = mapped_column(ForeignKey("exercise_versions.id"))
    kind: Mapped[AgreementKind] = mapped_column(enum_by_value(AgreementKind))
    title: Mapped[str] = mapped_column(String(120))
    status: Mapped[AgreementStatus] = mapped_column(enum_by_value(AgreementStatus))
    revisit_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    version: Mapped[ExerciseVersion] = relationship()
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
    content: Mapped[dict[str, object]] = mapped_column(EncryptedJSON("agreement"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # amended by a newer one

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    proposed_by: Mapped[Partner] = relationship(foreign_keys=[proposed_by_id])
    accepted_by: Mapped[Partner | None] = relationship(foreign_keys=[accepted_by_id])
