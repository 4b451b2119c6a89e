"""The one clock: every "now" and "today" in Practice comes from here.

Instants are kept in UTC, as the database stores them; the dates and times a person types and
reads are in the practice's time zone. "Today" is the practice's today, never the machine's:
at 02:30 UTC it is still yesterday in New York. Tests freeze the clock so that "today" cannot
change under them, whatever the hour they run at.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app

# Set by freeze(): every reading of the clock returns this instant until unfreeze().
_frozen_at: datetime | None = None


def now() -> datetime:
    """This instant, timezone-aware in UTC."""
    if _frozen_at is not None:
        return _frozen_at
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the practice's time zone."""
    return to_local(now()).date()


def practice_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["PRACTICE_TIMEZONE"])


def from_local(day: date, at: time) -> datetime:
    """The UTC instant of a wall-clock time in the practice's zone."""
    return datetime.combine(day, at, tzinfo=practice_zone()).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(practice_zone())


def local_day(moment: datetime) -> date:
    """The practice's date of an instant (an answer sent at 01:00 UTC belongs to yesterday)."""
    return to_local(moment).date()


# --- stopping time, for tests and for reproducing a report of a given moment -------------------


def freeze(at: datetime) -> None:
    """Make every reading of the clock return ``at`` (an aware instant)."""
    global _frozen_at
    if at.tzinfo is None:
        raise ValueError("freeze the clock at an aware instant, such as datetime(..., tzinfo=UTC)")
    _frozen_at = at.astimezone(UTC)


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock on by ``delta`` and return the new instant."""
    if _frozen_at is None:
        raise RuntimeError("only a frozen clock can be moved on")
    freeze(_frozen_at + delta)
    return now()


def unfreeze() -> None:
    global _frozen_at
    _frozen_at = None


def init_app(app: Flask) -> None:
    @app.template_filter("local")
    def local_format(moment: datetime | None, pattern: str = "%a %d %b %Y, %H:%M") -> str:
        return to_local(moment).strftime(pattern) if moment else ""

    @app.template_filter("isoday")
    def iso_day_format(value: str) -> str:
        try:
            return date.fromisoformat(value).strftime("%d %b %Y")
        except (TypeError, ValueError):
            return str(value)

    @app.template_filter("day")
    def day_format(day: date | None) -> str:
        return day.strftime("%d %b %Y") if day else ""
