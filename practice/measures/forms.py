"""Forms built from a measure's definition: one radio group per item."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length

from practice.forms import required, strip
from practice.measures.definitions import Measure
from practice.measures.models import SAFETY_PLAN_PARTS


def _score(value: object) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def answers_form_class(measure: Measure, *, with_date: bool) -> type[FlaskForm]:
    """A form class with a required radio group for each item of the measure."""
    fields: dict[str, object] = {}
    for item in measure.items:
        fields[item.key] = RadioField(
            item.text,
            [required("Please answer this question.")],
            choices=[SelectChoice(str(o.score), o.label) for o in item.options],
            coerce=_score,
        )
    if with_date:
        fields["taken_on"] = DateField("Date answered", [required("Enter the date.")])
    return type(f"{measure.key.title()}Form", (FlaskForm,), fields)


def answers_of(measure: Measure, form: FlaskForm) -> dict[str, int]:
    return {item.key: form[item.key].data for item in measure.items}


class ContactPreferenceForm(FlaskForm):
    email_ok = RadioField(
        "Is it safe for the practice to send you e-mail (reminders, messages)?",
        [required("Choose yes or no.")],
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
    )
    phone_ok = RadioField(
        "Is it safe for your counselor to phone you?",
        [required("Choose yes or no.")],
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
    )
    safe_times = StringField(
        "When is it safe to reach you? (optional)", [Length(max=200)], filters=[strip]
    )


def safety_plan_form_class() -> type[FlaskForm]:
    """One box for each part of the plan, all optional: a plan can grow over time."""
    fields = {
        key: TextAreaField(label, [Length(max=2000)], description=hint, filters=[strip])
        for key, label, hint in SAFETY_PLAN_PARTS
    }
    return type("SafetyPlanForm", (FlaskForm,), fields)
