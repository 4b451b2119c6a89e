"""The whole record for a records request, and purging closed cases past their retention."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from practice import clock
from practice.access import Audience, Permission, allow
from practice.audit import services as audit
from practice.couples.policy import load_couple_or_404, load_partner_or_404
from practice.pagination import clamp_page, query_id
from practice.records import export, retention
from practice.records.forms import PurgeForm
from practice.unit_of_work import attempt

bp = Blueprint("records", __name__)


@bp.route("/couples/<id:couple_id>/record.json")
@allow(Audience.COUNSELOR)
def couple_record(couple_id: int):
    """Download the couple's whole record, or the part one partner may have (?partner=ID)."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_EXPORT)
    partner = None
    if "partner" in request.args:
        partner = load_partner_or_404(couple, query_id(request.args.get("partner")) or 0)
    record = export.couple_record(couple, for_partner=partner)
    audit.record(current_user, "couple.export", partner or couple, couple_id=couple.id)
    name = f"record-{couple.id}" + (f"-partner-{partner.id}" if partner else "") + ".json"
    return Response(
        json.dumps(record, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/admin/retention")
@allow(Audience.ADMIN)
def retention_list():
    """Closed cases whose retention period has passed."""
    years = current_app.config["RETENTION_YEARS"]
    page = retention.due_for_purge(clock.today(), years, clamp_page(request.args.get("page")))
    return render_template("records/retention.html", page=page, years=years)


@bp.route("/admin/retention/<id:couple_id>/purge", methods=["GET", "POST"])
@allow(Audience.ADMIN)
def purge(couple_id: int):
    """Ask for confirmation, then purge the case."""
    couple = load_couple_or_404(couple_id, Permission.COUPLE_PURGE)
    years = current_app.config["RETENTION_YEARS"]
    until = retention.keep_until(couple, years)
    if until is None or until > clock.today():
        return render_template("records/purge_not_yet.html", couple=couple, until=until)
    form = PurgeForm(record_number=couple.id)
    name = couple.display_name
    if form.validate_on_submit() and attempt(
        lambda: retention.purge(couple, current_user, clock.today(), years),
        form=form,
        field="confirm",
    ):
        flash(f"Record {couple_id} ({name}) has been purged.", "success")
        return redirect(url_for("records.retention_list"))
    return render_template("records/purge.html", couple=couple, until=until, form=form)
