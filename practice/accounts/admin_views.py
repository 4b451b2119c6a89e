"""The practice admin's pages: staff accounts, and the audit log (on screen and as CSV)."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from practice.access import Audience, Role, allow
from practice.accounts import invitations, services, trail
from practice.accounts.forms import StaffAccountForm, StaffDetailsForm, TrailForm
from practice.accounts.policy import load_staff_user_or_404
from practice.accounts.views import bp, invitation_mailer, invitation_ttl, show_invitation_once
from practice.audit import services as audit
from practice.pagination import clamp_page
from practice.spreadsheet_cells import neutralised
from practice.unit_of_work import attempt


def _show_to_admin(issued: invitations.IssuedInvitation, back: str):
    """A staff member's link goes to their own e-mail when mail is on, and the admin never
    sees it then; without mail (on one machine) the admin is shown it once to pass on."""
    if issued.mailed:
        flash(f"A sign-in link is on its way to {issued.invitation.user.email}.", "success")
        return redirect(back)
    return show_invitation_once(issued, back=back)


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
                ttl=invitation_ttl(),
                mail_link=invitation_mailer(),
            ),
            form=form,
            field="email",
        )
    ):
        return _show_to_admin(made.value, url_for("accounts.staff_accounts"))
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
    """Make a new sign-in link for a staff member who has not chosen a password yet."""
    user = load_staff_user_or_404(user_id)
    if user.is_disabled:
        abort(404)
    back = url_for("accounts.staff_accounts")
    issued = attempt(
        lambda: invitations.issue_invitation(
            user, created_by=current_user, ttl=invitation_ttl(), mail_link=invitation_mailer()
        ),
        flash_category="warning",
    )
    return _show_to_admin(issued.value, back) if issued else redirect(back)


def _trail_filter(form: TrailForm) -> trail.TrailFilter | None:
    """The filter the form asks for, or None (with messages beside the fields) if it is wrong."""
    if request.args and not form.validate():
        return None
    person = services.find_user_by_email(form.person.data) if form.person.data else None
    if form.person.data and person is None:
        form.person.errors.append("No account has this e-mail address.")
        return None
    return trail.TrailFilter(
        actor_id=person.id if person else None,
        couple_id=form.couple.data,
        action=form.action.data or "",
        start=form.start.data,
        end=form.end.data,
    )


@bp.route("/admin/audit")
@allow(Audience.ADMIN)
def audit_trail():
    """The audit log, newest first, filtered by person, couple, action and dates; read-only."""
    form = TrailForm(request.args)
    wanted = _trail_filter(form)
    # Nothing is shown until the filters make sense.
    page = trail.entries(
        wanted or trail.TrailFilter(actor_id=-1), clamp_page(request.args.get("page"))
    )
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "accounts/audit_trail.html", form=form, page=page, args=args
    ), 200 if wanted else 400


@bp.route("/admin/audit.csv")
@allow(Audience.ADMIN)
def audit_trail_csv():
    """The filtered audit log as a CSV file; the download itself goes into the log."""
    form = TrailForm(request.args)
    wanted = _trail_filter(form)
    if wanted is None:
        return redirect(url_for("accounts.audit_trail", **request.args))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(trail.EXPORT_COLUMNS)
    for row in trail.export_rows(wanted):
        writer.writerow([neutralised(value) for value in row])
    audit.record(current_user, "audit.export", current_user)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
