from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from practice.consent.models import SecretsPolicy
from practice.forms import required


class ConsentTextForm(FlaskForm):
    secrets_policy = RadioField(
        "Policy on secrets between partners",
        [required("Choose the practice's policy.")],
        choices=[SelectChoice(policy.value, policy.label) for policy in SecretsPolicy],
    )
    body = TextAreaField(
        "Consent text",
        [
            required("Write the consent text."),
            Length(min=200, max=20_000, message="Write at least 200 characters, at most 20,000."),
        ],
    )


class SignatureForm(FlaskForm):
    # The version read and its fingerprint, so that a change meanwhile is noticed.
    number = HiddenField()
    sha256 = HiddenField()
    typed_name = StringField("Type your full name to sign", [required("Type your full name.")])
    agree = BooleanField("I have read this agreement and I agree to it")

    def validate_agree(self, field: BooleanField) -> None:
        if not field.data:
            raise ValidationError("Tick the box to show that you agree.")
