from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.access import Role
from practice.db import Base, Email, UTCDateTime, enum_by_value


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(Email, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_by_value(Role))
    # None until the person sets a password through an invitation.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (TOTP): the shared key, once confirmed with a first code, and the
    # time step of the last code accepted, so that no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    # Flask-Login's protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return not self.is_disabled

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.COUNSELOR)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class UserSession(Base):
    """A signed-in browser. The cookie holds only a random id whose hash is stored here.

    Keeping sessions on the server is what lets sign-out, idle logoff and disabling an
    account end a session for good, even if someone kept a copy of the cookie.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Invitation(Base):
    """A single-use link that lets a person set their password and sign in."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "invitation" (made by staff, for a new account) or "reset" (asked for by its owner).
    purpose: Mapped[str] = mapped_column(
        String(20), default="invitation", server_default="invitation"
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RecoveryCode(Base):
    """A single-use code that stands in for the second factor when the phone is lost."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
