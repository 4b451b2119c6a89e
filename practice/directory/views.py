from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.utils import secure_filename
from wtforms import SelectChoice

from practice import db
from practice.access import Audience, Permission, allow
from practice.accounts.models import Role
from practice.couples.policy import load_couple_or_404, load_partner_or_404
from practice.couples.services import partner_of
from practice.directory import editing, referrals, services
from practice.directory.forms import (
    ImportForm,
    ReferralForm,
    SearchForm,
    ServiceForm,
    StatusForm,
)
from practice.directory.models import DirectoryLocation, Referral, ReferralStatus
from practice.directory.package import PackageRejected
from practice.pagination import Page, clamp_page, query_id
from practice.quick_exit import QUICK_EXIT_URL
from practice.unit_of_work import attempt

bp = Blueprint("directory", __name__)
PAGE_SIZE = 20


@bp.app_template_filter("dial")
def dial(phone: str) -> str:
    """A phone number as a tel: link wants it: the number only, extension left off."""
    number = re.split(r"(?i)\s*(?:ext\.?|x)\s*\d", phone)[0]
    return "".join(char for char in number if char.isdigit() or char == "+")


def _search_form(couple) -> SearchForm:
    form = SearchForm(request.args)
    form.category.choices = [SelectChoice("", "Any kind of help")] + [
        SelectChoice(term_id, name) for term_id, name in services.categories()
    ]
    form.language.choices = [SelectChoice("", "Any language")] + [
        SelectChoice(name, name) for name in services.languages()
    ]
    near = [SelectChoice("", "Anywhere"), SelectChoice("zip", "A ZIP code")]
    if couple is not None and couple.zip_code:
        near.append(SelectChoice("couple", f"The couple's ZIP code ({couple.zip_code})"))
    near.append(SelectChoice("place", "An address in the directory"))
    form.near.choices = near
    form.place.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(place.id), place.name or place.address) for place in services.places()
    ]
    return form


def _origin(form: SearchForm, couple) -> tuple[float, float] | None:
    if form.zip_code.data and form.near.data in ("", "zip"):  # a ZIP typed in is meant to be used
        form.near.data = "zip"
        origin = services.zip_centroid(form.zip_code.data)
        if origin is None:
            form.zip_code.errors.append("This ZIP code is not known.")
        return origin
    if form.near.data == "couple" and couple is not None and couple.zip_code:
        return services.zip_centroid(couple.zip_code)
    if form.near.data == "place" and form.place.data:
        place = db.session.get(DirectoryLocation, form.place.data)
        if place is not None and place.latitude is not None:
            return place.latitude, place.longitude
    return None


@bp.route("/directory")
@allow(Audience.STAFF)
def search():
    """Find services by words, kind of help, language, cost, and distance."""
    couple_id = query_id(request.args.get("couple"))
    couple = load_couple_or_404(couple_id, Permission.REFERRAL_MANAGE) if couple_id else None
    form = _search_form(couple)
    valid = form.validate()
    origin = _origin(form, couple) if valid else None
    if valid and origin is None and form.radius.data and not form.errors:
        form.radius.errors.append("Say where to measure from: a ZIP code, or choose “Near”.")
    radius = None
    if origin is not None and form.radius.data:
        radius = float(form.radius.data) * (services.KM_PER_MILE if form.unit.data == "mi" else 1.0)
    results = []
    if valid and not form.errors:
        results = services.search(
            services.SearchQuery(
                text=form.q.data or "",
                category=form.category.data or None,
                language=form.language.data or None,
                mode=form.mode.data or None,
                fees=form.fees.data or None,
                origin=origin,
                radius_km=radius,
            )
        )
    number = min(clamp_page(request.args.get("page")), max(1, -(-len(results) // PAGE_SIZE)))
    page = Page(
        items=results[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
        number=number,
        per_page=PAGE_SIZE,
        total=len(results),
    )
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "directory/search.html",
        form=form,
        page=page,
        couple=couple,
        args=args,
        miles=form.unit.data == "mi",
        km_per_mile=services.KM_PER_MILE,
    ), 400 if form.errors else 200


@bp.route("/directory/services/<hsds_id>")
@allow(Audience.STAFF)
def service(hsds_id: str):
    """One service with its places, phones, hours, languages and fees."""
    found = services.service_by_hsds_id(hsds_id) if len(hsds_id) <= 36 else None
    # Admins keep the way back to a service they made inactive; nobody else sees it.
    if found is None or (found.status != "active" and current_user.role is not Role.ADMIN):
        abort(404)
    couple_id = query_id(request.args.get("couple"))
    couple = load_couple_or_404(couple_id, Permission.REFERRAL_MANAGE) if couple_id else None
    return render_template("directory/service.html", service=found, couple=couple)


@bp.route("/admin/directory", methods=["GET", "POST"])
@allow(Audience.ADMIN)
def import_upload():
    """Import an HSDS package by upload: whole, or not at all with every problem named."""
    form = ImportForm()
    result = problems = None
    if form.validate_on_submit():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "package.zip"
            form.package.data.save(path)
            try:
                result = services.import_package(path, actor=current_user)
            except PackageRejected as error:
                # Nothing was written; the request's transaction is rolled back (400).
                # Name the file the admin chose, not the temporary copy.
                chosen = secure_filename(form.package.data.filename or "") or "the upload"
                problems = [
                    replace(p, file=chosen) if p.file == path.name else p for p in error.problems
                ]
    status = 400 if form.errors or problems else 200
    return render_template(
        "directory/import.html",
        form=form,
        result=result,
        problems=problems,
        services=services.all_services(clamp_page(request.args.get("page"))),
    ), status


@bp.route("/admin/directory/services/new", methods=["GET", "POST"])
@bp.route("/admin/directory/services/<hsds_id>/edit", methods=["GET", "POST"])
@allow(Audience.ADMIN)
def edit_service(hsds_id: str | None = None):
    """Add a service by hand, or edit one."""
    initial = None
    if hsds_id is not None:
        initial = editing.form_data(hsds_id[:36])
        if initial is None:
            abort(404)
    form = ServiceForm(data=initial if request.method == "GET" else None)
    form.category.choices = [SelectChoice("", "—")] + [
        SelectChoice(term_id, name) for term_id, name in services.categories()
    ]
    if form.validate_on_submit() and (
        saved := attempt(
            lambda: editing.save_service(form.data, current_user, hsds_id),
            form=form,
            field="zip_code",
        )
    ):
        flash("Service saved.", "success")
        return redirect(url_for("directory.service", hsds_id=saved.value))
    return render_template(
        "directory/service_form.html", form=form, hsds_id=hsds_id
    ), 400 if form.errors else 200


# --- referrals ----------------------------------------------------------------------------------


@bp.route("/couples/<id:couple_id>/referrals/new", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def new_referral(couple_id: int):
    """Refer the couple, or one partner, to a service."""
    couple = load_couple_or_404(couple_id, Permission.REFERRAL_MANAGE)
    found = services.service_by_hsds_id((request.args.get("service") or "")[:36])
    if found is None or found.status != "active":
        abort(404)
    form = ReferralForm()
    form.partner_id.choices = [SelectChoice("", "The couple")] + [
        SelectChoice(str(p.id), f"{p.name} only") for p in couple.partners
    ]
    if form.validate_on_submit():
        partner = (
            load_partner_or_404(couple, form.partner_id.data) if form.partner_id.data else None
        )
        if attempt(
            lambda: referrals.refer(
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
            return redirect(url_for("couples.couple", couple_id=couple.id) + "#referrals")
    return render_template(
        "directory/referral_form.html", form=form, couple=couple, service=found
    ), 400 if form.errors else 200


def _load_referral_or_404(referral_id: int) -> Referral:
    referral = db.session.scalar(select(Referral).where(Referral.id == referral_id))
    if referral is None:
        abort(404)
    load_couple_or_404(referral.couple_id, Permission.REFERRAL_MANAGE)
    return referral


@bp.route("/referrals/<id:referral_id>", methods=["GET", "POST"])
@allow(Audience.COUNSELOR)
def referral(referral_id: int):
    """A referral's history, and moving it on."""
    referral = _load_referral_or_404(referral_id)
    form = StatusForm()
    form.status.choices = [
        SelectChoice(status.value, status.label) for status in referrals.NEXT[referral.status]
    ]
    if request.method == "POST" and not form.status.choices:
        form.status.errors = ["This referral is closed; its status no longer changes."]
    elif form.validate_on_submit() and attempt(
        lambda: referrals.change_status(
            referral, ReferralStatus(form.status.data), form.note.data or "", current_user
        ),
        form=form,
        field="status",
    ):
        flash(f"Referral marked {referral.status.value}.", "success")
        return redirect(url_for("directory.referral", referral_id=referral.id))
    return render_template(
        "directory/referral.html",
        referral=referral,
        form=form,
        service=services.service_by_hsds_id(referral.service_hsds_id),
    ), 400 if form.errors else 200


@bp.route("/portal/referrals")
@allow(Audience.CLIENT)
def portal_referrals():
    """Services your counselor suggested, with how to reach them."""
    partner = partner_of(current_user)
    if partner is None:
        abort(404)
    found = referrals.referrals_for_partner(partner)
    listed = referrals.services_by_id([r.service_hsds_id for r in found])
    return render_template(
        "directory/portal_referrals.html",
        referrals=found,
        services=listed,
        partner=partner,
        # A page listing domestic-violence support gets the same quick exit as safety pages.
        quick_exit=QUICK_EXIT_URL
        if any(
            c.term_id == services.DOMESTIC_VIOLENCE_TERM
            for s in listed.values()
            for c in s.categories
        )
        else None,
    )


@bp.route("/portal/referrals/<id:referral_id>/contacted", methods=["POST"])
@allow(Audience.CLIENT)
def mark_contacted(referral_id: int):
    """Tell the counselor you have contacted the service."""
    partner = partner_of(current_user)
    if partner is None:
        abort(404)
    referral = db.session.scalar(
        referrals.visible_to_partner(partner).where(Referral.id == referral_id)
    )
    if referral is None:
        abort(404)
    if referral.status is not ReferralStatus.SUGGESTED:
        flash("Your counselor already knows you made contact. Thank you.", "info")
        return redirect(url_for("directory.portal_referrals"))
    if attempt(
        lambda: referrals.change_status(referral, ReferralStatus.CONTACTED, "", current_user),
        flash_category="info",
    ):
        flash("Thank you. Your counselor can see that you made contact.", "success")
    return redirect(url_for("directory.portal_referrals"))
