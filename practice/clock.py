"""The practice's local time: people type and read local times; the database keeps UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask, current_app


def practice_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["PRACTICE_TIMEZONE"])


def from_local(day: date, at: time) -> datetime:
    """The UTC instant of a wall-clock time in the practice's zone."""
    return datetime.combine(day, at, tzinfo=practice_zone()).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(practice_zone())


def today() -> date:
    return datetime.now(practice_zone()).date()


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
