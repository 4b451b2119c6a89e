"""CSV cells that a spreadsheet would run as formulas are written as text, and read back."""

from __future__ import annotations

import pytest

from practice import spreadsheet_cells


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("+44 1234 234567", "+44 1234 234567"),  # a telephone number stays one
        ("-12.5", "-12.5"),
        ("Family Center", "Family Center"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_marked_as_text_and_read_back(value, written):
    assert spreadsheet_cells.neutralised(value) == written
    assert spreadsheet_cells.restored(written) == value
