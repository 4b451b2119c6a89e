"""Server-side sign-in sessions: the cookie holds a random token whose hash is stored here."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from practice import clock, db
from practice.accounts.models import User, UserSession

# Sessions touched more recently than this are not written again on every request.
TOUCH_INTERVAL = timedelta(seconds=60)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """Open a new session for a user who has just proved who they are; return its token."""
    token = new_token()
    db.session.add(UserSession(user_id=user.id, token_hash=token_digest(token)))
    user.last_sign_in_at = clock.now()
    db.session.flush()
    return token


def end_session(token: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_digest(token), UserSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    )


def end_all_sessions(user: User, *, except_token: str | None = None) -> int:
    """End a person's open sessions (all but the one of ``except_token``); return how many."""
    statement = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if except_token is not None:
        statement = statement.where(UserSession.token_hash != token_digest(except_token))
    return db.session.execute(statement.values(ended_at=clock.now())).rowcount


def open_sessions(user: User) -> list[UserSession]:
    """A person's sessions that have not ended, newest first (some may have idled out)."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())
        )
    )


def is_current(record: UserSession, token: str | None) -> bool:
    return token is not None and record.token_hash == token_digest(token)


def user_for_session(
    token: str, *, idle: timedelta, lifetime: timedelta
) -> tuple[User | None, bool]:
    """Return the user of a live session, ending it if it has idled or lived too long, and
    whether the session's record was changed (ended, or its last activity noted)."""
    now = clock.now()
    record = db.session.scalar(
        select(UserSession).where(UserSession.token_hash == token_digest(token))
    )
    if record is None or record.ended_at is not None:
        return None, False
    expired = now - record.last_seen_at > idle or now - record.created_at > lifetime
    if expired or not record.user.is_active:
        record.ended_at = now
        return None, True
    if now - record.last_seen_at > TOUCH_INTERVAL:
        record.last_seen_at = now
        return record.user, True
    return record.user, False
