from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from practice import clock
from practice.access import Audience, allow
from practice.couples.services import partner_of
from practice.exercises import services as exercises

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.route("/")
@allow(Audience.CLIENT)
def home():
    """Show a partner their own couple and what is waiting for them."""
    partner = partner_of(current_user)
    if partner is None:
        abort(404)
    other = next(p for p in partner.couple.partners if p.id != partner.id)
    return render_template(
        "portal/home.html",
        partner=partner,
        other=other,
        couple=partner.couple,
        overview=exercises.portal_overview(partner, clock.today()),
    )
