"""Forms built from a measure's definition: one radio group per item."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice

from practice.forms import required
from practice.measures.definitions import Measure


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
