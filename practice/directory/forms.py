from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)

from practice.directory.models import ReferralStatus
from practice.forms import LONG_TEXT, max_length, optional_id, required, strip


class SearchForm(FlaskForm):
    """The directory search; read from the query string, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField("Words", [validators.Optional(), max_length(120)], filters=[strip])
    category = SelectField("Kind of help", default="")
    language = SelectField("Language", default="")
    mode = SelectField(
        "Where",
        default="",
        choices=[
            SelectChoice("", "In person or online"),
            SelectChoice("in_person", "In person"),
            SelectChoice("online", "Online"),
        ],
    )
    fees = SelectField(
        "Cost",
        default="",
        choices=[
            SelectChoice("", "Any cost"),
            SelectChoice("free", "Free"),
            SelectChoice("sliding", "Free or sliding scale"),
        ],
    )
    near = SelectField("Near", default="")
    zip_code = StringField(
        "ZIP code",
        [
            validators.Optional(),
            validators.Regexp(r"^\d{5}$", message="Enter a five-digit ZIP code."),
        ],
        filters=[strip],
    )
    place = SelectField("Address in the directory", coerce=optional_id)
    radius = DecimalField(
        "Within",
        [validators.Optional(), validators.NumberRange(1, 500, "From 1 to 500.")],
        places=None,
    )
    unit = SelectField(
        "Unit", choices=[SelectChoice("mi", "miles"), SelectChoice("km", "km")], default="mi"
    )


class ReferralForm(FlaskForm):
    partner_id = SelectField("For", coerce=optional_id)
    reason = TextAreaField(
        "Reason",
        [required("Give the reason for the referral."), max_length(LONG_TEXT)],
        filters=[strip],
    )
    shared = BooleanField("Show it to the partners in their portal, with the contact details")


class StatusForm(FlaskForm):
    status = RadioField(
        "New status",
        [required("Choose the new status.")],
        choices=[SelectChoice(s.value, s.label) for s in ReferralStatus if s.value != "suggested"],
    )
    note = TextAreaField(
        "Note (needed when declined)", [validators.Optional(), max_length(2000)], filters=[strip]
    )


class ImportForm(FlaskForm):
    package = FileField(
        "HSDS 3.0 data package (.zip)",
        [FileRequired("Choose a .zip file."), FileAllowed(["zip"], "Upload a .zip file.")],
    )
