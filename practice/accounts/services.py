"""Accounts: creating and disabling them, server-side sign-in sessions, invitations."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from practice import clock, db
from practice.access import Role
from practice.accounts.models import Invitation, User, UserSession
from practice.accounts.passwords import hash_password, matches, needs_rehash, password_problem
from practice.audit import services as audit
from practice.outbox import services as outbox
from practice.unit_of_work import UserError

log = logging.getLogger(__name__)

# Sessions touched more recently than this are not written again on every request.
TOUCH_INTERVAL = timedelta(seconds=60)


# Writes the full address of a sign-in link from its token (the views know the route).
LinkMaker = Callable[[str], str]


class AccountError(UserError):
    """A change to an account that cannot be made; the message is safe to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def staff_members() -> list[User]:
    """The practice's counselors and admins, by name."""
    return list(
        db.session.scalars(select(User).where(User.role != Role.CLIENT).order_by(User.name))
    )


def email_taken(email: str, except_user_id: int | None = None) -> bool:
    query = select(func.count()).select_from(User).where(User.email == normalise_email(email))
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.scalar(query) > 0


def authenticate(email: str, password: str) -> User | None:
    """Return the active user these credentials belong to, or None."""
    user = find_user_by_email(email)
    if not matches(user.password_hash if user is not None else None, password):
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def create_user(
    *, email: str, name: str, role: Role, password: str | None = None, actor: User | None = None
) -> User:
    """Create an account; without a password it can only be entered through an invitation."""
    if email_taken(email):
        raise AccountError("An account with this e-mail address already exists.")
    if password is not None and (problem := password_problem(password)):
        raise AccountError(problem)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        password_hash=hash_password(password) if password is not None else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user)
    log.info("user %s created with role %s", user.id, role.value)
    return user


def create_staff_account(
    *,
    email: str,
    name: str,
    role: Role,
    actor: User,
    ttl: timedelta,
    mail_link: LinkMaker | None = None,
) -> IssuedInvitation:
    """Open a counselor's or admin's account and make the link they set their password with."""
    user = create_user(email=email, name=name, role=role, actor=actor)
    return issue_invitation(user, created_by=actor, ttl=ttl, mail_link=mail_link)


def update_details(user: User, *, name: str, email: str, actor: User) -> None:
    """Change a person's name and sign-in e-mail."""
    if email_taken(email, except_user_id=user.id):
        raise AccountError("An account with this e-mail address already exists.")
    user.name = name.strip()
    user.email = normalise_email(email)
    audit.record(actor, "user.update", user)
    db.session.flush()


def set_disabled(user: User, disabled: bool, actor: User | None = None) -> None:
    """Disable or re-enable an account; disabling ends all of its open sessions at once."""
    user.is_disabled = disabled
    if disabled:
        end_all_sessions(user)
    audit.record(actor, "user.disable" if disabled else "user.enable", user)
    db.session.flush()
    log.info("user %s %s", user.id, "disabled" if disabled else "enabled")


# --- server-side sessions ---------------------------------------------------------------


def start_session(user: User) -> str:
    """Open a new session for a user who has just proved who they are; return its token."""
    token = secrets.token_urlsafe(32)
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


def end_all_sessions(user: User) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    )


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


# --- invitations ------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once; only its hash is stored
    mailed: bool = False  # also on its way to the person by e-mail


class InvitationState:
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


def issue_invitation(
    user: User, *, created_by: User, ttl: timedelta, mail_link: LinkMaker | None = None
) -> IssuedInvitation:
    """Make a single-use link for a person to set their password; older links stop working.

    With ``mail_link`` (which writes the link of a token; given when mail is on) the link is
    also e-mailed to the person, through the outbox: it leaves only if this transaction
    commits.
    """
    now = clock.now()
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        user_id=user.id,
        token_hash=token_digest(token),
        created_by_id=created_by.id,
        created_at=now,
        expires_at=now + ttl,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(created_by, "invitation.issue", invitation)
    if mail_link is None:
        return IssuedInvitation(invitation, token)
    issued = IssuedInvitation(invitation, token, mailed=True)
    outbox.enqueue(*invitation_message(issued, mail_link(token)))
    return issued


def invitation_message(issued: IssuedInvitation, link: str) -> tuple[str, str, str]:
    """The invitation e-mail's recipient, subject and text: the link, and nothing clinical."""
    user = issued.invitation.user
    until = clock.to_local(issued.invitation.expires_at)
    body = (
        f"Hello {user.name},\n\n"
        "Your sign-in to your counselor's practice is ready. Choose your password here:\n"
        f"{link}\n\n"
        f"The link works once, until {until:%d %b %Y at %H:%M}. If you did not expect this "
        "e-mail, you can ignore it.\n"
    )
    return user.email, "Your sign-in link", body


def find_invitation(token: str) -> tuple[str, Invitation | None]:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_digest(token))
    )
    if invitation is None or invitation.user.is_disabled:
        return InvitationState.UNKNOWN, None
    if invitation.used_at is not None:
        return InvitationState.USED, invitation
    if invitation.expires_at <= clock.now():
        return InvitationState.EXPIRED, invitation
    return InvitationState.VALID, invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the invited person's password and use the invitation up."""
    if problem := password_problem(password):
        raise AccountError(problem)
    invitation.used_at = clock.now()
    user = invitation.user
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    audit.record(user, "invitation.accept", invitation)
    db.session.flush()
    return user
