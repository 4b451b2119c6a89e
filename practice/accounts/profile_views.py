"""One's own account: the password, and the sessions signed in with it."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user

from practice.access import Audience, allow
from practice.accounts import services, sessions, signin, two_factor
from practice.accounts.forms import ChangePasswordForm
from practice.accounts.views import bp
from practice.unit_of_work import attempt


@bp.route("/account", methods=["GET", "POST"])
@allow(Audience.SIGNED_IN)
def profile():
    """See one's own sign-ins, and change one's password (which ends the other sessions)."""
    form = ChangePasswordForm()
    token = session.get(signin.SESSION_KEY)
    if form.validate_on_submit() and (
        changed := attempt(
            lambda: services.change_password(
                current_user, form.current.data, form.password.data, keep_token=token
            ),
            form=form,
        )
    ):
        ended = changed.value
        others = f" {ended} other sign-in{'' if ended == 1 else 's'} ended." if ended else ""
        flash(f"Your password is changed.{others}", "success")
        return redirect(url_for("accounts.profile"))
    status = 400 if form.errors else 200
    return render_template(
        "accounts/profile.html",
        form=form,
        open_sessions=sessions.open_sessions(current_user),
        current_token=token,
        is_current=sessions.is_current,
        recovery_left=two_factor.recovery_codes_left(current_user),
        two_factor_required=two_factor.required_for(current_user),
    ), status


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@allow(Audience.SIGNED_IN)
def sign_out_everywhere():
    """End every session of this account, on every device, this one included."""
    ended = sessions.end_all_sessions(current_user)
    signin.sign_out()
    flash(f"You are signed out everywhere ({ended} sign-in{'' if ended == 1 else 's'}).", "info")
    return redirect(url_for("accounts.sign_in"))
