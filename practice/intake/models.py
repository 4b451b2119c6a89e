from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.couples.models import Partner
from practice.crypto import EncryptedJSON
from practice.db import Base, UTCDateTime, enum_by_value


class Reason(enum.Enum):
    """Why a partner comes to counselling. Couples who come to decide whether to stay
    together do differently from couples who come to improve, so the counselor needs to know
    each partner's reason, and whether the two agree."""

    IMPROVE = "improve"
    DECIDE = "decide"
    PART_WELL = "part_well"

    @property
    def label(self) -> str:
        return {
            "improve": "To make our relationship better",
            "decide": "To decide whether to stay together",
            "part_well": "We have decided to separate, and want to do it as well as we can",
        }[self.value]

    @property
    def short_label(self) -> str:
        return {"improve": "to improve", "decide": "to decide", "part_well": "to part well"}[
            self.value
        ]


# Pressures the framework names; a partner ticks the ones that weigh on them now.
STRESSORS: tuple[tuple[str, str], ...] = (
    ("money", "Money"),
    ("parenting", "Parenting"),
    ("time", "Time together"),
    ("health", "Health"),
    ("work", "Work"),
)

PRIOR_COUNSELLING: tuple[tuple[str, str], ...] = (
    ("none", "No"),
    ("together", "Yes, the two of us together"),
    ("alone", "Yes, on my own"),
    ("both", "Yes, both together and on my own"),
)


class Intake(Base):
    """One partner's intake, written alone in the portal before the first joint appointment.
    Only the couple's counselor reads it; the other partner never sees it. The reason is kept
    in the clear so that the two partners' reasons can be compared by the database; all the
    partner wrote is encrypted."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[Reason] = mapped_column(enum_by_value(Reason))
    # what_brings, hopes, stressors (keys of STRESSORS), stressors_other, prior, prior_details
    answers: Mapped[dict[str, object]] = mapped_column(EncryptedJSON("intake"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    partner: Mapped[Partner] = relationship()

    @property
    def stressor_labels(self) -> list[str]:
        chosen = set(self.answers.get("stressors") or [])
        return [label for key, label in STRESSORS if key in chosen]

    @property
    def prior_label(self) -> str:
        return dict(PRIOR_COUNSELLING).get(str(self.answers.get("prior", "")), "")
