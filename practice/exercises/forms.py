"""Forms: answering an exercise (built from its fields), and writing exercises."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
    validators,
)

from practice.exercises.fields import FIELD_TYPES, LONG_TEXT_MAX, NUMBER_LIMIT, SHORT_TEXT_MAX
from practice.exercises.models import Mode, Rhythm, Visibility
from practice.forms import (
    LONG_TEXT,
    SHORT_TEXT,
    LineField,
    MultiCheckboxField,
    max_length,
    optional_id,
    required,
    strip,
)
from practice.framework import AREAS

FIELD_PREFIX = "f_"  # form names of answer fields, clear of FlaskForm's own attributes


def _answer_field(spec: dict[str, Any], require: bool):
    need = (
        [required("Please answer this question.")]
        if require and spec["required"]
        else [validators.Optional()]
    )
    label, kind = spec["label"], spec["type"]
    if kind == "short_text":
        return LineField(label, [*need, max_length(SHORT_TEXT_MAX)], filters=[strip])
    if kind == "long_text":
        return TextAreaField(label, [*need, max_length(LONG_TEXT_MAX)], filters=[strip])
    if kind == "rating":
        return RadioField(
            label,
            need,
            choices=[SelectChoice(str(n), str(n)) for n in range(11)],
            coerce=optional_id,
        )
    if kind == "yes_no":
        return RadioField(
            label, need, choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
        )
    if kind == "number":
        low = spec["min"] if spec["min"] is not None else -NUMBER_LIMIT
        high = spec["max"] if spec["max"] is not None else NUMBER_LIMIT
        return IntegerField(
            label,
            [*need, validators.NumberRange(low, high, f"Enter a number from {low} to {high}.")],
        )
    if kind == "date":
        return DateField(label, need)
    return MultiCheckboxField(
        label, choices=[SelectChoice(option, option) for option in spec["options"]]
    )


def answer_form_class(fields: list[dict[str, Any]], *, require: bool, privacy_choice: bool):
    """A form for an exercise's fields; drafts (require=False) may leave questions blank."""
    attributes: dict[str, Any] = {
        FIELD_PREFIX + spec["key"]: _answer_field(spec, require) for spec in fields
    }
    if privacy_choice:
        attributes["visibility"] = RadioField(
            "Who may read these answers?",
            choices=[
                SelectChoice(v.value, v.label) for v in (Visibility.COUNSELOR, Visibility.SHARED)
            ],
            default=Visibility.COUNSELOR.value,
        )
    return type("AnswerForm", (FlaskForm,), attributes)


def answers_of(form: FlaskForm, fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The form's values as typed answers (yes/no as booleans, blanks left out)."""
    answers = {}
    for spec in fields:
        value = form[FIELD_PREFIX + spec["key"]].data
        if spec["type"] == "yes_no":
            value = {"yes": True, "no": False}.get(value)
        if value not in (None, "", []):
            answers[spec["key"]] = value
    return answers


def form_data_from(answers: dict[str, Any], fields: list[dict[str, Any]]) -> dict[str, Any]:
    """Saved answers as a form's initial data."""
    data = {}
    for spec in fields:
        value = answers.get(spec["key"])
        if spec["type"] == "yes_no" and value is not None:
            value = "yes" if value else "no"
        elif spec["type"] == "date" and isinstance(value, str):
            value = date.fromisoformat(value)
        data[FIELD_PREFIX + spec["key"]] = value
    return data


class FieldSpecForm(Form):
    label = LineField("Question", [validators.Optional(), max_length(300)], filters=[strip])
    type = SelectField(
        "Type",
        choices=[SelectChoice(key, label) for key, label in FIELD_TYPES.items()],
        default="short_text",
    )
    required = BooleanField("Required")
    options = LineField(
        "Options (checklist; separate with ;)",
        [validators.Optional(), max_length(1000)],
        filters=[strip],
    )


class ExerciseForm(FlaskForm):
    title = LineField("Title", [required(), max_length(SHORT_TEXT)], filters=[strip])
    area = SelectField("Framework area", choices=[SelectChoice(a.key, a.label) for a in AREAS])
    purpose = LineField("Purpose", [required(), max_length(300)], filters=[strip])
    instructions = TextAreaField(
        "Instructions", [required(), max_length(LONG_TEXT)], filters=[strip]
    )
    minutes = IntegerField(
        "Expected minutes", [required(), validators.NumberRange(1, 240, "From 1 to 240.")]
    )
    rhythm = SelectField(
        "Suggested rhythm", choices=[SelectChoice(r.value, r.label) for r in Rhythm]
    )
    mode = SelectField("How it is done", choices=[SelectChoice(m.value, m.label) for m in Mode])
    privacy_choice = BooleanField("Partners may keep their answers for the counselor only")
    fields = FieldList(FormField(FieldSpecForm), min_entries=6, max_entries=20)

    def __init__(self, *args: object, rows: int = 0, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Always a few empty rows beyond the questions there are, up to the maximum.
        while len(self.fields) < min(rows + 3, self.fields.max_entries):
            self.fields.append_entry()

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        used = [entry for entry in self.fields if entry.form.label.data]
        if not used:
            self.fields.errors.append("Add at least one question.")
            valid = False
        for entry in used:
            if entry.form.type.data == "checklist" and not _options(entry.form.options.data):
                entry.form.options.errors.append("A checklist needs options, separated by ;")
                valid = False
        return valid

    def content(self) -> dict[str, Any]:
        """The exercise as library content: questions in order, blank rows left out."""
        fields = [
            {
                "key": f"q{number}",
                "label": entry.form.label.data,
                "type": entry.form.type.data,
                "required": entry.form.required.data,
                "options": _options(entry.form.options.data),
            }
            for number, entry in enumerate((e for e in self.fields if e.form.label.data), start=1)
        ]
        return {
            "title": self.title.data,
            "area": self.area.data,
            "purpose": self.purpose.data,
            "instructions": self.instructions.data,
            "minutes": self.minutes.data,
            "rhythm": Rhythm(self.rhythm.data),
            "mode": Mode(self.mode.data),
            "privacy_choice": self.privacy_choice.data,
            "agreement_kind": None,
            "timer_minutes": None,
            "fields": fields,
        }


def _options(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def exercise_form_data(version) -> dict[str, Any]:
    return {
        "title": version.title,
        "area": version.area,
        "purpose": version.purpose,
        "instructions": version.instructions,
        "minutes": version.minutes,
        "rhythm": version.rhythm.value,
        "mode": version.mode.value,
        "privacy_choice": version.privacy_choice,
        "fields": [
            {
                "label": spec["label"],
                "type": spec["type"],
                "required": spec["required"],
                "options": "; ".join(spec["options"]),
            }
            for spec in version.fields
        ],
    }
