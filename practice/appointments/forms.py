from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
    TimeField,
    validators,
)

from practice import clock
from practice.appointments.models import (
    MAX_APPOINTMENT_MINUTES,
    AppointmentFormat,
    Attendance,
    NoteFormat,
)
from practice.couples.models import Couple
from practice.forms import (
    LONG_TEXT,
    LineField,
    MultiCheckboxField,
    max_length,
    optional_id,
    required,
    strip,
)
from practice.framework import AREAS

NOTE_TEXT = 20_000


def _partner_choices(couple: Couple, blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(str(p.id), p.name) for p in couple.partners]


class AppointmentForm(FlaskForm):
    day = DateField("Date", [required("Enter the date.")])
    start_time = TimeField("Start time", [required("Enter the start time.")])
    duration_minutes = IntegerField(
        "Length (minutes)",
        [
            required("Enter the length in minutes."),
            validators.NumberRange(
                10, MAX_APPOINTMENT_MINUTES, f"Between 10 and {MAX_APPOINTMENT_MINUTES} minutes."
            ),
        ],
        default=50,
    )
    format = RadioField(
        "Format",
        choices=[SelectChoice(f.value, f.label) for f in AppointmentFormat],
        default=AppointmentFormat.IN_PERSON.value,
    )
    place = LineField("Place or link", [validators.Optional(), max_length(200)], filters=[strip])
    individual_partner_id = SelectField("With", coerce=optional_id)

    def validate_day(self, field: DateField) -> None:
        if field.data and abs((field.data - clock.today()).days) > 5 * 366:
            raise validators.ValidationError("Enter a date within five years of today.")

    def __init__(self, *args: object, couple: Couple, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.individual_partner_id.choices = _partner_choices(couple, "Both partners")


class AttendanceForm(FlaskForm):
    attendance = RadioField(
        "Attendance",
        [required("Choose what happened.")],
        choices=[SelectChoice(a.value, a.label) for a in Attendance],
    )
    attending_partner_id = SelectField("Which partner came", coerce=optional_id)

    def __init__(self, *args: object, couple: Couple, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.attending_partner_id.choices = _partner_choices(couple, "—")

    def validate_attending_partner_id(self, field: SelectField) -> None:
        if self.attendance.data == Attendance.ONE_PARTNER.value and not field.data:
            raise validators.ValidationError("Say which partner attended.")


def _long(label: str) -> TextAreaField:
    return TextAreaField(label, [validators.Optional(), max_length(NOTE_TEXT)], filters=[strip])


class NoteForm(FlaskForm):
    version = HiddenField()
    format = RadioField(
        "Note format",
        choices=[
            SelectChoice(NoteFormat.DAP.value, "DAP (data, assessment, plan)"),
            SelectChoice(NoteFormat.SOAP.value, "SOAP (subjective, objective, assessment, plan)"),
        ],
        default=NoteFormat.DAP.value,
    )
    data_section = _long("Data")
    subjective = _long("Subjective")
    objective = _long("Objective")
    assessment = _long("Assessment")
    plan = _long("Plan")
    areas = MultiCheckboxField(
        "Framework areas addressed",
        choices=[SelectChoice(area.key, area.label) for area in AREAS],
        validate_choice=True,
    )
    # Choices: the goals of the couple's plan in force, filled by the view.
    plan_goals = MultiCheckboxField("Plan goals worked on", choices=[], validate_choice=True)
    interventions = _long("Interventions used")
    homework_reviewed = _long("Homework reviewed")
    risk_observed = BooleanField("Risk observed in this appointment")
    risk_details = _long("Risk: what was observed and what was done")

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        if self.risk_observed.data and not self.risk_details.data and not self.risk_details.errors:
            # Optional() stops the field's own check when it is blank; the rule is checked here.
            self.risk_details.errors.append("Describe the risk you observed.")
            valid = False
        if self.risk_details.data and not self.risk_observed.data:
            self.risk_details.errors.append(
                "Tick “Risk observed” to keep this description, or clear it."
            )
            valid = False
        return valid

    @property
    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class AddendumForm(FlaskForm):
    reason = LineField(
        "Reason for the addendum", [required("Give the reason."), max_length(500)], filters=[strip]
    )
    body = TextAreaField(
        "Addendum", [required("Write the addendum."), max_length(LONG_TEXT)], filters=[strip]
    )
