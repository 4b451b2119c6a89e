from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    abort,
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
from practice.accounts import services, signin
from practice.accounts.forms import (
    SetPasswordForm,
    SignInForm,
    StaffAccountForm,
    StaffDetailsForm,
)
from practice.accounts.models import User
from practice.accounts.policy import load_staff_user_or_404
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
        else:
            signin.sign_in(user)
            log.info("user %s signed in", user.id)
            return redirect(target if _leads_somewhere_allowed(user, target) else home_for(user))
    return render_template("accounts/sign_in.html", form=form), 200 if not form.errors else 400


def _leads_somewhere_allowed(user: User, target: str | None) -> bool:
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
    state, invitation = services.find_invitation(token)
    if state != services.InvitationState.VALID:
        return render_template("accounts/invitation_invalid.html", state=state), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = services.accept_invitation(invitation, form.password.data)
        signin.sign_in(user)
        flash("Your password is set. Welcome.", "success")
        return redirect(home_for(user))
    status = 400 if form.errors else 200
    return render_template(
        "accounts/accept_invitation.html", form=form, invitee=invitation.user
    ), status


# --- practice admin: staff accounts -------------------------------------------------------


@bp.route("/admin/accounts")
@allow(Audience.ADMIN)
def staff_accounts():
    """List the practice's counselor and admin accounts."""
    return render_template("accounts/staff_accounts.html", users=services.staff_members())


@bp.route("/admin/accounts/new", methods=["GET", "POST"])
@allow(Audience.ADMIN)
def new_staff_account():
    """Create a counselor or admin account and show its invitation link."""
    form = StaffAccountForm()
    if form.validate_on_submit() and (
        made := attempt(
            lambda: services.create_staff_account(
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                actor=current_user,
                ttl=_invitation_ttl(),
                mail_link=invitation_mailer(),
            ),
            form=form,
            field="email",
        )
    ):
        return show_invitation_once(made.value, back=url_for("accounts.staff_accounts"))
    status = 400 if form.errors else 200
    return render_template("accounts/staff_account_form.html", form=form, user=None), status


@bp.route("/admin/accounts/<id:user_id>/edit", methods=["GET", "POST"])
@allow(Audience.ADMIN)
def edit_staff_account(user_id: int):
    """Change a staff member's name or e-mail."""
    user = load_staff_user_or_404(user_id)
    initial = None if request.method == "POST" else {"name": user.name, "email": user.email}
    form = StaffDetailsForm(user_id=user.id, data=initial)
    if form.validate_on_submit() and attempt(
        lambda: services.update_details(
            user, name=form.name.data, email=form.email.data, actor=current_user
        ),
        form=form,
        field="email",
    ):
        flash(f"{user.name}'s details are saved.", "success")
        return redirect(url_for("accounts.staff_accounts"))
    status = 400 if form.errors else 200
    return render_template("accounts/staff_account_form.html", form=form, user=user), status


@bp.route("/admin/accounts/<id:user_id>/disable", methods=["POST"])
@allow(Audience.ADMIN)
def disable_staff_account(user_id: int):
    """Disable an account and end its sessions."""
    user = load_staff_user_or_404(user_id)
    if user.id == current_user.id:
        flash("You cannot disable your own account.", "danger")
        return redirect(url_for("accounts.staff_accounts"))
    services.set_disabled(user, True, actor=current_user)
    flash(f"{user.name} can no longer sign in.", "success")
    return redirect(url_for("accounts.staff_accounts"))


@bp.route("/admin/accounts/<id:user_id>/enable", methods=["POST"])
@allow(Audience.ADMIN)
def enable_staff_account(user_id: int):
    """Let a disabled account sign in again."""
    user = load_staff_user_or_404(user_id)
    services.set_disabled(user, False, actor=current_user)
    flash(f"{user.name} can sign in again.", "success")
    return redirect(url_for("accounts.staff_accounts"))


@bp.route("/admin/accounts/<id:user_id>/invitation", methods=["POST"])
@allow(Audience.ADMIN)
def invite_staff_account(user_id: int):
    """Make a new sign-in link for a staff member (for a first or forgotten password)."""
    user = load_staff_user_or_404(user_id)
    if user.is_disabled:
        abort(404)
    issued = services.issue_invitation(
        user,
        created_by=current_user,
        ttl=_invitation_ttl(),
        mail_link=invitation_mailer(),
    )
    return show_invitation_once(issued, back=url_for("accounts.staff_accounts"))


SHOWN_INVITATION = "shown_invitation"


def invitation_mailer() -> services.LinkMaker | None:
    """How a sign-in link is written in an e-mail, or None when mail is off."""
    if not outbox.mail_is_on(current_app.config):
        return None
    site = current_app.config["PRACTICE_BASE_URL"].rstrip("/")
    return lambda token: site + url_for("accounts.accept_invitation", token=token)


def show_invitation_once(issued: services.IssuedInvitation, *, back: str):
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


def _invitation_ttl() -> timedelta:
    return timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])
