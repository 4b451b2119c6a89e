"""Who may reach which route: each view declares its audience; nothing is open by default.

Object-level checks (this couple, this note) live in each area's ``policy.py``; this module
only decides which kind of signed-in person a route is for.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, request
from flask_login import current_user

View = TypeVar("View", bound=Callable[..., object])


class Role(enum.Enum):
    """What a person is to the practice; every route is for some of them."""

    ADMIN = "admin"
    COUNSELOR = "counselor"
    CLIENT = "client"

    @property
    def label(self) -> str:
        return {"admin": "Practice admin", "counselor": "Counselor", "client": "Client"}[self.value]


class Audience(enum.Enum):
    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any role
    STAFF = "staff"  # admins and counselors
    COUNSELOR = "counselor"
    ADMIN = "admin"
    CLIENT = "client"


ROLES_OF = {
    Audience.SIGNED_IN: {Role.ADMIN, Role.COUNSELOR, Role.CLIENT},
    Audience.STAFF: {Role.ADMIN, Role.COUNSELOR},
    Audience.COUNSELOR: {Role.COUNSELOR},
    Audience.ADMIN: {Role.ADMIN},
    Audience.CLIENT: {Role.CLIENT},
}

# Endpoints registered by Flask and Bootstrap-Flask that serve bundled files only.
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


class Permission(enum.Enum):
    COUPLE_VIEW = "couple.view"
    COUPLE_EDIT = "couple.edit"
    COUPLE_INVITE_PARTNER = "couple.invite_partner"
    COUPLE_REASSIGN = "couple.reassign"
    COUPLE_EXPORT = "couple.export"
    COUPLE_PURGE = "couple.purge"
    APPOINTMENT_MANAGE = "appointment.manage"
    NOTE_WRITE = "note.write"
    NOTE_READ = "note.read"
    MEASURE_ENTER = "measure.enter"
    PROGRESS_VIEW = "progress.view"
    SAFETY_REVIEW = "safety.review"
    ASSIGNMENT_MANAGE = "assignment.manage"
    EXERCISE_VIEW = "exercise.view"
    EXERCISE_EDIT = "exercise.edit"
    EXERCISE_SHARE = "exercise.share"
    REFERRAL_MANAGE = "referral.manage"


def allow(audience: Audience) -> Callable[[View], View]:
    """Declare who may reach a view; the check itself runs before every request."""

    def decorate(view: View) -> View:
        view.audience = audience  # type: ignore[attr-defined]
        return view

    return decorate


def audience_of(app: Flask, endpoint: str) -> Audience | None:
    if endpoint in STATIC_ENDPOINTS:
        return Audience.PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "audience", None)


def init_app(app: Flask) -> None:
    @app.before_request
    def check_audience() -> object:
        if request.endpoint is None:
            return None  # no route matched: Flask answers 404 or 405 itself
        audience = audience_of(app, request.endpoint)
        if audience is None:
            # A route without a declared audience is a bug; refuse rather than expose it.
            abort(404)
        if request.endpoint in STATIC_ENDPOINTS:
            return None
        # Who is signed in is settled before the view runs, public pages too, so that the
        # session's own bookkeeping is never mixed with the view's changes.
        signed_in = current_user.is_authenticated
        if audience is Audience.PUBLIC:
            return None
        if not signed_in:
            return app.login_manager.unauthorized()
        if current_user.role not in ROLES_OF[audience]:
            abort(403)
        return None


__all__ = ["Audience", "Permission", "Role", "allow", "init_app"]
