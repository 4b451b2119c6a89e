"""Passwords: Argon2id hashes, and what a new password must be."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# zxcvbn's score: 0 and 1 are passwords found near the top of common-password lists, or
# simple patterns (repeats, keyboard rows, a word and a year). Length and variety beyond
# that are the person's choice: no rules about digits or capitals.
MIN_GUESSABILITY_SCORE = 2
# Only the start is judged: the estimate's time grows steeply with length (0.03 s for 64
# characters, 1.7 s for 256), and no common password is longer.
JUDGED_LENGTH = 64
TOO_COMMON = (
    "This password is too easy to guess: it is a common one or a simple pattern. "
    "A few unrelated words together make a strong one."
)

# argon2-cffi's defaults: RFC 9106's low-memory profile (t=3, m=64 MiB, p=4).
STANDARD = PasswordHasher()
# For the test suite alone (TESTING with FAST_PASSWORD_HASHING): hashing is slow on purpose,
# and the suite signs people in thousands of times. Never used outside testing.
FAST_FOR_TESTS = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def hasher() -> PasswordHasher:
    config = current_app.config if has_app_context() else {}
    if config.get("TESTING") and config.get("FAST_PASSWORD_HASHING"):
        return FAST_FOR_TESTS
    return STANDARD


@cache
def _stand_in(chosen: PasswordHasher) -> str:
    # Checked against when the e-mail is unknown, so that both cases take the same time.
    return chosen.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def matches(stored: str | None, password: str) -> bool:
    """Whether a password fits a stored hash; as slow with no hash (unknown e-mail) as with one."""
    chosen = hasher()
    try:
        chosen.verify(stored or _stand_in(chosen), password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with other parameters than today's (rehash at next sign-in)."""
    return hasher().check_needs_rehash(stored)


def password_problem(password: str, known: Iterable[str] = ()) -> str | None:
    """Say what is wrong with a new password, or None when it is acceptable. ``known`` are
    the person's own name and e-mail address, which make a password easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    # The whole name and address, and their parts: "ingrid.solberg", "ingrid", "solberg".
    context = [
        part
        for value in known
        for part in (value, *value.split("@"), *value.replace("@", " ").replace(".", " ").split())
    ]
    estimate = zxcvbn(password[:JUDGED_LENGTH], user_inputs=context)
    if estimate["score"] < MIN_GUESSABILITY_SCORE:
        return TOO_COMMON
    return None
