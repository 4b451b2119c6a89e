from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    validators,
)

from practice.exercises.models import AgreementKind
from practice.forms import SHORT_TEXT, LineField, MultiCheckboxField, max_length, required, strip
from practice.framework import AREAS
from practice.measures.definitions import PROGRESS_MEASURES
from practice.plans.models import ObjectiveKind

GOAL_SLOTS = 2  # blank goals offered beyond those already written
OBJECTIVE_SLOTS = 3


class ObjectiveForm(Form):
    key = HiddenField()
    kind = SelectField(
        "Objective",
        choices=[SelectChoice("", "—"), *(SelectChoice(k.value, k.label) for k in ObjectiveKind)],
        validate_choice=True,
        default="",
    )
    # Checked in validate(), and only for the kind of objective that uses them.
    measure = SelectField(
        "Measure",
        choices=[SelectChoice(m.key, m.title) for m in PROGRESS_MEASURES],
        validate_choice=False,
    )
    target = FloatField("Target score", [validators.Optional()])
    agreement = SelectField(
        "Agreement",
        choices=[SelectChoice(k.value, k.label) for k in AgreementKind],
        validate_choice=False,
    )
    text = LineField("In your words", [validators.Optional(), max_length(200)], filters=[strip])
    target_on = DateField("Target date", [validators.Optional()])

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        kind = self.kind.data
        if not kind:
            if self.text.data or self.target.data is not None:
                self.kind.errors.append("Choose what kind of objective this is.")
                return False
            return valid
        if kind == ObjectiveKind.AGREEMENT.value and self.agreement.data not in {
            k.value for k in AgreementKind
        }:
            self.agreement.errors.append("Choose the agreement.")
            valid = False
        if kind == ObjectiveKind.MEASURE.value:
            measure = next((m for m in PROGRESS_MEASURES if m.key == self.measure.data), None)
            if measure is None:
                self.measure.errors.append("Choose the measure.")
                valid = False
            elif self.target.data is None and not self.target.errors:
                self.target.errors.append("Enter the score to reach.")
                valid = False
            elif self.target.data is not None and not (
                measure.minimum <= self.target.data <= measure.maximum
            ):
                self.target.errors.append(
                    f"The {measure.short_title} runs from {measure.minimum:g} to "
                    f"{measure.maximum:g}."
                )
                valid = False
        if kind == ObjectiveKind.OWN_WORDS.value:
            if not self.text.data:
                self.text.errors.append("Say what the couple will reach.")
                valid = False
            if self.target_on.data is None and not self.target_on.errors:
                self.target_on.errors.append("Enter the target date.")
                valid = False
        return valid

    def objective(self) -> dict[str, object] | None:
        kind = self.kind.data
        if not kind:
            return None
        objective: dict[str, object] = {"key": self.key.data or None, "kind": kind}
        if kind == ObjectiveKind.MEASURE.value:
            objective.update(measure=self.measure.data, target=self.target.data)
        elif kind == ObjectiveKind.AGREEMENT.value:
            objective.update(agreement=self.agreement.data)
        else:
            when = self.target_on.data
            objective.update(text=self.text.data, target_on=when.isoformat() if when else None)
        return objective


class GoalForm(Form):
    key = HiddenField()
    # "" for the couple, or a partner's id: filled by the view with the couple's partners.
    for_whom = SelectField("For", choices=[SelectChoice("", "The couple")], default="")
    title = LineField("Goal", [validators.Optional(), max_length(SHORT_TEXT)], filters=[strip])
    objectives = FieldList(FormField(ObjectiveForm), min_entries=OBJECTIVE_SLOTS)
    exercises = SelectMultipleField("Exercises from the library", coerce=int)
    areas = MultiCheckboxField(
        "Session focus (framework areas)",
        choices=[SelectChoice(area.key, area.label) for area in AREAS],
        validate_choice=True,
    )

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        chosen = [entry.form.objective() for entry in self.objectives]
        if not self.title.data:
            if any(chosen) or self.exercises.data or self.areas.data:
                self.title.errors.append("Name the goal, or clear its objectives.")
                return False
            return valid
        if valid and not any(chosen):
            self.title.errors.append("Give the goal at least one objective that can be measured.")
            valid = False
        return valid

    def goal(self) -> dict[str, object] | None:
        if not self.title.data:
            return None
        return {
            "key": self.key.data or None,
            "partner_id": int(self.for_whom.data) if self.for_whom.data else None,
            "title": self.title.data,
            "objectives": [o for o in (e.form.objective() for e in self.objectives) if o],
            "exercises": list(self.exercises.data or []),
            "areas": list(self.areas.data or []),
        }


class PlanForm(FlaskForm):
    review_on = DateField("Review the plan on", [required("Enter the review date.")])
    goals = FieldList(FormField(GoalForm), min_entries=1)

    def chosen_goals(self) -> list[dict[str, object]]:
        return [g for g in (entry.form.goal() for entry in self.goals) if g]

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.chosen_goals():
            self.review_on.errors.append("Write at least one goal before saving the plan.")
            valid = False
        return valid


class AcknowledgeForm(FlaskForm):
    shown = HiddenField()
