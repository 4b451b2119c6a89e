from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice
from wtforms.validators import DataRequired, ValidationError

from practice import clock

CLINICAL, OUTSIDE = "clinical", "outside"
PURPOSES = {
    CLINICAL: "For the clinical record",
    OUTSIDE: "For someone outside the practice",
}
# What the report says of itself after its purpose, so its reader knows what was left out.
PURPOSE_DETAILS = {
    CLINICAL: "",
    OUTSIDE: (
        "the minimum necessary: no safety checks, no individual appointments or their notes,"
        " no goals of one partner alone, no answers kept for the counselor"
    ),
}


class PeriodForm(FlaskForm):
    """The period of a report about a couple. It is read from the query string (it changes
    nothing), under the names the report's links have always used."""

    class Meta:
        csrf = False

    # A day left out of the link keeps its default (the view's); one typed wrong is refused
    # beside its field.
    from_date = DateField(
        "From",
        [DataRequired("Enter the first day as a date, such as 2026-11-20.")],
        name="from",
        format="%Y-%m-%d",
    )
    to_date = DateField(
        "To",
        [DataRequired("Enter the last day as a date, such as 2026-11-20.")],
        name="to",
        format="%Y-%m-%d",
    )

    def validate_to_date(self, field: DateField) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError("The period cannot end after today.")

    def validate_from_date(self, field: DateField) -> None:
        if field.data and self.to_date.data and field.data > self.to_date.data:
            raise ValidationError("The first day must be on or before the last day.")


class ProgressReportForm(PeriodForm):
    """The period and the purpose of a progress report."""

    purpose = RadioField(
        "Purpose",
        choices=[SelectChoice(key, label) for key, label in PURPOSES.items()],
        default=CLINICAL,
        validate_choice=True,
    )
