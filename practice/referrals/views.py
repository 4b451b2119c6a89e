from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from practice.access import Audience, Permission, allow
from practice.couples.policy import load_couple_or_404, load_own_partner_or_404, load_partner_or_404
from practice.directory.policy import load_active_service_or_404
from practice.directory.search import service_by_hsds_id, services_by_id
from practice.directory.taxonomy import DOMESTIC_VIOLENCE_TERM
from practice.quick_exit import QUICK_EXIT_URL
from practice.referrals import services
from practice.referrals.forms import ReferralForm, StatusForm
from practice.referrals.models import ReferralStatus
from practice.referrals.policy import load_own_referral_or_404, load_referral_or_404
from practice.unit_of_work import attempt

bp = Blueprint("referrals", __name__)


@bp.route("/couples/<id:couple_id>/referrals/new", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def new_referral(couple_id: int):
    """Refer the couple, or one partner, to a service."""
    couple = load_couple_or_404(couple_id, Permission.REFERRAL_MANAGE)
    found = load_active_service_or_404(request.args.get("service") or "")
    form = ReferralForm()
    form.partner_id.choices = [SelectChoice("", "The couple")] + [
        SelectChoice(str(p.id), f"{p.name} only") for p in couple.partners
    ]
    if form.validate_on_submit():
        partner = (
            load_partner_or_404(couple, form.partner_id.data) if form.partner_id.data else None
        )
        if attempt(
            lambda: services.refer(
                couple,
                found,
                partner=partner,
                reason=form.reason.data,
                shared=form.shared.data,
                actor=current_user,
            ),
            form=form,
            field="reason",
        ):
            flash(f"Referred to {found.name}.", "success")
            return redirect(url_for("pages.couple", couple_id=couple.id) + "#referrals")
    return render_template(
        "referrals/referral_form.html", form=form, couple=couple, service=found
    ), 400 if form.errors else 200


@bp.route("/referrals/<id:referral_id>", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def referral(referral_id: int):
    """A referral's history, and moving it on."""
    referral = load_referral_or_404(referral_id, Permission.REFERRAL_MANAGE)
    form = StatusForm()
    form.status.choices = [
        SelectChoice(status.value, status.label) for status in services.NEXT[referral.status]
    ]
    if request.method == "POST" and not form.status.choices:
        form.status.errors = ["This referral is closed; its status no longer changes."]
    elif form.validate_on_submit() and attempt(
        lambda: services.change_status(
            referral, ReferralStatus(form.status.data), form.note.data or "", current_user
        ),
        form=form,
        field="status",
    ):
        flash(f"Referral marked {referral.status.value}.", "success")
        return redirect(url_for("referrals.referral", referral_id=referral.id))
    return render_template(
        "referrals/referral.html",
        referral=referral,
        form=form,
        service=service_by_hsds_id(referral.service_hsds_id),
    ), 400 if form.errors else 200


@bp.route("/portal/referrals")
@allow(Audience.CLIENT)
def portal_referrals():
    """Services your counselor suggested, with how to reach them."""
    partner = load_own_partner_or_404()
    found = services.referrals_for_partner(partner)
    listed = services_by_id([r.service_hsds_id for r in found])
    return render_template(
        "referrals/portal_referrals.html",
        referrals=found,
        services=listed,
        partner=partner,
        # A page listing domestic-violence support gets the same quick exit as safety pages.
        quick_exit=QUICK_EXIT_URL
        if any(c.term_id == DOMESTIC_VIOLENCE_TERM for s in listed.values() for c in s.categories)
        else None,
    )


@bp.route("/portal/referrals/<id:referral_id>/contacted", methods=["POST"])
@allow(Audience.CLIENT)
def mark_contacted(referral_id: int):
    """Tell the counselor you have contacted the service."""
    partner = load_own_partner_or_404()
    referral = load_own_referral_or_404(partner, referral_id)
    if referral.status is not ReferralStatus.SUGGESTED:
        flash("Your counselor already knows you made contact. Thank you.", "info")
    elif attempt(
        lambda: services.change_status(referral, ReferralStatus.CONTACTED, "", current_user),
        flash_category="info",
    ):
        flash("Thank you. Your counselor can see that you made contact.", "success")
    return redirect(url_for("referrals.portal_referrals"))
