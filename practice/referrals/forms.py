from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField, validators

from practice.forms import LONG_TEXT, max_length, optional_id, required, strip


class ReferralForm(FlaskForm):
    partner_id = SelectField("For", coerce=optional_id)
    reason = TextAreaField(
        "Reason",
        [required("Give the reason for the referral."), max_length(LONG_TEXT)],
        filters=[strip],
    )
    shared = BooleanField(
        "Show it in the portal: the partner(s) see the service's contact details and the reason "
        "written above, word for word"
    )


class StatusForm(FlaskForm):
    status = RadioField("New status", [required("Choose the new status.")])
    note = TextAreaField(
        "Note (needed when declined)", [validators.Optional(), max_length(2000)], filters=[strip]
    )
