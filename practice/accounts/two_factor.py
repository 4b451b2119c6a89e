"""Two-factor sign-in: a time-based code (TOTP, RFC 6238) from an authenticator app, or one of
ten single-use recovery codes.

A code is good for its 30-second step and the steps on either side of it (clocks drift); a
code from further back is stale, and a step already used is refused, so a code overheard or
typed twice never works again. Guesses are slowed per person (practice/accounts/throttle.py).
"""

from __future__ import annotations

import hashlib
import io
import secrets
from base64 import b64encode

import pyotp
import segno
from flask import current_app
from sqlalchemy import select, update

from practice import clock, db
from practice.access import Role
from practice.accounts.models import RecoveryCode, User
from practice.accounts.sessions import end_all_sessions
from practice.audit import services as audit
from practice.unit_of_work import UserError

ISSUER = "Practice"
RECOVERY_CODES = 10
STEPS_OF_DRIFT = 1  # one 30-second step either way


class TwoFactorError(UserError):
    """A code that does not do; the message is safe to show."""


def required_for(user: User) -> bool:
    """Staff must use a second factor in production, and anywhere it is switched on."""
    if user.role is Role.CLIENT:
        return False
    return bool(current_app.config["PRACTICE_REQUIRE_TWO_FACTOR"])


def is_on(user: User) -> bool:
    return user.totp_enabled_at is not None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The key as a QR code, an SVG drawn here (nothing is fetched), for an <img>."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + b64encode(buffer.getvalue()).decode()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step this code belongs to, if it is current (within the drift allowed)."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    current = totp.timecode(now)
    for step in range(current - STEPS_OF_DRIFT, current + STEPS_OF_DRIFT + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn the second factor on once a first code from the app proves it is set up; return
    the recovery codes, to be shown once."""
    step = _matching_step(secret, code)
    if step is None:
        raise TwoFactorError("That code does not match. Check the phone's time and try again.")
    user.totp_secret = secret
    user.totp_enabled_at = clock.now()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    audit.record(user, "two_factor.enable", user)
    db.session.flush()
    return codes


def disable(user: User, actor: User) -> None:
    """Turn the second factor off (partners may; staff only where it is not required)."""
    if required_for(user):
        raise TwoFactorError("Two-factor sign-in is required for staff accounts here.")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id).values(used_at=clock.now())
    )
    end_all_sessions(user)
    audit.record(actor, "two_factor.disable", user)
    db.session.flush()


def check(user: User, code: str) -> str:
    """Accept a current code from the app, or an unused recovery code; return which it was.

    A time step already used, or a stale code, is refused like a wrong one.
    """
    if not is_on(user):
        raise TwoFactorError("Two-factor sign-in is not set up for this account.")
    step = _matching_step(user.totp_secret, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            raise TwoFactorError("That code has been used already. Wait for the next one.")
        user.totp_last_step = step
        db.session.flush()
        return "app"
    recovery = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        raise TwoFactorError("That code does not match.")
    recovery.used_at = clock.now()
    audit.record(user, "two_factor.recovery_code", user)
    db.session.flush()
    return "recovery"


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def _retire_recovery_codes(user: User) -> None:
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now())
    )


def _new_recovery_codes(user: User) -> list[str]:
    _retire_recovery_codes(user)
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(code)))
    return codes


def _recovery_code() -> str:
    # 50 bits from an alphabet without look-alikes, written in two groups of five.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    letters = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def _digest(code: str) -> str:
    normal = "".join(code.lower().split()).replace("-", "")
    return hashlib.sha256(normal.encode()).hexdigest()
