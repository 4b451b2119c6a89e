"""Measures and safety checks are reached through their couple's policy; a measure by its key."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from practice import db
from practice.couples.models import Couple
from practice.measures.definitions import MEASURES, PROGRESS_MEASURES, Measure
from practice.measures.models import SafetyScreen


def progress_measure_or_404(measure_key: str) -> Measure:
    """A measure partners answer for the progress view (never the private safety check)."""
    measure = MEASURES.get(measure_key)
    if measure is None or measure not in PROGRESS_MEASURES:
        abort(404)
    return measure


def load_positive_screen_or_404(couple: Couple, screen_id: int) -> SafetyScreen:
    """A positive safety check of a couple already loaded through the couple's policy."""
    screen = db.session.scalar(
        select(SafetyScreen).where(
            SafetyScreen.id == screen_id, SafetyScreen.couple_id == couple.id
        )
    )
    if screen is None or not screen.positive:
        abort(404)
    return screen
