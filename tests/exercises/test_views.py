"""The exercise library's pages: versions, counselors' own exercises, sharing, the editor."""

from __future__ import annotations

from sqlalchemy import select

from practice import clock, db
from practice.exercises import services as exercises
from practice.exercises.models import Exercise
from practice.homework import services as homework
from tests.factories import CounselorFactory, make_assignment, make_exercise


def test_editing_an_exercise_leaves_earlier_assignments_and_answers_as_they_were(
    client, auth, couple
):
    version = make_exercise(owner=couple.counselor)
    assignment = make_assignment(couple, version)
    ines = couple.partners[0]
    homework.save_answers(
        assignment,
        ines,
        {"heard": "Before the edit", "connected": 4},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=ines.user,
    )
    auth.login(couple.counselor)
    edit = client.get(f"/exercises/{version.exercise_id}/edit")
    assert 'value="What I heard"' in edit.text
    response = client.post(
        f"/exercises/{version.exercise_id}/edit",
        data={
            "title": "Renamed check-in",
            "area": "empathy",
            "purpose": "New purpose",
            "instructions": "New words",
            "minutes": "20",
            "rhythm": "weekly",
            "mode": "individual",
            "fields-0-label": "A new question",
            "fields-0-type": "short_text",
        },
        follow_redirects=True,
    )
    assert "Saved as version 2." in response.text
    db.session.expire_all()
    assert assignment.version.title == "Practice check-in"
    assert assignment.version.fields[0]["label"] == "What I heard"
    assert assignment.completions[0].answers == {"heard": "Before the edit", "connected": 4}
    assert client.get(f"/assignments/{assignment.id}").text.count("Before the edit") == 1


def test_counselors_write_exercises_and_admins_share_them(client, auth):
    counselor = CounselorFactory()
    colleague = CounselorFactory()
    auth.login(counselor)
    response = client.post(
        "/exercises/new",
        data={
            "title": "Gratitude list",
            "area": "commitment_repair",
            "purpose": "Notice.",
            "instructions": "Write three things.",
            "minutes": "5",
            "rhythm": "daily",
            "mode": "individual",
            "fields-0-label": "Three things",
            "fields-0-type": "long_text",
            "fields-0-required": "y",
            "fields-1-label": "Mood",
            "fields-1-type": "checklist",
            "fields-1-options": "calm; tired; glad",
        },
        follow_redirects=True,
    )
    assert "Exercise saved to your library." in response.text
    exercise = db.session.scalar(select(Exercise).where(Exercise.owner_id == counselor.id))
    assert exercises.current_version(exercise).fields[1]["options"] == ["calm", "tired", "glad"]
    auth.logout()
    auth.login(colleague)
    assert client.get(f"/exercises/{exercise.id}").status_code == 404
    auth.logout()
    from tests.factories import AdminFactory

    auth.login(AdminFactory())
    client.post(f"/exercises/{exercise.id}/share")
    auth.logout()
    auth.login(colleague)
    assert "Gratitude list" in client.get("/exercises").text
    assert client.get(f"/exercises/{exercise.id}/edit").status_code == 404


def test_an_exercise_without_questions_is_refused(client, auth):
    auth.login(CounselorFactory())
    response = client.post(
        "/exercises/new",
        data={
            "title": "Empty",
            "area": "empathy",
            "purpose": "p",
            "instructions": "i",
            "minutes": "5",
            "rhythm": "once",
            "mode": "individual",
            "fields-0-label": "Pick",
            "fields-0-type": "checklist",
        },
    )
    assert response.status_code == 400
    assert "A checklist needs options" in response.text


def test_the_exercise_editor_always_offers_empty_rows(client, auth, couple):
    version = make_exercise(owner=couple.counselor)
    auth.login(couple.counselor)
    page = client.get(f"/exercises/{version.exercise_id}/edit").text
    assert page.count('class="row g-2 align-items-end border-bottom pb-2 mb-2 field-row"') == 6
