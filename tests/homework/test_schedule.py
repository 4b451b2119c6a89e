"""Periods, adherence and status, checked against counts worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from practice.exercises.models import Mode, Rhythm
from practice.homework import schedule

START = date(2026, 11, 2)  # a Monday


def assignment(rhythm: Rhythm, days: int, times_per_week: int | None = None, mode=Mode.INDIVIDUAL):
    return SimpleNamespace(
        rhythm=rhythm,
        start_on=START,
        due_on=START + timedelta(days=days - 1),
        times_per_week=times_per_week,
        closed_at=None,
        version=SimpleNamespace(mode=mode),
        partner_id=None,
        couple=SimpleNamespace(partners=[SimpleNamespace(id=1), SimpleNamespace(id=2)]),
        completions=[],
    )


def sent(*days_after_start: int, partner_id: int = 1):
    return [
        SimpleNamespace(
            period_start=None, partner_id=partner_id, submitted=True, day=START + timedelta(d)
        )
        for d in days_after_start
    ]


def with_periods(a, completions):
    for completion in completions:
        completion.period_start = schedule.period_start(a, completion.day)
    return completions


def test_five_times_a_week_for_three_weeks_expects_fifteen():
    a = assignment(Rhythm.TIMES_PER_WEEK, 21, times_per_week=5)
    assert len(schedule.periods(a)) == 3
    assert schedule.adherence(a, [], START).expected_total == 15


def test_adherence_counts_missed_only_in_ended_periods_and_caps_each_period():
    a = assignment(Rhythm.TIMES_PER_WEEK, 21, times_per_week=5)
    # Week 1: six answers (one too many), week 2: three; today is in week 3.
    done = with_periods(a, sent(0, 1, 2, 3, 4, 5, 7, 8, 9))
    result = schedule.adherence(a, done, START + timedelta(days=15))
    assert result.done == 8  # 5 + 3
    assert result.missed == 2  # week 2 was short by two
    assert result.percent == 80
    assert (result.this_period_done, result.this_period_expected) == (0, 5)


def test_daily_rhythm_counts_each_day():
    a = assignment(Rhythm.DAILY, 7)
    done = with_periods(a, sent(0, 1, 3))
    result = schedule.adherence(a, done, START + timedelta(days=4))
    assert (result.done, result.missed, result.expected_total) == (3, 1, 7)


def test_status_moves_from_not_started_to_overdue_or_done():
    a = assignment(Rhythm.ONCE, 7)
    assert schedule.status(a, START) is schedule.Status.NOT_STARTED
    a.completions = with_periods(a, sent(1))
    assert schedule.status(a, START + timedelta(days=2)) is schedule.Status.IN_PROGRESS
    assert schedule.status(a, START + timedelta(days=8)) is schedule.Status.OVERDUE
    a.completions += with_periods(a, sent(2, partner_id=2))
    assert schedule.status(a, START + timedelta(days=8)) is schedule.Status.DONE


def test_a_closed_or_finished_assignment_says_why():
    a = assignment(Rhythm.DAILY, 3)
    assert schedule.why_closed(a, START) is None
    assert "ended on 04 Nov 2026" in schedule.why_closed(a, START + timedelta(days=3))
    assert "starts on" in schedule.why_closed(a, START - timedelta(days=1))
    a.closed_at = object()
    assert "closed this exercise" in schedule.why_closed(a, START)


def test_a_short_last_week_expects_no_more_answers_than_it_has_days():
    a = assignment(Rhythm.TIMES_PER_WEEK, 22, times_per_week=3)  # three weeks and one day
    assert schedule.adherence(a, [], START).expected_total == 3 + 3 + 3 + 1


def test_closing_early_stops_the_count_of_missed_answers(db_session):  # the practice's zone
    from datetime import UTC, datetime

    a = assignment(Rhythm.DAILY, 14)
    a.closed_at = datetime(2026, 11, 4, 12, tzinfo=UTC)  # closed on day three
    result = schedule.adherence(a, [], START + timedelta(days=13))
    assert (result.expected_total, result.missed) == (3, 3)


def test_closing_in_the_evening_counts_on_the_practices_date(app, db_session, monkeypatch):
    from datetime import UTC, datetime

    monkeypatch.setitem(app.config, "PRACTICE_TIMEZONE", "America/New_York")
    a = assignment(Rhythm.DAILY, 14)
    # 02:00 UTC on 5 November is 21:00 on the 4th in New York: closed on day three there.
    a.closed_at = datetime(2026, 11, 5, 2, tzinfo=UTC)
    result = schedule.adherence(a, [], START + timedelta(days=13))
    assert (result.expected_total, result.missed) == (3, 3)
