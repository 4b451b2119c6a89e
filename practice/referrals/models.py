from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.accounts.models import User
from practice.couples.models import Couple, Partner
from practice.db import Base, UTCDateTime, enum_by_value


class ReferralStatus(enum.Enum):
    SUGGESTED = "suggested"
    CONTACTED = "contacted"
    ATTENDING = "attending"
    COMPLETED = "completed"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Referral(Base):
    """A couple, or one partner, referred to a directory service."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    # None: the couple; otherwise the one partner it is for (seen by nobody else but staff).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    service_hsds_id: Mapped[str] = mapped_column(String(36))
    # Kept with the referral, so it still reads right if the directory changes later.
    service_name: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ReferralStatus] = mapped_column(enum_by_value(ReferralStatus))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    couple: Mapped[Couple] = relationship()
    partner: Mapped[Partner | None] = relationship()
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id"
    )


class ReferralEvent(Base):
    """A change of a referral's status: who, when, and why (for a decline)."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    status: Mapped[ReferralStatus] = mapped_column(enum_by_value(ReferralStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    referral: Mapped[Referral] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()
