"""Flask-Login wiring: who the current user is, from the server-side session."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, login_user, logout_user

from practice import clock, db
from practice.accounts import sessions
from practice.accounts.models import User

login_manager = LoginManager()
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
# Sessions are checked against the database on every request, so Flask-Login's own
# fingerprinting would only add false sign-outs behind changing proxies.
login_manager.session_protection = None

SESSION_KEY = "sid"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    token = session.get(SESSION_KEY)
    if not token:
        return None
    config = current_app.config
    user, changed = sessions.user_for_session(
        token,
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        lifetime=timedelta(hours=config["SESSION_MAX_HOURS"]),
    )
    if changed:
        # Ending an expired session, or noting activity (at most once a minute), must last
        # even if the view then fails. The user is loaded before any view runs (see
        # access.check_audience), so this commits nothing of the view's own.
        db.prepare_to_write(db.session)
        db.session.commit()
    if user is None or str(user.id) != user_id:
        session.clear()
        g.session_ended = True
        return None
    return user


@login_manager.unauthorized_handler
def ask_to_sign_in():
    """Send a visitor to sign in, saying why when their session has just ended."""
    if g.get("session_ended"):
        flash("You were signed out after a time without activity. Please sign in again.", "info")
    else:
        flash(login_manager.login_message, "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("accounts.sign_in", next=target))


def sign_in(user: User) -> None:
    """Start a fresh session for the user: the old cookie's contents are thrown away."""
    session.clear()
    session[SESSION_KEY] = sessions.start_session(user)
    login_user(user)


# Between the password and the second factor: who, since when, and where they were going.
PENDING = "pending_second_factor"
PENDING_FOR = timedelta(minutes=5)


def begin_second_step(user: User, target: str | None) -> None:
    """The password was right; the person is not signed in until the second factor is."""
    session.clear()
    session[PENDING] = {"user_id": user.id, "since": clock.now().isoformat(), "next": target}


def pending() -> dict | None:
    """The sign-in waiting for its second factor, if it is recent enough."""
    waiting = session.get(PENDING)
    if not waiting:
        return None
    if clock.now() - datetime.fromisoformat(waiting["since"]) > PENDING_FOR:
        session.pop(PENDING, None)
        return None
    return waiting


def pending_user() -> User | None:
    waiting = pending()
    user = db.session.get(User, waiting["user_id"]) if waiting else None
    return user if user is not None and user.is_active else None


def sign_out() -> None:
    token = session.get(SESSION_KEY)
    if token:
        sessions.end_session(token)
    logout_user()
    session.clear()


def is_safe_next(target: str | None) -> bool:
    """Accept only a path on this site: no scheme, no host, no tricks that browsers resolve."""
    if not target:
        return False
    # Judge the decoded form too, so an encoded tab or slash cannot smuggle in a host.
    return all(_is_local_path(form) for form in (target, unquote(target)))


def _is_local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
