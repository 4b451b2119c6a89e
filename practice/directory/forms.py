from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    SelectChoice,
    SelectField,
    TextAreaField,
    validators,
)

from practice.forms import LONG_TEXT, LineField, max_length, required, strip


def finite(form: object, field: DecimalField) -> None:
    """Refuse NaN and infinity, which a number range cannot judge."""
    if field.data is not None and not field.data.is_finite():
        raise validators.StopValidation("Enter a number.")


class SearchForm(FlaskForm):
    """The directory search; read from the query string, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = LineField("Words", [validators.Optional(), max_length(120)], filters=[strip])
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
    zip_code = LineField(
        "ZIP code",
        [
            validators.Optional(),
            validators.Regexp(r"^\d{5}$", message="Enter a five-digit ZIP code."),
        ],
        filters=[strip],
    )
    place = LineField(
        "Place in the directory",
        [validators.Optional(), validators.Length(max=200)],
        filters=[strip],
        description="A service's name or street, as in its listing.",
    )
    radius = DecimalField(
        "Within",
        [validators.Optional(), finite, validators.NumberRange(0.1, 500, "From 0.1 to 500.")],
        places=None,
    )
    unit = SelectField(
        "Unit", choices=[SelectChoice("mi", "miles"), SelectChoice("km", "km")], default="mi"
    )


class ImportForm(FlaskForm):
    package = FileField(
        "HSDS 3.0 data package (.zip)",
        [FileRequired("Choose a .zip file."), FileAllowed(["zip"], "Upload a .zip file.")],
    )


class ServiceForm(FlaskForm):
    organization = LineField("Organization", [required(), max_length(200)], filters=[strip])
    name = LineField("Service name", [required(), max_length(200)], filters=[strip])
    description = TextAreaField("Description", [required(), max_length(LONG_TEXT)], filters=[strip])
    status = SelectField(
        "Status",
        choices=[
            SelectChoice(s, s.capitalize())
            for s in ("active", "inactive", "defunct", "temporarily closed")
        ],
        default="active",
    )
    category = SelectField("Kind of help", default="")
    fees = LineField("Fees", [validators.Optional(), max_length(500)], filters=[strip])
    languages = LineField(
        "Languages (separate with commas)",
        [validators.Optional(), max_length(300)],
        filters=[strip],
    )
    phone = LineField("Phone", [validators.Optional(), max_length(40)], filters=[strip])
    email = LineField(
        "E-mail",
        [validators.Optional(), validators.Email("Enter a valid e-mail address.")],
        filters=[strip],
    )
    url = LineField(
        "Website",
        [validators.Optional(), validators.URL(message="Enter a full web address.")],
        filters=[strip],
    )
    accreditations = LineField(
        "Accreditations", [validators.Optional(), max_length(500)], filters=[strip]
    )
    last_verified = DateField("Last verified", [validators.Optional()])
    online = BooleanField("Online only")
    address = LineField("Street address", [validators.Optional(), max_length(200)], filters=[strip])
    city = LineField("City", [validators.Optional(), max_length(100)], filters=[strip])
    state = LineField("State", [validators.Optional(), max_length(40)], filters=[strip])
    zip_code = LineField(
        "ZIP or postal code", [validators.Optional(), max_length(20)], filters=[strip]
    )

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.online.data:
            for field in (self.address, self.city, self.state, self.zip_code):
                if not field.data and not field.errors:
                    field.errors.append("Needed for a service with a place (or tick Online only).")
                    valid = False
        return valid
