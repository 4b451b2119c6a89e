from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional

from practice.forms import MultiCheckboxField, required
from practice.intake.models import PRIOR_COUNSELLING, STRESSORS, Reason


class IntakeForm(FlaskForm):
    reason = RadioField(
        "Why are you coming to counselling?",
        [required("Choose the reason closest to yours.")],
        choices=[SelectChoice(reason.value, reason.label) for reason in Reason],
    )
    what_brings = TextAreaField(
        "What brings you here now?",
        [required("Tell your counselor a little about what brings you."), Length(max=4000)],
    )
    hopes = TextAreaField(
        "What do you hope will be different when the counselling ends?",
        [required("Say what you hope for, even in a few words."), Length(max=4000)],
    )
    stressors = MultiCheckboxField(
        "What puts pressure on the two of you at the moment?",
        [Optional()],
        choices=[SelectChoice(key, label) for key, label in STRESSORS],
    )
    stressors_other = StringField("Anything else that weighs on you", [Length(max=300)])
    prior = RadioField(
        "Have you had counselling before?",
        [required("Choose one answer.")],
        choices=[SelectChoice(key, label) for key, label in PRIOR_COUNSELLING],
    )
    prior_details = TextAreaField(
        "If so, what helped and what did not?", [Optional(), Length(max=2000)]
    )
