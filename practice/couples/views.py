from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from practice.access import Audience, Permission, allow
from practice.accounts.views import invitation_mailer, show_invitation_once
from practice.couples import services
from practice.couples.forms import CoupleForm, ReassignForm
from practice.couples.policy import load_couple_or_404, load_partner_or_404
from practice.outbox import services as outbox
from practice.pagination import clamp_page
from practice.unit_of_work import attempt

bp = Blueprint("couples", __name__)


@bp.route("/couples/new", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def new_couple():
    """Open a case for a new couple."""
    form = CoupleForm()
    if form.validate_on_submit():
        couple = services.create_couple(current_user, form.data)
        flash(f"{couple.display_name} added to your caseload.", "success")
        return redirect(url_for("pages.couple", couple_id=couple.id))
    status = 400 if form.errors else 200
    return render_template("couples/couple_form.html", form=form, couple=None), status


@bp.route("/couples/<id:couple_id>/edit", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def edit_couple(couple_id: int):
    """Change a couple's details, goals and status."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_EDIT)
    initial = None if request.method == "POST" else services.form_data_of(couple)
    form = CoupleForm(couple=couple, data=initial)
    if form.validate_on_submit():
        ended_access = services.update_couple(couple, form.data, current_user)
        flash("Changes saved.", "success")
        if ended_access:
            flash("The case is closed, so the partners' portal sign-ins have ended.", "info")
        return redirect(url_for("pages.couple", couple_id=couple.id))
    status = 400 if form.errors else 200
    return render_template("couples/couple_form.html", form=form, couple=couple), status


@bp.route("/couples/<id:couple_id>/partners/<id:partner_id>/invitation", methods=["POST"])
@allow(Audience.COUNSELOR)
def invite_partner(couple_id: int, partner_id: int):
    """Make a single-use sign-in link for one partner and show it to copy."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_INVITE_PARTNER)
    partner = load_partner_or_404(couple, partner_id)
    ttl = timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])
    back = url_for("pages.couple", couple_id=couple.id)
    mailer = invitation_mailer()
    if issued := attempt(lambda: services.invite_partner(partner, current_user, ttl, mailer)):
        return show_invitation_once(issued.value, back=back)
    return redirect(back)


@bp.route("/couples/<id:couple_id>/partners/<id:partner_id>/portal-access/end", methods=["POST"])
@allow(Audience.COUNSELOR)
def end_portal_access(couple_id: int, partner_id: int):
    """End a partner's portal access at once."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_INVITE_PARTNER)
    partner = load_partner_or_404(couple, partner_id)
    if attempt(lambda: services.end_portal_access(partner, current_user), flash_category="warning"):
        flash(f"{partner.name} can no longer sign in to the portal.", "success")
    return redirect(url_for("pages.couple", couple_id=couple.id))


# --- practice admin: moving couples between counselors --------------------------------------


@bp.route("/admin/couples")
@allow(Audience.ADMIN)
def admin_couples():
    """List every couple by name and counselor only, to move them between caseloads."""
    search = request.args.get("q", "").strip()[:120]
    page = services.all_couples(
        search=search,
        page=clamp_page(request.args.get("page")),
        per_page=current_app.config["CASELOAD_PAGE_SIZE"],
    )
    form = ReassignForm(counselors=services.active_counselors())
    return render_template("couples/admin_couples.html", page=page, search=search, form=form)


@bp.route("/admin/couples/<id:couple_id>/counselor", methods=["POST"])
@allow(Audience.ADMIN)
def reassign_couple(couple_id: int):
    """Move a couple to another counselor."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_REASSIGN)
    counselors = {c.id: c for c in services.active_counselors()}
    form = ReassignForm(counselors=list(counselors.values()))
    if not form.validate_on_submit():
        flash("Choose an active counselor.", "danger")
        return redirect(url_for("couples.admin_couples"))
    if attempt(
        lambda: services.reassign_couple(
            couple, counselors[form.counselor_id.data], current_user, link=_couple_link()
        ),
        flash_category="warning",
    ):
        flash(f"{couple.display_name} moved to {couple.counselor.name}.", "success")
    return redirect(url_for("couples.admin_couples"))


def _couple_link() -> services.CoupleLink | None:
    """The couple page's full address for e-mails, or None while mail is off."""
    if not outbox.mail_is_on(current_app.config):
        return None
    # The configured address, not the request's Host header, which a client controls.
    site = current_app.config["PRACTICE_BASE_URL"].rstrip("/")
    return lambda couple_id: site + url_for("pages.couple", couple_id=couple_id)
