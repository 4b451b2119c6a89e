"""Field helpers shared by every area's forms."""

from __future__ import annotations

from wtforms import Field, SelectMultipleField, StringField, validators, widgets

# Every free-text field has a ceiling, so a pasted novel is refused with a message.
SHORT_TEXT = 120
LONG_TEXT = 5000


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class Required:
    """Something must be entered, and text made only of spaces does not count.

    WTForms' InputRequired looks at the raw input (so "0" on a scale is an answer), but it
    would accept a name of blanks; this checks the filtered value of text fields as well.
    """

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: object, field: Field) -> None:
        raw = field.raw_data[0] if field.raw_data else None
        blank_text = isinstance(field.data, str) and not field.data.strip()
        if raw in (None, "") or blank_text:
            field.errors[:] = []
            raise validators.StopValidation(self.message)


def required(message: str = "This field is required.") -> Required:
    return Required(message)


def max_length(limit: int) -> validators.Length:
    return validators.Length(max=limit, message=f"Use at most {limit} characters.")


def optional_id(value: object) -> int | None:
    """A chosen id from a select: None for the blank choice, -1 (never valid) for garbage."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class LineField(StringField):
    """One line of text (a name, a place, a title). A browser's text box cannot send a line
    break, so one in the request is refused beside the field instead of being stored."""

    def pre_validate(self, form: object) -> None:
        if isinstance(self.data, str) and ("\n" in self.data or "\r" in self.data):
            raise validators.StopValidation("Use a single line, without line breaks.")
