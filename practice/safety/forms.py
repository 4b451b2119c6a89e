from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, TextAreaField

from practice.clock import to_local
from practice.forms import max_length, optional_id, required, strip
from practice.measures.models import RISK_ANSWERS, RISK_QUESTIONS, FollowUpDecision
from practice.safety.services import IndividualNote


class ResumeForm(FlaskForm):
    reason = TextAreaField(
        "Why joint work can go on",
        [required("Say why joint work can go on."), max_length(2000)],
        filters=[strip],
    )


def follow_up_form_class() -> type[FlaskForm]:
    """The follow-up form: the note, one radio group per risk question, the decision."""
    fields: dict[str, object] = {
        "note_id": SelectField(
            "The individual conversation (a signed note)",
            [required("Choose the signed note of your conversation alone with this partner.")],
            coerce=optional_id,
        ),
        "decision": RadioField(
            "Decision",
            [required("Choose what happens next.")],
            choices=[SelectChoice(d.value, d.label) for d in FollowUpDecision],
        ),
        "reason": TextAreaField(
            "The reason for this decision",
            [required("Say why you decided this."), max_length(4000)],
            filters=[strip],
        ),
    }
    for key, question in RISK_QUESTIONS:
        fields[f"risk_{key}"] = RadioField(
            question,
            [required("Answer each question of the review.")],
            choices=[SelectChoice(value, label) for value, label in RISK_ANSWERS],
        )
    return type("FollowUpForm", (FlaskForm,), fields)


def note_choices(notes: list[IndividualNote]) -> list[SelectChoice]:
    return [SelectChoice("", "Choose a note")] + [
        SelectChoice(str(n.note_id), f"Individual appointment, {to_local(n.starts_at):%d %b %Y}")
        for n in notes
    ]


def risk_review_of(form: FlaskForm) -> dict[str, str]:
    return {key: form[f"risk_{key}"].data for key, _question in RISK_QUESTIONS}
