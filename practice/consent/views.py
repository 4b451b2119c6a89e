from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from practice import clock
from practice.access import Audience, allow
from practice.consent import services
from practice.consent.forms import ConsentTextForm, SignatureForm
from practice.consent.models import SecretsPolicy
from practice.couples.policy import load_own_partner_or_404
from practice.pagination import query_id
from practice.unit_of_work import attempt

bp = Blueprint("consent", __name__)


@bp.route("/admin/consent", methods=["GET", "POST"])
@allow(Audience.ADMIN)
def edit_consent():
    """Write a new version of the practice's consent and its policy on secrets."""
    current = services.current_or_default()
    form = ConsentTextForm(
        data={"secrets_policy": current.secrets_policy.value, "body": current.body}
    )
    if form.validate_on_submit():
        saved = attempt(
            lambda: services.publish(
                SecretsPolicy(form.secrets_policy.data), form.body.data, current_user
            ),
            form=form,
            field="body",
        )
        if saved:
            flash(
                f"Version {saved.value.number} is in force. Every partner is asked to sign it.",
                "success",
            )
            return redirect(url_for("consent.edit_consent"))
    return render_template(
        "consent/edit.html",
        form=form,
        current=current,
        versions=services.versions(),
        policies=list(SecretsPolicy),
    ), 400 if form.errors else 200


@bp.route("/portal/consent", methods=["GET", "POST"])
@allow(Audience.CLIENT)
def sign_consent():
    """Let a partner read the consent in force and sign it with their typed name."""
    partner = load_own_partner_or_404()
    version = services.current_or_default()
    signature = services.signature_of(partner, version)
    form = SignatureForm(data={"number": version.number, "sha256": version.sha256})
    refused = False
    if signature is None and form.validate_on_submit():
        if not services.names_match(form.typed_name.data, partner.name):
            form.typed_name.errors = [
                *form.typed_name.errors,
                f"Type your full name as your counselor has it: {partner.name}.",
            ]
        else:
            signed = attempt(
                lambda: services.sign(
                    partner,
                    query_id(form.number.data) or 0,
                    form.sha256.data or "",
                    form.typed_name.data,
                    clock.today(),
                    current_user,
                ),
                form=form,
            )
            if signed:
                flash("Thank you. Your signature is recorded.", "success")
                return redirect(url_for("consent.sign_consent"))
            # The text changed meanwhile: show the new version to read and sign.
            refused = True
            version = services.current_or_default()
            form.number.data, form.sha256.data = str(version.number), version.sha256
    return render_template(
        "consent/sign.html",
        form=form,
        version=version,
        signature=signature,
        partner=partner,
        today=clock.today(),
    ), 400 if form.errors or refused else 200
