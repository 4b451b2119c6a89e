"""The kinds of field a partner fills in, and checking answers against them."""

from __future__ import annotations

from datetime import date
from typing import Any

from practice import clock
from practice.unit_of_work import UserError

FIELD_TYPES = {
    "short_text": "Short text",
    "long_text": "Long text",
    "rating": "Rating 0–10",
    "yes_no": "Yes or no",
    "number": "Number",
    "date": "Date",
    "checklist": "Checklist",
}
SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 5000
NUMBER_LIMIT = 1_000_000


class SpecError(ValueError):
    """A field definition that cannot be used."""


class AnswerError(UserError):
    """An answer that does not fit its field; ``field`` names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field)


def check_spec(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return field definitions in a normal form, refusing unusable ones."""
    if not fields:
        raise SpecError("An exercise needs at least one field.")
    seen = set()
    normal = []
    for spec in fields:
        key, kind = spec.get("key", ""), spec.get("type", "")
        if not key or not key.replace("_", "").isalnum() or key in seen:
            raise SpecError(f"Field key {key!r} is empty, repeated or not a simple name.")
        if kind not in FIELD_TYPES:
            raise SpecError(f"Field {key!r} has an unknown type {kind!r}.")
        options = [str(option) for option in spec.get("options", [])]
        if kind == "checklist" and not options:
            raise SpecError(f"Checklist {key!r} needs options.")
        seen.add(key)
        normal.append(
            {
                "key": key,
                "label": str(spec.get("label") or key),
                "type": kind,
                "required": bool(spec.get("required", False)),
                "options": options,
                "min": spec.get("min"),
                "max": spec.get("max"),
            }
        )
    return normal


def _check_one(spec: dict[str, Any], value: Any) -> Any:
    kind, key = spec["type"], spec["key"]
    if kind in ("short_text", "long_text"):
        if not isinstance(value, str):
            raise AnswerError(key, "Enter text.")
        limit = SHORT_TEXT_MAX if kind == "short_text" else LONG_TEXT_MAX
        if len(value) > limit:
            raise AnswerError(key, f"Use at most {limit} characters.")
        return value.strip()
    if kind == "rating":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise AnswerError(key, "Choose a number from 0 to 10.")
        return value
    if kind == "yes_no":
        if not isinstance(value, bool):
            raise AnswerError(key, "Choose yes or no.")
        return value
    if kind == "number":
        low = spec["min"] if spec["min"] is not None else -NUMBER_LIMIT
        high = spec["max"] if spec["max"] is not None else NUMBER_LIMIT
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise AnswerError(key, f"Enter a whole number from {low} to {high}.")
        return value
    if kind == "date":
        if not isinstance(value, date):
            raise AnswerError(key, "Enter a date.")
        if abs((value - clock.today()).days) > 5 * 366:
            raise AnswerError(key, "Enter a date within five years of today.")
        return value.isoformat()
    if not isinstance(value, list) or any(item not in spec["options"] for item in value):
        raise AnswerError(key, "Tick only the options offered.")
    return [option for option in spec["options"] if option in value]


def check_answers(
    fields: list[dict[str, Any]], answers: dict[str, Any], *, complete: bool
) -> dict[str, Any]:
    """Check answers against their fields; a submitted (complete) set needs every required one."""
    known = {spec["key"] for spec in fields}
    unknown = set(answers) - known
    if unknown:
        raise AnswerError(sorted(unknown)[0], "This question is not part of the exercise.")
    checked: dict[str, Any] = {}
    for spec in fields:
        value = answers.get(spec["key"])
        # Text of spaces alone is no answer, whoever calls (the forms strip it already).
        empty = value is None or (isinstance(value, str) and not value.strip()) or value == []
        if empty:
            if complete and spec["required"]:
                raise AnswerError(spec["key"], "Please answer this question.")
            continue
        checked[spec["key"]] = _check_one(spec, value)
    return checked
