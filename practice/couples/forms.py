from __future__ import annotations

import re
from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)

from practice import clock
from practice.accounts import services as accounts
from practice.accounts.models import User
from practice.couples.models import Couple, CoupleStatus
from practice.forms import LONG_TEXT, SHORT_TEXT, LineField, max_length, required, strip

EARLIEST_DATE = date(1950, 1, 1)
PHONE_PATTERN = re.compile(r"^\+?[0-9 ().\-]{7,40}$")


def _blank_to_none(value: object) -> object:
    return value or None


class PartnerForm(Form):
    """One partner; a sub-form with no CSRF token of its own (the couple form carries one)."""

    name = LineField("Name", [required(), max_length(SHORT_TEXT)], filters=[strip])
    pronouns = LineField("Pronouns", [validators.Optional(), max_length(40)], filters=[strip])
    email = EmailField(
        "E-mail",
        [
            validators.Optional(),
            max_length(254),
            validators.Email("Enter a valid e-mail address."),
        ],
        filters=[strip, _blank_to_none],
    )
    phone = LineField("Phone", [validators.Optional(), max_length(40)], filters=[strip])

    def validate_phone(self, field: StringField) -> None:
        digits = sum(char.isdigit() for char in field.data or "")
        if field.data and (not PHONE_PATTERN.match(field.data) or digits < 7):
            raise validators.ValidationError(
                "Enter a phone number of digits, spaces, brackets, dots, dashes and an optional +."
            )


class CoupleForm(FlaskForm):
    partner_a = FormField(PartnerForm, label="First partner")
    partner_b = FormField(PartnerForm, label="Second partner")
    presenting_concerns = TextAreaField(
        "Presenting concerns", [validators.Optional(), max_length(LONG_TEXT)], filters=[strip]
    )
    goals = TextAreaField("Goals", [validators.Optional(), max_length(LONG_TEXT)], filters=[strip])
    intake_date = DateField("Intake date", [required("Enter the intake date.")])
    zip_code = LineField(
        "ZIP code",
        [
            validators.Optional(),
            validators.Regexp(r"^\d{5}$", message="Enter a five-digit ZIP code."),
        ],
        filters=[strip],
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in CoupleStatus],
        default=CoupleStatus.ACTIVE.value,
    )
    closed_on = DateField("Closing date", [validators.Optional()])
    closing_reason = TextAreaField(
        "Reason for closing", [validators.Optional(), max_length(LONG_TEXT)], filters=[strip]
    )

    def __init__(self, *args: object, couple: Couple | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.couple = couple

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        valid = self._check_closing() and valid
        # Checks across the two partners and against existing accounts.
        email_a = self.partner_a.form.email
        email_b = self.partner_b.form.email
        if email_a.data and email_b.data and email_a.data.lower() == email_b.data.lower():
            email_b.errors.append("The two partners need different e-mail addresses.")
            valid = False
        for position, subform in ((1, self.partner_a), (2, self.partner_b)):
            email = subform.form.email
            if not email.data and self._user_id_of(position) is not None:
                email.errors.append("This partner signs in with this e-mail; it cannot be removed.")
                valid = False
            if not email.data or email.errors:
                continue
            if accounts.email_taken(email.data, except_user_id=self._user_id_of(position)):
                email.errors.append("This e-mail address belongs to another account.")
                valid = False
        return valid

    def validate_intake_date(self, field: DateField) -> None:
        if field.data and not EARLIEST_DATE <= field.data <= clock.today() + timedelta(days=366):
            raise validators.ValidationError("Enter a date between 1950 and a year from now.")

    def _check_closing(self) -> bool:
        # Optional() ends a field's own validators when it is blank, so the rule that
        # closing needs a date and a reason is checked here, across fields.
        if self.status.data != CoupleStatus.CLOSED.value:
            if self.closed_on.data or self.closing_reason.data:
                self.status.errors.append(
                    "To close the case, set the status to Closed; otherwise clear the closing "
                    "date and reason."
                )
                return False
            return True
        ok = True
        if self.closed_on.data is None and not self.closed_on.errors:
            self.closed_on.errors.append("Closing a case needs the date it closed.")
            ok = False
        elif (
            self.closed_on.data
            and self.intake_date.data
            and self.closed_on.data < self.intake_date.data
        ):
            self.closed_on.errors.append("A case cannot close before its intake date.")
            ok = False
        elif self.closed_on.data and self.closed_on.data > clock.today():
            self.closed_on.errors.append("A case cannot close in the future.")
            ok = False
        if not self.closing_reason.data:
            self.closing_reason.errors.append("Closing a case needs a reason.")
            ok = False
        return ok

    def _user_id_of(self, position: int) -> int | None:
        if self.couple is None:
            return None
        partner = next((p for p in self.couple.partners if p.position == position), None)
        return partner.user_id if partner else None


class ReassignForm(FlaskForm):
    counselor_id = SelectField("Counselor", coerce=int)

    def __init__(self, *args: object, counselors: list[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.counselor_id.choices = [SelectChoice(str(c.id), c.name) for c in counselors]
