from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from practice.access import Audience, Role, allow
from practice.accounts import invitations, services, signin, two_factor
from practice.accounts.forms import (
    ForgotPasswordForm,
    SetPasswordForm,
    SignInForm,
)
from practice.accounts.models import User
from practice.outbox import services as outbox
from practice.unit_of_work import attempt

log = logging.getLogger(__name__)
bp = Blueprint("accounts", __name__)


def home_for(user: User) -> str:
    return url_for("portal.home") if user.role is Role.CLIENT else url_for("pages.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@allow(Audience.PUBLIC)
def sign_in():
    """Sign a person in and send them where they were going, if it is on this site."""
    target = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            # One message whether or not the account exists.
            form.password.errors.append("That e-mail and password do not match an account.")
        elif two_factor.is_on(user) or two_factor.required_for(user):
            # Not signed in yet: only the second step is open to this browser.
            signin.begin_second_step(user, target)
            return redirect(url_for("accounts.second_factor"))
        else:
            signin.sign_in(user)
            log.info("user %s signed in", user.id)
            return redirect(target if leads_somewhere_allowed(user, target) else home_for(user))
    return render_template("accounts/sign_in.html", form=form), 200 if not form.errors else 400


def leads_somewhere_allowed(user: User, target: str | None) -> bool:
    # A partner who signs in from a staff page's link goes to the portal instead of a 403.
    if not signin.is_safe_next(target):
        return False
    return user.role is not Role.CLIENT or target.startswith("/portal")


@bp.route("/session/keep-alive")
@allow(Audience.SIGNED_IN)
def keep_alive():
    """Note that a signed-in person is still at work (typing), so idle sign-out waits."""
    return "", 204


@bp.route("/sign-out", methods=["POST"])
@allow(Audience.SIGNED_IN)
def sign_out():
    """End this session."""
    signin.sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@allow(Audience.PUBLIC)
def accept_invitation(token: str):
    """Let an invited person choose a password, then sign them in."""
    state, invitation = invitations.find_invitation(token, invitations.Purpose.INVITATION)
    if state != invitations.InvitationState.VALID:
        return render_template("accounts/invitation_invalid.html", state=state), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = invitations.accept_invitation(invitation, form.password.data)
        signin.sign_in(user)
        flash("Your password is set. Welcome.", "success")
        return redirect(home_for(user))
    status = 400 if form.errors else 200
    return render_template(
        "accounts/accept_invitation.html", form=form, invitee=invitation.user
    ), status


SHOWN_INVITATION = "shown_invitation"


def invitation_mailer() -> invitations.LinkMaker | None:
    """How a sign-in link is written in an e-mail, or None when mail is off."""
    if not outbox.mail_is_on(current_app.config):
        return None
    site = current_app.config["PRACTICE_BASE_URL"].rstrip("/")
    return lambda token: site + url_for("accounts.accept_invitation", token=token)


def show_invitation_once(issued: invitations.IssuedInvitation, *, back: str):
    """Redirect to a page that shows a new sign-in link once, so a reload makes no new link."""
    session[SHOWN_INVITATION] = {
        "user_id": issued.invitation.user_id,
        "link": url_for("accounts.accept_invitation", token=issued.token, _external=True),
        "expires_at": issued.invitation.expires_at.isoformat(),
        "back": back,
        "mailed": issued.mailed,
    }
    return redirect(url_for("accounts.invitation_link"))


@bp.route("/invitation-link")
@allow(Audience.STAFF)
def invitation_link():
    """Show a sign-in link just made, once."""
    shown = session.pop(SHOWN_INVITATION, None)
    invitee = services.user_by_id(shown["user_id"]) if shown else None
    if invitee is None:
        return render_template("accounts/invitation_gone.html")
    return render_template(
        "accounts/invitation_created.html",
        invitee=invitee,
        link=shown["link"],
        expires_at=datetime.fromisoformat(shown["expires_at"]),
        back=shown["back"],
        mailed=shown.get("mailed", False),
    )


def invitation_ttl() -> timedelta:
    return timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])


# --- a forgotten password -----------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@allow(Audience.PUBLIC)
def forgot_password():
    """E-mail a link to choose a new password; the same answer whether or not the address
    has an account."""
    form = ForgotPasswordForm()
    mail_on = outbox.mail_is_on(current_app.config)
    if form.validate_on_submit() and mail_on:
        site = current_app.config["PRACTICE_BASE_URL"].rstrip("/")
        invitations.request_reset(
            services.find_user_by_email(form.email.data),
            lambda token: site + url_for("accounts.reset_password", token=token),
        )
        flash(
            "If an account uses that address, a link to choose a new password is on its way. "
            "It works for one hour.",
            "info",
        )
        return redirect(url_for("accounts.sign_in"))
    status = 400 if form.errors else 200
    return render_template("accounts/forgot_password.html", form=form, mail_on=mail_on), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@allow(Audience.PUBLIC)
def reset_password(token: str):
    """Choose a new password from a reset link; every other session of the person ends."""
    state, reset = invitations.find_invitation(token, invitations.Purpose.RESET)
    if state != invitations.InvitationState.VALID:
        return render_template("accounts/invitation_invalid.html", state=state), 410
    form = SetPasswordForm()
    if form.validate_on_submit() and (
        done := attempt(
            lambda: invitations.accept_invitation(reset, form.password.data),
            form=form,
            field="password",
        )
    ):
        signin.sign_in(done.value)
        flash("Your new password is set.", "success")
        return redirect(home_for(done.value))
    status = 400 if form.errors else 200
    return render_template("accounts/reset_password.html", form=form, person=reset.user), status
