from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename
from wtforms import SelectChoice

from practice.access import Audience, Permission, allow
from practice.couples.policy import load_couple_or_404
from practice.directory import editing, geography, transfer
from practice.directory import search as finder
from practice.directory.forms import ImportForm, SearchForm, ServiceForm
from practice.directory.package import PackageRejected
from practice.directory.policy import load_service_form_data_or_404, load_service_or_404
from practice.pagination import Page, clamp_page, query_id
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
        SelectChoice(term_id, name) for term_id, name in finder.categories()
    ]
    form.language.choices = [SelectChoice("", "Any language")] + [
        SelectChoice(name, name) for name in finder.languages()
    ]
    near = [SelectChoice("", "Anywhere"), SelectChoice("zip", "A ZIP code")]
    if couple is not None and couple.zip_code:
        near.append(SelectChoice("couple", f"The couple's ZIP code ({couple.zip_code})"))
    near.append(SelectChoice("place", "A place in the directory"))
    form.near.choices = near
    return form


def _origin(form: SearchForm, couple) -> tuple[float, float] | None:
    if form.zip_code.data and form.near.data in ("", "zip"):  # a ZIP typed in is meant to be used
        form.near.data = "zip"
        origin = geography.zip_centroid(form.zip_code.data)
        if origin is None:
            form.zip_code.errors.append("This ZIP code is not known.")
        return origin
    if form.near.data == "couple" and couple is not None and couple.zip_code:
        return geography.zip_centroid(couple.zip_code)
    if form.near.data == "place" and form.place.data:
        place = finder.place_matching(form.place.data)
        if place is None:
            form.place.errors.append("No place in the directory matches these words.")
            return None
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
        radius = float(form.radius.data) * (
            geography.KM_PER_MILE if form.unit.data == "mi" else 1.0
        )
    page = Page(items=[], number=1, per_page=PAGE_SIZE, total=0)
    if valid and not form.errors:
        page = finder.search_page(
            finder.SearchQuery(
                text=form.q.data or "",
                category=form.category.data or None,
                language=form.language.data or None,
                mode=form.mode.data or None,
                fees=form.fees.data or None,
                origin=origin,
                radius_km=radius,
            ),
            clamp_page(request.args.get("page")),
            PAGE_SIZE,
        )
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "directory/search.html",
        form=form,
        page=page,
        couple=couple,
        args=args,
        miles=form.unit.data == "mi",
        km_per_mile=geography.KM_PER_MILE,
    ), 400 if form.errors else 200


@bp.route("/directory/services/<hsds_id>")
@allow(Audience.STAFF)
def service(hsds_id: str):
    """One service with its places, phones, hours, languages and fees."""
    found = load_service_or_404(hsds_id)
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
                result = transfer.import_package(path, actor=current_user)
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
        services=finder.all_services(clamp_page(request.args.get("page"))),
    ), status


@bp.route("/admin/directory/services/new", methods=["GET", "POST"])
@bp.route("/admin/directory/services/<hsds_id>/edit", methods=["GET", "POST"])
@allow(Audience.ADMIN)
def edit_service(hsds_id: str | None = None):
    """Add a service by hand, or edit one."""
    initial = load_service_form_data_or_404(hsds_id) if hsds_id is not None else None
    form = ServiceForm(data=initial if request.method == "GET" else None)
    form.category.choices = [SelectChoice("", "—")] + [
        SelectChoice(term_id, name) for term_id, name in finder.categories()
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
