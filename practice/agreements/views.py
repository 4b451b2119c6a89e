from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from practice.access import Audience, Permission, allow
from practice.agreements import services
from practice.agreements.policy import load_agreement_or_404, load_own_agreement_or_404
from practice.couples.policy import load_own_partner_or_404
from practice.exercises.forms import FIELD_PREFIX, answer_form_class, answers_of, form_data_from
from practice.unit_of_work import attempt

bp = Blueprint("agreements", __name__)


@bp.route("/agreements/<id:agreement_id>")
@allow(Audience.COUNSELOR)
def staff_agreement(agreement_id: int):
    """An agreement of one of the counselor's couples, with every version."""
    agreement = load_agreement_or_404(agreement_id, Permission.ASSIGNMENT_MANAGE)
    return render_template("agreements/agreement_staff.html", agreement=agreement)


@bp.route("/portal/agreements/<id:agreement_id>")
@allow(Audience.CLIENT)
def agreement(agreement_id: int):
    """An agreement with its versions and signatures."""
    partner = load_own_partner_or_404()
    agreement = load_own_agreement_or_404(partner, agreement_id)
    return render_template("agreements/agreement.html", agreement=agreement, partner=partner)


@bp.route("/portal/agreements/<id:agreement_id>/accept", methods=["POST"])
@allow(Audience.CLIENT)
def accept_agreement(agreement_id: int):
    """Co-sign the proposal your partner made."""
    partner = load_own_partner_or_404()
    agreement = load_own_agreement_or_404(partner, agreement_id)
    if attempt(
        lambda: services.accept_agreement(agreement, partner, current_user),
        flash_category="warning",
    ):
        flash("Agreed. It is now in force for both of you.", "success")
    return redirect(url_for("agreements.agreement", agreement_id=agreement.id))


@bp.route("/portal/agreements/<id:agreement_id>/amend", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def amend_agreement(agreement_id: int):
    """Suggest changes to an agreement; your partner then accepts or amends in turn."""
    partner = load_own_partner_or_404()
    agreement = load_own_agreement_or_404(partner, agreement_id)
    try:
        services.check_may_amend(agreement, partner)
    except services.AgreementError as error:
        flash(str(error), "info")
        return redirect(url_for("agreements.agreement", agreement_id=agreement.id))
    fields = agreement.version.fields
    form_class = answer_form_class(fields, require=True, privacy_choice=False)
    initial = form_data_from(agreement.latest.content, fields) if request.method == "GET" else None
    form = form_class(data=initial)
    if form.validate_on_submit():
        sent = attempt(
            lambda: services.amend_agreement(
                agreement, partner, answers_of(form, fields), current_user
            ),
            form=form,
            field_prefix=FIELD_PREFIX,
            flash_category="warning",
        )
        if sent:
            flash("Your changes were sent to your partner.", "success")
        if sent or not form.errors:
            return redirect(url_for("agreements.agreement", agreement_id=agreement.id))
    status = 400 if form.errors else 200
    return render_template(
        "agreements/amend.html", agreement=agreement, form=form, fields=fields
    ), status
