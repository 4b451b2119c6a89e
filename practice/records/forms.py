from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, ValidationError

from practice.forms import required, strip


class PurgeForm(FlaskForm):
    """Typing the record's number is the admin's deliberate confirmation."""

    confirm = StringField(
        "Type the record number to confirm",
        filters=[strip],
        validators=[required("Type the record number to confirm the purge.")],
    )

    def __init__(self, *args: object, record_number: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.record_number = record_number

    def validate_confirm(self, field: StringField) -> None:
        if field.data != str(self.record_number):
            raise ValidationError(
                f"That is not {self.record_number}. Type the record number exactly."
            )
