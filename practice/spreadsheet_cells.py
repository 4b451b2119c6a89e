"""Cells of CSV files that people open in spreadsheets.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is read by
spreadsheet programs as a formula, which can fetch addresses or run commands. Such a value is
written with an apostrophe before it, which the spreadsheet shows as plain text. Plain
numbers and telephone numbers ("-12.5", "+44 1234 234567") cannot do harm and stay as they
are, so that exchanged data keeps its meaning. Reading our own files back removes the
apostrophe again.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A sign, then only digits, spaces, dots, hyphens and brackets: a number or a phone number.
_NUMBER_OR_PHONE = re.compile(r"[+-][\d\s().-]*\d[\d\s().-]*")
MARK = "'"


def _is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) and not _NUMBER_OR_PHONE.fullmatch(value)


def neutralised(value: object) -> object:
    """The value as it may go into a CSV cell."""
    if isinstance(value, str) and _is_formula_like(value):
        return MARK + value
    return value


def restored(value: str) -> str:
    """A cell of a file we wrote, back to the value it held."""
    if value.startswith(MARK) and _is_formula_like(value[1:]):
        return value[1:]
    return value
