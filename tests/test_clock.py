"""The one clock: the practice's today, whatever the hour and whatever the machine's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from practice import clock
from tests.factories import CoupleFactory

NIGHT = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)  # 21:30 on 1 December in New York


@pytest.fixture
def new_york(app, monkeypatch):
    monkeypatch.setitem(app.config, "PRACTICE_TIMEZONE", "America/New_York")


def test_at_half_past_two_utc_it_is_still_yesterday_in_new_york(db_session, new_york, frozen_clock):
    frozen_clock.set(NIGHT)
    assert clock.now() == NIGHT
    assert clock.today() == date(2026, 12, 1)
    assert clock.local_day(NIGHT) == date(2026, 12, 1)


def test_a_practice_in_another_zone_has_its_own_today(app, db_session, frozen_clock, monkeypatch):
    monkeypatch.setitem(app.config, "PRACTICE_TIMEZONE", "Europe/Berlin")
    frozen_clock.set(NIGHT)
    assert clock.today() == date(2026, 12, 2)


def test_factories_read_the_same_clock_as_the_app(db_session, new_york, frozen_clock):
    frozen_clock.set(NIGHT)
    assert CoupleFactory().intake_date == date(2026, 11, 1)  # 30 days before the practice's today


def test_the_clock_stays_stopped_until_moved_on(db_session, frozen_clock):
    first = clock.now()
    assert clock.now() == first
    assert frozen_clock.advance(minutes=16) == first + timedelta(minutes=16)
    assert clock.now() == first + timedelta(minutes=16)


def test_local_times_around_the_spring_clock_change(db_session, new_york):
    # 01:30 is still winter time (UTC-5); 03:30 the same night is summer time (UTC-4).
    assert clock.from_local(date(2027, 3, 14), time(1, 30)) == datetime(
        2027, 3, 14, 6, 30, tzinfo=UTC
    )
    assert clock.from_local(date(2027, 3, 14), time(3, 30)) == datetime(
        2027, 3, 14, 7, 30, tzinfo=UTC
    )


def test_a_naive_moment_cannot_freeze_the_clock():
    with pytest.raises(ValueError, match="aware"):
        clock.freeze(datetime(2026, 12, 2, 2, 30))  # noqa: DTZ001 (the mistake under test)
