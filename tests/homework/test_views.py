"""Homework through the pages: assigning, answering in the portal, privacy, feedback, digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from practice import clock, db
from practice.appointments.models import Attendance
from practice.exercises.fields import check_spec
from practice.exercises.models import Mode, Rhythm
from practice.homework import services as homework
from practice.homework.models import Assignment, Completion
from tests.conftest import visible_text
from tests.factories import (
    CoupleFactory,
    built_in,
    make_assignment,
    make_exercise,
    partner_with_login,
)

MARKER = "COUNSELOR-ONLY-MARKER-7731"


def test_counselor_assigns_the_daily_check_in_five_times_a_week_for_three_weeks(
    client, auth, couple
):
    version = built_in("daily-check-in")
    auth.login(couple.counselor)
    form = client.get(f"/couples/{couple.id}/assignments/new")
    assert "Daily check-in: speaker and listener" in form.text
    start = clock.today()
    response = client.post(
        f"/couples/{couple.id}/assignments/new",
        data={
            "exercise_id": str(version.exercise_id),
            "partner_id": "",
            "start_on": start.isoformat(),
            "due_on": (start + timedelta(days=20)).isoformat(),
            "rhythm": "times_per_week",
            "times_per_week": "5",
            "note": "Evenings work best.",
        },
        follow_redirects=True,
    )
    assert "Daily check-in: speaker and listener assigned." in response.text
    assignment = db.session.scalar(select(Assignment))
    assert assignment.version_id == version.id and assignment.times_per_week == 5
    homework = visible_text(response.text.split('id="assignments"')[1])
    assert "Ines Fox: 0 of 15 done" in homework and "Omar Fox: 0 of 15 done" in homework


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rhythm": "daily", "due_on": ""}, "A repeating exercise needs a last day."),
        ({"rhythm": "times_per_week", "times_per_week": ""}, "Say how many times a week."),
        ({"rhythm": "times_per_week", "times_per_week": "9"}, "From 1 to 7 times a week."),
        ({"due_on": "2000-01-01"}, "The last day comes before the start."),
        ({"exercise_id": "999999"}, "Not a valid choice"),
        ({"partner_id": "abc"}, "Not a valid choice"),
        ({"note": "x" * 2001}, "Use at most 2000 characters."),
    ],
)
def test_bad_assignment_input_is_refused(client, auth, couple, changes, message):
    version = built_in("promises-kept")
    auth.login(couple.counselor)
    start = clock.today()
    data = {
        "exercise_id": str(version.exercise_id),
        "partner_id": "",
        "start_on": start.isoformat(),
        "due_on": (start + timedelta(days=6)).isoformat(),
        "rhythm": "daily",
        "times_per_week": "",
        "note": "",
        **changes,
    }
    response = client.post(f"/couples/{couple.id}/assignments/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_a_couple_exercise_cannot_go_to_one_partner(client, auth, couple):
    version = built_in("pause-agreement")
    auth.login(couple.counselor)
    start = clock.today().isoformat()
    response = client.post(
        f"/couples/{couple.id}/assignments/new",
        data={
            "exercise_id": str(version.exercise_id),
            "partner_id": str(couple.partners[0].id),
            "start_on": start,
            "due_on": start,
            "rhythm": "once",
        },
    )
    assert response.status_code == 400
    assert "goes to both partners" in response.text


def test_partner_saves_a_draft_then_sends(client, auth, couple):
    assignment = make_assignment(couple, make_exercise())
    ines = couple.partners[0].user
    auth.login(ines)
    home = client.get("/portal/").text
    assert "Practice check-in" in home and "0 of 1 today" in home
    draft = client.post(
        f"/portal/assignments/{assignment.id}",
        data={"f_heard": "Half written", "save": "1"},
        follow_redirects=True,
    )
    assert "Draft saved. Only you can see it until you send it." in draft.text
    assert "Half written" in draft.text  # the form comes back filled in
    sent = client.post(
        f"/portal/assignments/{assignment.id}",
        data={"f_heard": "All of it", "f_connected": "7", "f_confirmed": "yes", "submit": "1"},
        follow_redirects=True,
    )
    assert "Sent. Thank you." in sent.text
    completion = db.session.scalar(select(Completion))
    assert completion.submitted
    assert completion.answers == {"heard": "All of it", "connected": 7, "confirmed": True}
    assert "1 of 1 today" in client.get("/portal/").text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"f_heard": "", "f_connected": "7"}, "Please answer this question."),
        ({"f_heard": "x", "f_connected": "11"}, "Not a valid choice"),
        ({"f_heard": "x" * 5001, "f_connected": "5"}, "Use at most 5000 characters."),
        ({"f_heard": "x", "f_connected": "5", "f_confirmed": "maybe"}, "Not a valid choice"),
    ],
)
def test_bad_answers_are_refused_with_a_message(client, auth, couple, data, message):
    assignment = make_assignment(couple, make_exercise())
    auth.login(couple.partners[0].user)
    response = client.post(f"/portal/assignments/{assignment.id}", data={**data, "submit": "1"})
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(Completion)) is None


def test_another_partners_or_another_couples_assignment_is_not_found(client, auth, couple):
    only_omar = make_assignment(couple, make_exercise(), partner_id=couple.partners[1].id)
    other_couple = CoupleFactory()
    partner_with_login(other_couple, 1)
    theirs = make_assignment(other_couple, make_exercise())
    auth.login(couple.partners[0].user)
    for assignment in (only_omar, theirs):
        assert client.get(f"/portal/assignments/{assignment.id}").status_code == 404
        response = client.post(
            f"/portal/assignments/{assignment.id}",
            data={"f_heard": "x", "f_connected": "5", "submit": "1"},
        )
        assert response.status_code == 404
    assert "Practice check-in" not in client.get("/portal/").text


def test_a_closed_assignment_says_why_and_takes_no_answers(client, auth, couple):
    assignment = make_assignment(couple, make_exercise())
    homework.close_assignment(assignment, couple.counselor)
    auth.login(couple.partners[0].user)
    page = client.get(f"/portal/assignments/{assignment.id}")
    assert "Your counselor has closed this exercise." in page.text
    response = client.post(
        f"/portal/assignments/{assignment.id}",
        data={"f_heard": "x", "f_connected": "5", "submit": "1"},
        follow_redirects=True,
    )
    assert "Your counselor has closed this exercise." in response.text
    assert db.session.scalar(select(Completion)) is None


def test_a_counselor_only_answer_never_reaches_the_other_partner(client, auth, couple):
    version = make_exercise(privacy_choice=True, rhythm=Rhythm.ONCE)
    assignment = make_assignment(couple, version, rhythm="once")
    ines, omar = couple.partners
    auth.login(ines.user)
    client.post(
        f"/portal/assignments/{assignment.id}",
        data={"f_heard": MARKER, "f_connected": "3", "visibility": "counselor", "submit": "1"},
    )
    auth.logout()
    auth.login(omar.user)
    for path in ("/portal/", f"/portal/assignments/{assignment.id}"):
        assert MARKER not in client.get(path).text
    auth.logout()
    auth.login(couple.counselor)
    page = client.get(f"/assignments/{assignment.id}").text
    assert MARKER in page and "for the counselor only" in page


def test_turn_based_answers_stay_hidden_until_both_have_sent(client, auth, couple):
    version = make_exercise(mode=Mode.TURNS, rhythm=Rhythm.ONCE)
    assignment = make_assignment(couple, version, rhythm="once")
    ines, omar = couple.partners
    auth.login(ines.user)
    client.post(
        f"/portal/assignments/{assignment.id}",
        data={"f_heard": "INES-TURN-ANSWER", "f_connected": "6", "submit": "1"},
    )
    auth.logout()
    auth.login(omar.user)
    assert "INES-TURN-ANSWER" not in client.get(f"/portal/assignments/{assignment.id}").text
    client.post(
        f"/portal/assignments/{assignment.id}",
        data={"f_heard": "OMAR-TURN-ANSWER", "f_connected": "8", "submit": "1"},
    )
    page = client.get(f"/portal/assignments/{assignment.id}").text
    assert "INES-TURN-ANSWER" in page and "OMAR-TURN-ANSWER" in page
    auth.logout()
    auth.login(ines.user)
    assert "OMAR-TURN-ANSWER" in client.get(f"/portal/assignments/{assignment.id}").text


def test_drafts_stay_with_their_author(client, auth, couple):
    assignment = make_assignment(couple, make_exercise())
    ines, omar = couple.partners
    auth.login(ines.user)
    client.post(f"/portal/assignments/{assignment.id}", data={"f_heard": "DRAFT-TEXT"})
    auth.logout()
    auth.login(omar.user)
    assert "DRAFT-TEXT" not in client.get(f"/portal/assignments/{assignment.id}").text
    auth.logout()
    auth.login(couple.counselor)
    assert "DRAFT-TEXT" not in client.get(f"/assignments/{assignment.id}").text


def test_counselor_feedback_reaches_the_partner_who_wrote(client, auth, couple):
    assignment = make_assignment(couple, make_exercise())
    ines, omar = couple.partners
    completion = homework.save_answers(
        assignment,
        ines,
        {"heard": "We talked", "connected": 6},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=ines.user,
    )
    auth.login(couple.counselor)
    page = visible_text(client.get(f"/assignments/{assignment.id}").text)
    assert "We talked" in page and "Ines Fox: 1 of 7 done" in page
    client.post(f"/completions/{completion.id}/feedback", data={"body": "Lovely repeat-back."})
    auth.logout()
    auth.login(ines.user)
    assert "Lovely repeat-back." in client.get(f"/portal/assignments/{assignment.id}").text
    assert "your counselor wrote back" in client.get("/portal/").text
    auth.logout()
    auth.login(omar.user)
    assert "Lovely repeat-back." not in client.get(f"/portal/assignments/{assignment.id}").text


def test_digest_since_the_last_appointment_can_go_into_the_note(client, auth, couple):
    from tests.factories import AppointmentFactory, draft_note

    assignment = make_assignment(
        couple, make_exercise(), start_on=clock.today() - timedelta(days=3)
    )
    ines = couple.partners[0]
    for days_ago in (2, 1):
        completion = homework.save_answers(
            assignment,
            ines,
            {"heard": "x", "connected": 5},
            visibility=None,
            submit=True,
            today=clock.today() - timedelta(days=days_ago),
            actor=ines.user,
        )
        completion.period_start = clock.today() - timedelta(days=days_ago)
    db.session.flush()
    auth.login(couple.counselor)
    page = client.get(f"/couples/{couple.id}").text
    assert (
        "Practice check-in: in progress; Ines Fox 2 sent, 1 missed; Omar Fox 0 sent, 3 missed"
        in page
    )
    # A note on today's appointment counts from the appointment before it.
    earlier = AppointmentFactory(couple=couple, starts_at=clock.now() - timedelta(days=10))
    earlier.attendance = Attendance.BOTH
    today_appointment = AppointmentFactory(couple=couple)
    today_appointment.attendance = Attendance.BOTH
    note = draft_note(today_appointment)
    edit = client.get(f"/notes/{note.id}/edit").text
    assert "Insert homework digest" in edit
    # The date as the practice reads it (its time zone), not the UTC date it is stored in.
    since = clock.local_day(earlier.starts_at)
    assert f"Homework since the appointment of {since:%d %b %Y}" in edit
    assert "Ines Fox 2 sent" in edit


def test_an_exercise_for_one_partner_is_for_the_counselor_only(client, auth, couple):
    version = make_exercise(privacy_choice=True)
    assignment = make_assignment(couple, version, partner_id=couple.partners[0].id)
    auth.login(couple.partners[0].user)
    page = client.get(f"/portal/assignments/{assignment.id}").text
    assert "Who may read these answers?" not in page
    assert "Your counselor can read what you send." in page


def test_a_couple_answer_is_always_shared_between_them(client, auth, couple):
    version = make_exercise(mode=Mode.TOGETHER, privacy_choice=True, rhythm=Rhythm.ONCE)
    assignment = make_assignment(couple, version, rhythm="once")
    ines, omar = couple.partners
    auth.login(ines.user)
    assert (
        "Who may read these answers?" not in client.get(f"/portal/assignments/{assignment.id}").text
    )
    client.post(
        f"/portal/assignments/{assignment.id}",
        data={
            "f_heard": "OUR-JOINT-ANSWER",
            "f_connected": "5",
            "visibility": "counselor",
            "submit": "1",
        },
    )
    auth.logout()
    auth.login(omar.user)
    assert "OUR-JOINT-ANSWER" in client.get(f"/portal/assignments/{assignment.id}").text


def test_a_done_exercise_shows_done_instead_of_a_form(client, auth, couple):
    assignment = make_assignment(couple, make_exercise(rhythm=Rhythm.ONCE), rhythm="once")
    auth.login(couple.partners[0].user)
    client.post(
        f"/portal/assignments/{assignment.id}",
        data={"f_heard": "x", "f_connected": "5", "submit": "1"},
    )
    page = client.get(f"/portal/assignments/{assignment.id}").text
    assert "Done. Thank you." in page and 'name="submit"' not in page
    again = client.post(f"/portal/assignments/{assignment.id}", data={"f_heard": "late draft"})
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1


def test_closed_cases_get_no_new_homework_and_a_safety_concern_is_shown(client, auth, couple):
    from practice.couples.models import CoupleStatus
    from practice.measures.models import SafetyScreen

    version = built_in("open-questions")
    db.session.add(
        SafetyScreen(
            couple_id=couple.id,
            partner_id=couple.partners[0].id,
            answers={"afraid": 1},
            positive=True,
        )
    )
    auth.login(couple.counselor)
    page = client.get(f"/couples/{couple.id}/assignments/new").text
    assert "A positive safety check is waiting for its follow-up" in page
    couple.status = CoupleStatus.CLOSED
    start = clock.today().isoformat()
    response = client.post(
        f"/couples/{couple.id}/assignments/new",
        data={
            "exercise_id": str(version.exercise_id),
            "partner_id": "",
            "start_on": start,
            "due_on": start,
            "rhythm": "once",
        },
    )
    assert "This case is closed. Reopen it to assign exercises." in response.text


def test_implausible_dates_in_answers_are_refused(client, auth, couple):
    version = make_exercise(
        rhythm=Rhythm.ONCE,
        fields=check_spec([{"key": "when", "label": "When", "type": "date", "required": True}]),
    )
    assignment = make_assignment(couple, version, rhythm="once")
    auth.login(couple.partners[0].user)
    response = client.post(
        f"/portal/assignments/{assignment.id}", data={"f_when": "1999-01-01", "submit": "1"}
    )
    assert response.status_code == 400
    assert "Enter a date within five years of today." in response.text
