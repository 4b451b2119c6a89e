"""What the composed pages gather: the caseload's extras, a couple's case, a partner's home."""

from __future__ import annotations

from datetime import timedelta

from practice import clock, db
from practice.appointments.models import Attendance
from practice.exercises.fields import check_spec
from practice.exercises.models import AgreementKind, Mode, Rhythm
from practice.homework import services as homework
from practice.measures.models import SafetyScreen
from practice.pages import services
from tests.factories import (
    AppointmentFactory,
    CoupleFactory,
    make_assignment,
    make_exercise,
    partner_with_login,
)

POSITIVE = {"humiliated": 1, "afraid": 0, "raped": 0, "kicked": 0}


def _screen(couple, *, positive: bool, reviewed: bool = False) -> SafetyScreen:
    screen = SafetyScreen(
        couple_id=couple.id,
        partner_id=couple.partners[0].id,
        answers=POSITIVE if positive else dict.fromkeys(POSITIVE, 0),
        positive=positive,
        reviewed_at=clock.now() if reviewed else None,
    )
    db.session.add(screen)
    db.session.flush()
    return screen


def _pause_exercise():
    return make_exercise(
        title="Pause agreement",
        mode=Mode.TOGETHER,
        rhythm=Rhythm.ONCE,
        agreement_kind=AgreementKind.PAUSE,
        fields=check_spec(
            [
                {"key": "signal", "label": "Signal", "type": "short_text", "required": True},
                {"key": "revisit_on", "label": "Revisit on", "type": "date"},
            ]
        ),
    )


def test_the_caseload_flags_only_its_couples_with_an_open_positive_safety_check(db_session):
    flagged, followed_up, calm = CoupleFactory(), CoupleFactory(), CoupleFactory()
    _screen(flagged, positive=True)
    _screen(followed_up, positive=True, reviewed=True)
    _screen(calm, positive=False)
    extras = services.caseload_extras(
        flagged.counselor, [flagged, followed_up, calm], clock.today()
    )
    assert extras.flagged == {flagged.id}


def test_the_caseload_lists_the_counselors_own_upcoming_appointments_soonest_first(db_session):
    couple = CoupleFactory()
    later = AppointmentFactory(couple=couple, starts_at=clock.now() + timedelta(days=3))
    sooner = AppointmentFactory(couple=couple, starts_at=clock.now() + timedelta(days=1))
    AppointmentFactory(starts_at=clock.now() + timedelta(days=2))  # another counselor's
    extras = services.caseload_extras(couple.counselor, [couple], clock.today())
    assert [a.id for a in extras.upcoming] == [sooner.id, later.id]


def test_the_couple_page_digest_counts_from_the_last_attended_appointment(db_session):
    couple = CoupleFactory(partners=["Rue Lark", "Sol Lark"])
    partner_with_login(couple, 1)
    attended = AppointmentFactory(couple=couple, starts_at=clock.now() - timedelta(days=2))
    attended.attendance = Attendance.BOTH
    cancelled = AppointmentFactory(couple=couple, starts_at=clock.now() - timedelta(hours=1))
    cancelled.attendance = Attendance.CANCELLED
    assignment = make_assignment(
        couple, make_exercise(), start_on=clock.today() - timedelta(days=5)
    )
    homework.save_answers(
        assignment,
        couple.partners[0],
        {"heard": "A calm evening", "connected": 7},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=couple.partners[0].user,
    )
    overview = services.couple_overview(couple, clock.today())
    assert overview.digest.since == attended.starts_at  # the cancelled one does not count
    (line,) = overview.digest.lines
    assert "Rue Lark 1 sent" in line.detail and "Sol Lark 0 sent" in line.detail
    assert overview.appointments.total == 2


def test_the_couple_page_banner_shows_open_positive_checks_only(db_session):
    couple = CoupleFactory()
    open_one = _screen(couple, positive=True)
    _screen(couple, positive=True, reviewed=True)
    _screen(couple, positive=False)
    overview = services.couple_overview(couple, clock.today())
    assert [s.id for s in overview.open_safety_flags] == [open_one.id]
    assert len(overview.safety_screens) == 3


def test_a_partners_home_shows_this_weeks_work_and_what_waits_for_them(db_session):
    couple = CoupleFactory()
    first = partner_with_login(couple, 1)
    partner_with_login(couple, 2)
    today = clock.today()
    current = make_assignment(couple, make_exercise(title="This week"))
    make_assignment(
        couple,
        make_exercise(title="Long over"),
        start_on=today - timedelta(days=30),
        due_on=today - timedelta(days=10),
    )
    make_assignment(
        couple,
        make_exercise(title="Next month"),
        start_on=today + timedelta(days=20),
        due_on=today + timedelta(days=26),
    )
    homework.save_answers(
        current,
        couple.partners[0],
        {"heard": "Half written"},
        visibility=None,
        submit=False,
        today=today,
        actor=first,
    )
    pause = make_assignment(couple, _pause_exercise(), rhythm="once")
    homework.save_answers(
        pause,
        couple.partners[0],
        {"signal": "A raised hand", "revisit_on": today + timedelta(days=3)},
        visibility=None,
        submit=True,
        today=today,
        actor=first,
    )
    mine = services.portal_overview(couple.partners[0], today)
    theirs = services.portal_overview(couple.partners[1], today)
    assert [i.assignment.version.title for i in mine.this_week] == [
        "This week",
        "Pause agreement",
    ]
    assert [i.has_draft for i in mine.this_week] == [True, False]
    assert not any(i.has_draft for i in theirs.this_week)  # a draft is its writer's own
    assert mine.waiting_for_me == []  # the proposer waits for the other
    assert [a.title for a in theirs.waiting_for_me] == ["Pause agreement"]
