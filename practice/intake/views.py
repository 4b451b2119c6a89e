from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from practice.access import Audience, Permission, allow
from practice.couples.policy import load_couple_or_404, load_own_partner_or_404
from practice.intake import services
from practice.intake.forms import IntakeForm
from practice.intake.models import Reason

bp = Blueprint("intake", __name__)


@bp.route("/portal/intake", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def portal_intake():
    """Let a partner write their own intake, alone; afterwards show them what they sent."""
    partner = load_own_partner_or_404()
    sent = services.intake_of(partner)
    if sent is not None:
        return render_template("intake/portal_intake_sent.html", intake=sent, partner=partner)
    form = IntakeForm()
    if form.validate_on_submit():
        services.record_intake(partner, form.data, current_user)
        flash(
            "Thank you: your intake is with your counselor. One more step, also private: "
            "a short safety check.",
            "success",
        )
        return redirect(url_for("measures.safety_check"))
    return render_template(
        "intake/portal_intake.html", form=form, partner=partner, couple=partner.couple
    ), 400 if form.errors else 200


@bp.route("/couples/<id:couple_id>/intake")
@allow(Audience.COUNSELOR)
def couple_intake(couple_id: int):
    """Both partners' intakes side by side, with a word when their reasons differ."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_VIEW)
    if not couple.partners:
        abort(404)
    intakes = services.intakes_of(couple)
    return render_template(
        "intake/couple_intake.html",
        couple=couple,
        intakes=intakes,
        differ=services.reasons_differ(intakes),
        decide=Reason.DECIDE,
    )
