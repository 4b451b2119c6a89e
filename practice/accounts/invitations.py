"""Single-use links that let a person set their password: an invitation to a new account (or
one whose access was ended), and a reset of a forgotten password, e-mailed to its owner alone.

Nobody ever receives a working link to somebody else's account in use: a counselor or an admin
can make an invitation only for an account that has never set a password, or whose access was
ended first; a reset goes only to the account's own e-mail address.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from practice import clock, db
from practice.accounts.models import Invitation, User
from practice.accounts.passwords import hash_password, password_problem
from practice.accounts.sessions import end_all_sessions, new_token, token_digest
from practice.audit import services as audit
from practice.outbox import services as outbox
from practice.unit_of_work import UserError

log = logging.getLogger(__name__)

RESET_TTL = timedelta(hours=1)

# Writes the full address of a link from its token (the views know the routes).
LinkMaker = Callable[[str], str]


class InvitationError(UserError):
    """A link that may not be made; the message is safe to show."""


class Purpose(enum.Enum):
    INVITATION = "invitation"
    RESET = "reset"


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


def may_be_invited(user: User) -> bool:
    """Whether someone else may make a sign-in link for this account: only before its owner
    has chosen a password, or after their access was ended."""
    return user.password_hash is None or user.is_disabled


def _issue(user: User, purpose: Purpose, ttl: timedelta, actor: User | None) -> IssuedInvitation:
    now = clock.now()
    # A new link makes every earlier unused one stop working.
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(expires_at=now)
    )
    token = new_token()
    invitation = Invitation(
        user_id=user.id,
        purpose=purpose.value,
        token_hash=token_digest(token),
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
        expires_at=now + ttl,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(actor, f"{purpose.value}.issue", invitation)
    return IssuedInvitation(invitation, token)


def issue_invitation(
    user: User, *, created_by: User, ttl: timedelta, mail_link: LinkMaker | None = None
) -> IssuedInvitation:
    """Make a single-use link for a person to set their password; older links stop working.

    With ``mail_link`` (which writes the link of a token; given when mail is on) the link is
    also e-mailed to the person, through the outbox: it leaves only if this transaction
    commits.
    """
    if not may_be_invited(user):
        raise InvitationError(
            f"{user.name} already signs in with a password of their own. If they have "
            "forgotten it, they can reset it from the sign-in page."
        )
    issued = _issue(user, Purpose.INVITATION, ttl, created_by)
    if mail_link is None:
        return issued
    outbox.enqueue(*invitation_message(issued, mail_link(issued.token)))
    return IssuedInvitation(issued.invitation, issued.token, mailed=True)


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


def request_reset(user: User | None, mail_link: LinkMaker) -> None:
    """E-mail a one-hour link to choose a new password, to the account's own address only.

    The caller answers the same whatever happens here, so nobody learns whether an address
    has an account.
    """
    if user is None or not user.is_active:
        return
    issued = _issue(user, Purpose.RESET, RESET_TTL, None)
    until = clock.to_local(issued.invitation.expires_at)
    outbox.enqueue(
        user.email,
        "Choose a new password",
        f"Hello {user.name},\n\n"
        "Someone (we hope you) asked to choose a new password for your sign-in. Do it here:\n"
        f"{mail_link(issued.token)}\n\n"
        f"The link works once, until {until:%H:%M} ({until:%d %b %Y}). If it was not you, "
        "ignore this e-mail: your password stays as it is.\n",
    )
    log.info("password reset issued for user %s", user.id)


def find_invitation(token: str, purpose: Purpose) -> tuple[str, Invitation | None]:
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.token_hash == token_digest(token), Invitation.purpose == purpose.value
        )
    )
    if invitation is None or invitation.user.is_disabled:
        return InvitationState.UNKNOWN, None
    if invitation.used_at is not None:
        return InvitationState.USED, invitation
    if invitation.expires_at <= clock.now():
        return InvitationState.EXPIRED, invitation
    return InvitationState.VALID, invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the person's new password, use the link up, and end every session they had."""
    if problem := password_problem(password, (invitation.user.email, invitation.user.name)):
        raise InvitationError(problem)
    invitation.used_at = clock.now()
    user = invitation.user
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    audit.record(user, f"{invitation.purpose}.accept", invitation)
    db.session.flush()
    return user
