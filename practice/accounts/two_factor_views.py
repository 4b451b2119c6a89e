"""The second step of signing in, and setting up two-factor sign-in."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from practice.access import Audience, allow
from practice.accounts import signin, two_factor
from practice.accounts.forms import CodeForm
from practice.accounts.models import User
from practice.accounts.views import bp, home_for, leads_somewhere_allowed
from practice.unit_of_work import attempt

# The key being set up waits in the (signed) session until a first code confirms it; the page
# shows it anyway.
SETUP_KEY = "two_factor_setup_key"
NEW_CODES = "two_factor_new_codes"


def _finish_sign_in(user: User, target: str | None):
    signin.sign_in(user)
    return redirect(target if leads_somewhere_allowed(user, target) else home_for(user))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@allow(Audience.PUBLIC)
def second_factor():
    """The code from the authenticator app (or a recovery code), after the password."""
    user = signin.pending_user()
    if user is None:
        flash("Please sign in again.", "info")
        return redirect(url_for("accounts.sign_in"))
    if not two_factor.is_on(user):
        return redirect(url_for("accounts.set_up_second_factor"))
    form = CodeForm()
    target = signin.pending()["next"]
    if form.validate_on_submit() and attempt(
        lambda: two_factor.check(user, form.code.data), form=form, field="code"
    ):
        return _finish_sign_in(user, target)
    status = 400 if form.errors else 200
    return render_template("accounts/two_factor_code.html", form=form), status


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@allow(Audience.PUBLIC)
def set_up_second_factor():
    """Set up two-factor sign-in before the first sign-in that requires it."""
    user = signin.pending_user()
    if user is None:
        flash("Please sign in again.", "info")
        return redirect(url_for("accounts.sign_in"))
    if two_factor.is_on(user):
        return redirect(url_for("accounts.second_factor"))
    target = signin.pending()["next"]
    setup = _setup(user)
    if setup["codes"] is not None:
        signin.sign_in(user)
        session[NEW_CODES] = setup["codes"]
        return redirect(url_for("accounts.recovery_codes", then=target or ""))
    return setup["page"]


@bp.route("/account/two-factor", methods=["GET", "POST"])
@allow(Audience.SIGNED_IN)
def account_second_factor():
    """Turn two-factor sign-in on from one's own account page."""
    if two_factor.is_on(current_user):
        return redirect(url_for("accounts.profile"))
    setup = _setup(current_user)
    if setup["codes"] is not None:
        session[NEW_CODES] = setup["codes"]
        return redirect(url_for("accounts.recovery_codes"))
    return setup["page"]


def _setup(user: User) -> dict:
    """The set-up page (the key as a QR code and as text), or the new recovery codes once a
    first code from the app has confirmed it."""
    secret = session.get(SETUP_KEY) or two_factor.new_secret()
    session[SETUP_KEY] = secret  # the same key until it is confirmed
    form = CodeForm()
    if form.validate_on_submit() and (
        enabled := attempt(
            lambda: two_factor.enable(user, secret, form.code.data), form=form, field="code"
        )
    ):
        session.pop(SETUP_KEY, None)
        return {"codes": enabled.value, "page": None}
    uri = two_factor.provisioning_uri(user, secret)
    page = (
        render_template(
            "accounts/two_factor_setup.html",
            form=form,
            qr=two_factor.qr_data_uri(uri),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            required=two_factor.required_for(user),
        ),
        400 if form.errors else 200,
    )
    return {"codes": None, "page": page}


@bp.route("/account/recovery-codes")
@allow(Audience.SIGNED_IN)
def recovery_codes():
    """The recovery codes just made, shown once."""
    codes = session.pop(NEW_CODES, None)
    then = request.args.get("then")
    allowed = leads_somewhere_allowed(current_user, then)
    return render_template(
        "accounts/recovery_codes.html",
        codes=codes,
        continue_to=then if allowed else home_for(current_user),
    )


@bp.route("/account/two-factor/off", methods=["POST"])
@allow(Audience.SIGNED_IN)
def turn_off_second_factor():
    """Turn two-factor sign-in off (not for staff where it is required); every session ends."""
    if attempt(lambda: two_factor.disable(current_user, current_user)):
        signin.sign_out()
        flash("Two-factor sign-in is off. Please sign in again.", "info")
        return redirect(url_for("accounts.sign_in"))
    return redirect(url_for("accounts.profile"))
