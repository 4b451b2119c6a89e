"""Staff accounts are managed by admins; a client's account is reached through its couple."""

from __future__ import annotations

from flask import abort

from practice import db
from practice.access import Role
from practice.accounts.models import User


def load_staff_user_or_404(user_id: int) -> User:
    """A counselor's or admin's account (routes using it are for admins only)."""
    user = db.session.get(User, user_id)
    if user is None or user.role is Role.CLIENT:
        abort(404)
    return user
