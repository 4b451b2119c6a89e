"""Accounts: creating, changing and disabling them, signing in, changing a password."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from practice import db
from practice.access import Role
from practice.accounts.invitations import IssuedInvitation, LinkMaker, issue_invitation
from practice.accounts.models import User
from practice.accounts.passwords import hash_password, matches, needs_rehash, password_problem
from practice.accounts.sessions import end_all_sessions
from practice.audit import services as audit
from practice.unit_of_work import UserError

log = logging.getLogger(__name__)


class AccountError(UserError):
    """A change to an account that cannot be made; the message is safe to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


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
    if password is not None and (problem := password_problem(password, (email, name))):
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


def change_password(user: User, current: str, new: str, *, keep_token: str | None) -> int:
    """Change one's own password after proving the current one; every other session of the
    person ends (the one of ``keep_token`` stays). Return how many ended."""
    if not matches(user.password_hash, current):
        raise AccountError("That is not your current password.", "current")
    if problem := password_problem(new, (user.email, user.name)):
        raise AccountError(problem, "password")
    user.password_hash = hash_password(new)
    ended = end_all_sessions(user, except_token=keep_token)
    audit.record(user, "user.password", user)
    db.session.flush()
    log.info("user %s changed their password; %s other sessions ended", user.id, ended)
    return ended
