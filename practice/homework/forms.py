from __future__ import annotations

from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, TextAreaField, validators

from practice import clock
from practice.exercises.models import Rhythm
from practice.forms import LONG_TEXT, max_length, optional_id, required, strip


class AssignmentForm(FlaskForm):
    exercise_id = SelectField("Exercise", coerce=optional_id)
    partner_id = SelectField("For", coerce=optional_id)
    start_on = DateField("Start", [required("Enter the start date.")])
    due_on = DateField("Until (last day)", [validators.Optional()])
    rhythm = SelectField(
        "Rhythm", choices=[SelectChoice(r.value, r.label) for r in Rhythm], default="once"
    )
    times_per_week = IntegerField(
        "Times a week",
        [validators.Optional(), validators.NumberRange(1, 7, "From 1 to 7 times a week.")],
    )
    note = TextAreaField(
        "A personal note", [validators.Optional(), max_length(2000)], filters=[strip]
    )
    override_reason = TextAreaField(
        "Why assign joint work now (override the safety hold)",
        [validators.Optional(), max_length(2000)],
        filters=[strip],
    )

    def __init__(self, *args: object, exercises, couple, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.exercise_id.choices = [
            SelectChoice(str(v.exercise_id), f"{v.title}") for v in exercises
        ]
        self.partner_id.choices = [SelectChoice("", "The couple")] + [
            SelectChoice(str(p.id), f"{p.name} only") for p in couple.partners
        ]

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        rhythm = self.rhythm.data
        if rhythm != Rhythm.ONCE.value and not self.due_on.data and not self.due_on.errors:
            self.due_on.errors.append("A repeating exercise needs a last day.")
            valid = False
        if rhythm == Rhythm.TIMES_PER_WEEK.value and not self.times_per_week.data:
            if not self.times_per_week.errors:
                self.times_per_week.errors.append("Say how many times a week.")
            valid = False
        start, end = self.start_on.data, self.due_on.data
        if start and end and end < start:
            self.due_on.errors.append("The last day comes before the start.")
            valid = False
        if start and end and end - start > timedelta(days=366):
            self.due_on.errors.append("Keep an assignment to a year at most.")
            valid = False
        if start and abs((start - clock.today()).days) > 366:
            self.start_on.errors.append("Start within a year of today.")
            valid = False
        return valid


class FeedbackForm(FlaskForm):
    body = TextAreaField(
        "Your feedback", [required("Write your feedback."), max_length(LONG_TEXT)], filters=[strip]
    )
