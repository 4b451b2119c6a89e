"""Field helpers shared by every area's forms."""

from __future__ import annotations

from wtforms import validators

# Every free-text field has a ceiling, so a pasted novel is refused with a message.
SHORT_TEXT = 120
LONG_TEXT = 5000


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def required(message: str = "This field is required.") -> validators.InputRequired:
    return validators.InputRequired(message)


def max_length(limit: int) -> validators.Length:
    return validators.Length(max=limit, message=f"Keep this under {limit + 1} characters.")
