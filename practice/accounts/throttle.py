"""Slowing down password guessing, with Flask-Limiter, in a way nobody can turn against the
account's owner.

Failed sign-ins are counted per account *and address* (the e-mail typed, whether or not it has
an account, with the address it came from) and per address alone. Short and long windows make
the wait grow with each burst of failures, and every window lifts by itself. Because no count
is kept for an account alone, failures from other addresses never stop its owner, with the
right password (and second factor), from getting in from theirs. Behind a reverse proxy the
address is the client's, as the trusted proxy reports it (practice/proxies.py). With several
server processes, point RATELIMIT_STORAGE_URI at Redis so that they share one count.

Asking for a password reset is limited per address, whatever the answer, so nobody can fill a
person's inbox.
"""

from __future__ import annotations

from flask import Flask, Response, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from practice.accounts.services import normalise_email

PER_ACCOUNT_AND_ADDRESS = "5 per minute;10 per 15 minutes;20 per hour"
PER_ADDRESS = "50 per 15 minutes"
RESETS_PER_ADDRESS = "5 per hour"
THROTTLED_ENDPOINTS = ("accounts.sign_in",)
# Codes of the second step, counted per person (and address) waiting for it.
CODE_ENDPOINTS = ("accounts.second_factor", "accounts.set_up_second_factor")
CODES_PER_PERSON_AND_ADDRESS = "5 per minute;20 per hour"


def account_and_address() -> str:
    email = normalise_email(request.form.get("email", ""))[:254]
    return f"signin:{email}|{get_remote_address()}"


def person_and_address() -> str:
    waiting = session.get("pending_second_factor") or {}
    return f"code:{waiting.get('user_id')}|{get_remote_address()}"


def failed(response: Response) -> bool:
    """Only refused attempts count; signing in successfully costs nothing."""
    return response.status_code == 400


def init_app(app: Flask) -> Limiter:
    """Give the application its own limiter (its storage comes from its own settings)."""
    limiter = Limiter(key_func=get_remote_address, app=app)
    for endpoint in THROTTLED_ENDPOINTS:
        view = app.view_functions[endpoint]
        view = limiter.limit(
            PER_ACCOUNT_AND_ADDRESS,
            key_func=account_and_address,
            methods=["POST"],
            deduct_when=failed,
        )(view)
        view = limiter.limit(PER_ADDRESS, methods=["POST"], deduct_when=failed)(view)
        app.view_functions[endpoint] = view
    for endpoint in CODE_ENDPOINTS:
        app.view_functions[endpoint] = limiter.limit(
            CODES_PER_PERSON_AND_ADDRESS,
            key_func=person_and_address,
            methods=["POST"],
            deduct_when=failed,
        )(app.view_functions[endpoint])
    reset = app.view_functions["accounts.forgot_password"]
    app.view_functions["accounts.forgot_password"] = limiter.limit(
        RESETS_PER_ADDRESS, methods=["POST"]
    )(reset)
    app.extensions["practice.limiter"] = limiter
    return limiter
