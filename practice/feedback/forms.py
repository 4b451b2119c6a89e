from __future__ import annotations

from practice.measures.definitions import SESSION_SCALE
from practice.measures.forms import answers_form_class


def rating_form_class():
    """One row of 0–10 for each item of the session scale."""
    return answers_form_class(SESSION_SCALE, with_date=False)
