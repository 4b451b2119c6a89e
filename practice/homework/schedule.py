"""When an assignment is due, and how much of it each partner has done.

An assignment is cut into periods: one for "once", a day for "daily", a week (counted from the
start date) for "weekly" and "times per week". Each period expects a number of answers.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from practice import clock
from practice.exercises.models import Mode, Rhythm
from practice.homework.models import Assignment, Completion


class Status(enum.Enum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"
    OVERDUE = "overdue"
    CLOSED = "closed"


def period_start(assignment: Assignment, day: date) -> date:
    """The first day of the period that ``day`` falls in."""
    if assignment.rhythm is Rhythm.ONCE:
        return assignment.start_on
    if assignment.rhythm is Rhythm.DAILY:
        return day
    weeks = (day - assignment.start_on).days // 7
    return assignment.start_on + timedelta(weeks=weeks)


def expected_per_period(assignment: Assignment) -> int:
    if assignment.rhythm is Rhythm.TIMES_PER_WEEK:
        return assignment.times_per_week or 1
    return 1


def periods(assignment: Assignment) -> list[tuple[date, date]]:
    """Every period as (first day, last day), the last one cut at the due date."""
    if assignment.rhythm is Rhythm.ONCE:
        return [(assignment.start_on, assignment.due_on)]
    step = timedelta(days=1 if assignment.rhythm is Rhythm.DAILY else 7)
    result = []
    first = assignment.start_on
    while first <= assignment.due_on:
        result.append((first, min(first + step - timedelta(days=1), assignment.due_on)))
        first += step
    return result


def missed_between(
    assignment: Assignment, sent: Iterable[Completion], since: date | None, today: date
) -> int:
    """Answers expected in periods that ended after ``since`` (all, when None) but never came."""
    counts: dict[date, int] = {}
    for completion in sent:
        counts[completion.period_start] = counts.get(completion.period_start, 0) + 1
    return sum(
        expected - min(counts.get(first, 0), expected)
        for first, last, expected in expected_periods(assignment)
        if last < today and (since is None or last >= since)
    )


def expected_periods(assignment: Assignment) -> list[tuple[date, date, int]]:
    """Each period as (first day, last day, answers expected).

    A period cut short by the end date, or by closing the assignment early, expects no more
    answers than it has days; periods after closing expect none.
    """
    per_period = expected_per_period(assignment)
    closed_on = clock.local_day(assignment.closed_at) if assignment.closed_at else None
    result = []
    for first, last in periods(assignment):
        if closed_on is not None:
            if first > closed_on:
                break
            last = min(last, closed_on)
        days = (last - first).days + 1
        result.append((first, last, min(per_period, days)))
    return result


def is_open(assignment: Assignment, today: date) -> bool:
    return assignment.closed_at is None and assignment.start_on <= today <= assignment.due_on


def why_closed(assignment: Assignment, today: date) -> str | None:
    """Why a partner cannot answer now, or None when they can."""
    if assignment.closed_at is not None:
        return "Your counselor has closed this exercise."
    if today < assignment.start_on:
        return f"This exercise starts on {assignment.start_on:%d %b %Y}."
    if today > assignment.due_on:
        return f"This exercise ended on {assignment.due_on:%d %b %Y}."
    return None


@dataclass(frozen=True)
class Adherence:
    done: int  # answers sent, at most the expected number in each period
    missed: int  # answers expected in periods that have ended without them
    expected_total: int  # over the whole assignment
    this_period_done: int
    this_period_expected: int

    @property
    def percent(self) -> int | None:
        """Share of what has been due so far that was done; None before anything was due."""
        due = self.done + self.missed
        return round(100 * self.done / due) if due else None


def adherence(assignment: Assignment, submitted: Iterable[Completion], today: date) -> Adherence:
    """How one partner (or, for couple answers, the couple) is keeping up."""
    counts: dict[date, int] = {}
    for completion in submitted:
        counts[completion.period_start] = counts.get(completion.period_start, 0) + 1
    done = missed = expected_total = 0
    this_done = this_expected = 0
    for first, last, expected in expected_periods(assignment):
        got = min(counts.get(first, 0), expected)
        done += got
        expected_total += expected
        if last < today:
            missed += expected - got
        elif first <= today:
            this_done, this_expected = got, expected
    return Adherence(
        done=done,
        missed=missed,
        expected_total=expected_total,
        this_period_done=this_done,
        this_period_expected=this_expected,
    )


def answerer_of(assignment: Assignment, partner_id: int) -> int | None:
    """Whose answers count for a partner: their own, or the couple's (None) when the
    exercise is done together."""
    return None if assignment.version.mode is Mode.TOGETHER else partner_id


def answers_that_count(assignment: Assignment, who: int | None) -> list[Completion]:
    """The sent answers that count for one answerer: a partner's own, or (None) all of the
    couple's."""
    return [
        c for c in assignment.completions if c.submitted and (who is None or c.partner_id == who)
    ]


def adherence_of(assignment: Assignment, who: int | None, today: date) -> Adherence:
    """How one answerer (a partner, or the couple as one) is keeping up."""
    return adherence(assignment, answers_that_count(assignment, who), today)


def answerers(assignment: Assignment) -> list[int | None]:
    """Whose adherence counts: each partner, one partner, or (None) the couple as one."""
    if assignment.version.mode is Mode.TOGETHER:
        return [None]
    if assignment.partner_id is not None:
        return [assignment.partner_id]
    return [partner.id for partner in assignment.couple.partners]


def status(assignment: Assignment, today: date) -> Status:
    by_answerer = [adherence_of(assignment, who, today) for who in answerers(assignment)]
    if all(a.done >= a.expected_total for a in by_answerer):
        return Status.DONE
    if assignment.closed_at is not None:
        return Status.CLOSED
    if today > assignment.due_on:
        return Status.OVERDUE
    if answers_that_count(assignment, None):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED
