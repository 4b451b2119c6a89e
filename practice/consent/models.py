from __future__ import annotations

import enum
import hashlib
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.couples.models import Partner
from practice.db import Base, UTCDateTime, enum_by_value


class SecretsPolicy(enum.Enum):
    """What the counselor does with something one partner tells them alone."""

    NO_SECRETS = "no_secrets"
    LIMITED = "limited"
    ACCOMMODATED = "accommodated"

    @property
    def label(self) -> str:
        return {
            "no_secrets": "No secrets",
            "limited": "Limited secrets",
            "accommodated": "Secrets accommodated",
        }[self.value]

    @property
    def statement(self) -> str:
        """The policy as the consent states it."""
        return {
            "no_secrets": (
                "In couples counselling the couple is the client. If one of you tells me "
                "something on your own (in an individual appointment, a message or an answer "
                "kept for me only) that bears on the relationship, I will not keep it from your "
                "partner. I will help you find a way to share it yourself, in a session, and I "
                "may stop the joint work if it cannot be shared."
            ),
            "limited": (
                "What one of you tells me alone stays between us unless keeping it would make "
                "the couples work dishonest or unsafe (for example an ongoing affair or a plan "
                "to leave). In that case I will ask you to share it within a reasonable time, "
                "help you do so, and may end the joint work if you decide not to. Safety always "
                "comes first: I never pass on what would put either of you at risk."
            ),
            "accommodated": (
                "What one of you tells me alone, or keeps for my eyes only, stays between the "
                "two of us. I will not pass it to your partner without your permission, except "
                "where the law requires me to act to protect someone."
            ),
        }[self.value]

    @property
    def portal_note(self) -> str:
        """One sentence beside the "for my counselor only" choice on answers."""
        return {
            "no_secrets": (
                "The practice's policy is no secrets: your counselor will not hide from your "
                "partner what bears on your relationship, even when it is marked for them only."
            ),
            "limited": (
                "The practice's policy is limited secrets: your counselor may ask you to share "
                "what bears on your relationship, even when it is marked for them only."
            ),
            "accommodated": (
                "The practice's policy accommodates secrets: what you mark for your counselor "
                "only is not passed to your partner without your permission."
            ),
        }[self.value]


def full_text(body: str, policy: SecretsPolicy) -> str:
    """The consent exactly as a partner reads and signs it: the practice's text, then its
    policy on secrets between partners."""
    heading = f"Secrets between partners ({policy.label.lower()})"
    return f"{body.strip()}\n\n{heading}\n\n{policy.statement}"


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class ConsentVersion(Base):
    """One version of the practice's consent; a new version asks every partner again."""

    __tablename__ = "consent_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    secrets_policy: Mapped[SecretsPolicy] = mapped_column(enum_by_value(SecretsPolicy))
    body: Mapped[str] = mapped_column(Text)
    # SHA-256 of the full text (body and policy statement) as it was shown.
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def text(self) -> str:
        return full_text(self.body, self.secrets_policy)


class ConsentSignature(Base):
    """A partner's e-signature: the full name they typed, the day, and the version they read,
    with the SHA-256 of its text kept beside it."""

    __tablename__ = "consent_signatures"
    __table_args__ = (UniqueConstraint("partner_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("consent_versions.id"), index=True)
    typed_name: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date] = mapped_column(Date)
    text_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    partner: Mapped[Partner] = relationship()
    version: Mapped[ConsentVersion] = relationship()
