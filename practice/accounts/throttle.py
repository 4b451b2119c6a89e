"""Slowing down password guessing, with Flask-Limiter.

Failed sign-ins are counted per e-mail typed (whether or not it has an account, so both get
the same answer) and per address. Short and long windows make the wait grow with each burst
of failures; every window lifts by itself. With several server processes, point
RATELIMIT_STORAGE_URI at Redis so that they share one count.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from practice.accounts.services import normalise_email

PER_ACCOUNT = "5 per minute;10 per 15 minutes;20 per hour"
PER_ADDRESS = "50 per 15 minutes"
THROTTLED_ENDPOINTS = ("accounts.sign_in",)


def typed_email() -> str:
    return "signin:" + normalise_email(request.form.get("email", ""))[:254]


def failed(response: Response) -> bool:
    """Only refused attempts count; signing in successfully costs nothing."""
    return response.status_code == 400


def init_app(app: Flask) -> Limiter:
    """Give the application its own limiter (its storage comes from its own settings)."""
    limiter = Limiter(key_func=get_remote_address, app=app)
    for endpoint in THROTTLED_ENDPOINTS:
        view = app.view_functions[endpoint]
        view = limiter.limit(
            PER_ACCOUNT, key_func=typed_email, methods=["POST"], deduct_when=failed
        )(view)
        view = limiter.limit(PER_ADDRESS, methods=["POST"], deduct_when=failed)(view)
        app.view_functions[endpoint] = view
    app.extensions["practice.limiter"] = limiter
    return limiter
