from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from practice import clock
from practice.access import Audience, Permission, Role, allow
from practice.consent import services as consent_services
from practice.couples import services as couples
from practice.couples.models import CoupleStatus
from practice.couples.policy import load_couple_or_404, load_own_partner_or_404
from practice.feedback import services as feedback_services
from practice.intake import services as intake_services
from practice.pages import services
from practice.pagination import clamp_page
from practice.plans import services as plan_services

bp = Blueprint("pages", __name__)
portal = Blueprint("portal", __name__, url_prefix="/portal")


@bp.route("/")
@allow(Audience.SIGNED_IN)
def home():
    """Send each person to their own starting page."""
    if current_user.role is Role.CLIENT:
        return redirect(url_for("portal.home"))
    if current_user.role is Role.ADMIN:
        return redirect(url_for("couples.admin_couples"))
    return redirect(url_for("pages.caseload"))


@bp.route("/couples")
@allow(Audience.COUNSELOR)
def caseload():
    """List the counselor's own couples, searchable, filterable, sorted and paged."""
    search = request.args.get("q", "").strip()[:120]
    status = request.args.get("status") or None
    sort = request.args.get("sort", "name")
    page = couples.caseload_of(
        current_user,
        search=search,
        status=status,
        sort=sort,
        page=clamp_page(request.args.get("page")),
        per_page=current_app.config["CASELOAD_PAGE_SIZE"],
    )
    today = clock.today()
    extras = services.caseload_extras(current_user, page.items, today)
    return render_template(
        "pages/caseload.html",
        upcoming=extras.upcoming,
        flagged=extras.flagged,
        consent_signed=extras.consent_signed,
        revisits=extras.revisits,
        plan_reviews=extras.plan_reviews,
        open_referrals=extras.open_referrals,
        today=today,
        page=page,
        search=search,
        status=status,
        sort=sort,
        sorts=couples.SORTS,
        statuses=list(CoupleStatus),
    )


@bp.route("/couples/<id:couple_id>")
@allow(Audience.COUNSELOR)
def couple(couple_id: int):
    """Show one couple's case."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_VIEW)
    return render_template(
        "pages/couple.html",
        couple=couple,
        today=clock.today(),
        overview=services.couple_overview(
            couple, clock.today(), clamp_page(request.args.get("page"))
        ),
    )


@portal.route("/", endpoint="home")
@allow(Audience.CLIENT)
def portal_home():
    """Show a partner their own couple and what is waiting for them."""
    partner = load_own_partner_or_404()
    other = next(p for p in partner.couple.partners if p.id != partner.id)
    return render_template(
        "pages/portal_home.html",
        partner=partner,
        other=other,
        couple=partner.couple,
        overview=services.portal_overview(partner, clock.today()),
        intake_sent=intake_services.intake_of(partner) is not None,
        plan_to_acknowledge=plan_services.needs_acknowledgement(partner),
        to_rate=feedback_services.to_rate(partner, clock.today()),
        consent_signed=consent_services.signature_of(partner, consent_services.current_or_default())
        is not None,
    )
