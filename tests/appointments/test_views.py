from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from practice import clock, db
from practice.appointments import services
from practice.appointments.models import Addendum, Appointment, Attendance, NoteVersion
from tests.conftest import count_queries
from tests.factories import (
    NOTE_TEXT,
    AppointmentFactory,
    CounselorFactory,
    CoupleFactory,
    draft_note,
    signed_note,
)


def note_form(version: int, **changes: object) -> dict[str, object]:
    data = {**NOTE_TEXT, **changes, "version": str(version)}
    data["risk_observed"] = "y" if data["risk_observed"] else ""
    return data


def test_counselor_schedules_an_appointment_in_local_time(
    client, auth, app, frozen_clock, monkeypatch
):
    monkeypatch.setitem(app.config, "PRACTICE_TIMEZONE", "America/New_York")  # pinned here
    frozen_clock.set(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    couple = CoupleFactory()
    auth.login(couple.counselor)
    response = client.post(
        f"/couples/{couple.id}/appointments/new",
        data={
            "day": "2026-12-03",
            "start_time": "17:30",
            "duration_minutes": "50",
            "format": "video",
            "place": "Video link in e-mail",
            "individual_partner_id": "",
        },
        follow_redirects=True,
    )
    assert "Appointment scheduled." in response.text
    assert "Thu 03 Dec 2026, 17:30" in response.text
    appointment = db.session.scalar(select(Appointment).where(Appointment.couple_id == couple.id))
    # America/New_York is UTC-5 in December.
    assert appointment.starts_at == datetime(2026, 12, 3, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"day": ""}, "Enter the date."),
        ({"start_time": "25:00"}, "Not a valid time value."),
        ({"duration_minutes": "5"}, "Between 10 and 240 minutes."),
        ({"duration_minutes": "many"}, "Not a valid integer value."),
        ({"format": "carrier pigeon"}, "Not a valid choice"),
        ({"place": "x" * 201}, "Use at most 200 characters."),
        ({"individual_partner_id": "999999"}, "Not a valid choice"),
    ],
)
def test_bad_appointment_input_is_refused(client, auth, changes, message):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    data = {
        "day": (clock.today() + timedelta(days=3)).isoformat(),
        "start_time": "17:30",
        "duration_minutes": "50",
        "format": "video",
        "place": "",
        "individual_partner_id": "",
        **changes,
    }
    response = client.post(f"/couples/{couple.id}/appointments/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0


def test_attendance_of_one_named_partner(client, auth):
    appointment = AppointmentFactory()
    auth.login(appointment.couple.counselor)
    path = f"/appointments/{appointment.id}/attendance"
    missing = client.post(path, data={"attendance": "one_partner", "attending_partner_id": ""})
    assert missing.status_code == 400 and "Say which partner attended." in missing.text
    partner = appointment.couple.partners[1]
    client.post(path, data={"attendance": "one_partner", "attending_partner_id": str(partner.id)})
    assert appointment.attendance is Attendance.ONE_PARTNER
    page = client.get(f"/appointments/{appointment.id}")
    assert f"Only {partner.name} attended" in page.text


def test_calendar_file_has_the_time_in_utc_and_no_clinical_detail(client, auth):
    appointment = AppointmentFactory(starts_at=datetime(2026, 12, 3, 22, 30, tzinfo=UTC))
    auth.login(appointment.couple.counselor)
    response = client.get(f"/appointments/{appointment.id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    body = response.data.decode()
    assert "DTSTART:20261203T223000Z" in body
    assert "DTEND:20261203T232000Z" in body
    assert "LOCATION:Room 2" in body
    assert appointment.couple.partners[0].name not in body


def test_upcoming_appointments_show_on_the_counselors_home(client, auth):
    soon = AppointmentFactory(starts_at=clock.now() + timedelta(days=2))
    AppointmentFactory(starts_at=clock.now() + timedelta(days=1))  # another counselor's
    auth.login(soon.couple.counselor)
    page = client.get("/couples").text
    assert "Upcoming appointments" in page
    assert page.count("/appointments/") == 1


def test_a_draft_is_saved_and_every_version_is_kept(client, auth):
    appointment = AppointmentFactory()
    auth.login(appointment.couple.counselor)
    client.post(f"/appointments/{appointment.id}/note", data={"format": "soap"})
    note = appointment.note
    assert note.format.value == "soap"
    first = client.post(
        f"/notes/{note.id}/edit", data=note_form(note.version, plan="Plan A"), follow_redirects=True
    )
    assert "Draft saved." in first.text
    client.post(f"/notes/{note.id}/edit", data=note_form(note.version, plan="Plan B"))
    assert note.plan == "Plan B"
    plans = db.session.scalars(
        select(NoteVersion.content)
        .where(NoteVersion.note_id == note.id)
        .order_by(NoteVersion.number)
    ).all()
    assert [content["plan"] for content in plans] == ["Plan A", "Plan B"]


def test_signing_records_who_when_and_a_hash(client, auth):
    appointment = AppointmentFactory()
    counselor = appointment.couple.counselor
    note = draft_note(appointment)
    auth.login(counselor)
    response = client.post(
        f"/notes/{note.id}/edit",
        data={**note_form(note.version), "sign": "1"},
        follow_redirects=True,
    )
    assert "Note signed and locked." in response.text
    assert f"Signed by <strong>{counselor.name}</strong>" in response.text
    assert note.signed_by_id == counselor.id and note.signed_at is not None
    assert len(note.content_hash) == 64 and note.content_hash in response.text
    assert services.verify_signature(note)


def test_risk_observed_needs_a_description(client, auth):
    note = draft_note(AppointmentFactory())
    auth.login(note.appointment.couple.counselor)
    response = client.post(
        f"/notes/{note.id}/edit", data=note_form(note.version, risk_observed=True, risk_details="")
    )
    assert response.status_code == 400
    assert "Describe the risk you observed." in response.text


def test_a_signed_note_cannot_be_changed_through_any_route(app, client, auth):
    note = signed_note(AppointmentFactory())
    couple = note.appointment.couple
    auth.login(couple.counselor)
    before = (note.content(), note.content_hash, note.signed_at)
    hostile = note_form(
        note.version,
        data_section="REWRITTEN",
        assessment="REWRITTEN",
        plan="REWRITTEN",
        status="draft",
        content_hash="0" * 64,
        sign="1",
    )
    values = {
        "couple_id": couple.id,
        "appointment_id": note.appointment_id,
        "note_id": note.id,
        "partner_id": couple.partners[0].id,
        "measure_key": "checkin",
        "screen_id": 1,
    }
    tried = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not set(rule.arguments) <= set(values):
            continue
        with app.test_request_context():
            path = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
        client.post(path, data=hostile)
        tried += 1
    assert tried >= 10
    db.session.expire_all()
    assert (note.content(), note.content_hash, note.signed_at) == before
    assert services.verify_signature(note)
    # Below the routes, too: the ORM refuses to flush a change to a signed note.
    note.plan = "changed in code"
    with pytest.raises(services.NoteLocked):
        db.session.flush()
    db.session.rollback()


def test_editing_a_signed_note_answers_409_and_keeps_nothing(client, auth):
    note = signed_note(AppointmentFactory())
    auth.login(note.appointment.couple.counselor)
    response = client.post(f"/notes/{note.id}/edit", data=note_form(note.version, plan="Late"))
    assert response.status_code == 409
    assert "This note is signed and locked" in response.text
    assert note.plan == NOTE_TEXT["plan"]


def test_addenda_show_after_the_note_in_order_with_signer_and_time(client, auth):
    note = signed_note(AppointmentFactory())
    counselor = note.appointment.couple.counselor
    auth.login(counselor)
    for number in (1, 2, 3):
        client.post(
            f"/notes/{note.id}/addenda",
            data={"reason": f"Correction {number}", "body": f"Body {number}"},
        )
    page = client.get(f"/notes/{note.id}").text
    positions = [page.index(f"Correction {n}") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    assert page.index("Signed by <strong>") < positions[0]
    blocks = page.split('class="card mb-2 addendum"')[1:]
    assert len(blocks) == 3
    assert all(f"Signed by {counselor.name} on" in block for block in blocks)
    addenda = db.session.scalars(select(Addendum).where(Addendum.note_id == note.id)).all()
    assert all(len(a.content_hash) == 64 and a.signed_at for a in addenda)
    assert services.verify_signature(note)


def test_an_empty_addendum_is_refused(client, auth):
    note = signed_note(AppointmentFactory())
    auth.login(note.appointment.couple.counselor)
    response = client.post(f"/notes/{note.id}/addenda", data={"reason": "", "body": ""})
    assert response.status_code == 400
    assert "Give the reason." in response.text and "Write the addendum." in response.text


def test_the_second_writer_of_a_draft_gets_a_conflict_that_keeps_their_text(client, auth):
    note = draft_note(AppointmentFactory())
    auth.login(note.appointment.couple.counselor)
    loaded_version = note.version  # both writers opened the draft at this version
    first = client.post(
        f"/notes/{note.id}/edit",
        data=note_form(loaded_version, assessment="First writer's assessment"),
    )
    assert first.status_code == 302
    second = client.post(
        f"/notes/{note.id}/edit", data=note_form(loaded_version, assessment="Second writer's words")
    )
    assert second.status_code == 409
    assert "Someone saved this note while you were editing" in second.text
    assert "Second writer&#39;s words" in second.text  # kept in the form
    assert "First writer&#39;s assessment" in second.text  # the saved version beside it
    assert note.assessment == "First writer's assessment"
    # Saving again from the conflict page is a deliberate choice and then succeeds.
    again = client.post(
        f"/notes/{note.id}/edit", data=note_form(note.version, assessment="Second writer's words")
    )
    assert again.status_code == 302
    assert note.assessment == "Second writer's words"


def test_another_counselor_cannot_reach_notes_or_appointments(client, auth):
    note = signed_note(AppointmentFactory())
    auth.login(CounselorFactory())
    for path in (
        f"/notes/{note.id}",
        f"/notes/{note.id}/edit",
        f"/appointments/{note.appointment_id}",
        f"/appointments/{note.appointment_id}/calendar.ics",
    ):
        assert client.get(path).status_code == 404


def test_couple_page_runs_a_fixed_number_of_queries(client, auth, app):
    couple = CoupleFactory()
    auth.login(couple.counselor)

    def add_history(weeks: int) -> None:
        for week in range(weeks):
            appointment = AppointmentFactory(
                couple=couple, starts_at=clock.now() - timedelta(weeks=week + 1)
            )
            signed_note(appointment)
            for partner in couple.partners:
                from practice.measures import services as measures
                from practice.measures.definitions import CSI4

                measures.record_response(
                    partner,
                    CSI4,
                    dict.fromkeys(CSI4.item_keys, 3),
                    clock.today() - timedelta(weeks=week),
                    couple.counselor,
                )

    add_history(2)
    with count_queries(app) as few:
        client.get(f"/couples/{couple.id}")
    add_history(25)
    with count_queries(app) as many:
        page = client.get(f"/couples/{couple.id}")
    assert "Page 1 of 3" in page.text  # 27 appointments, 10 a page
    assert len(few) == len(many), many.statements


def test_risk_text_without_the_box_is_not_dropped_silently(client, auth):
    note = draft_note(AppointmentFactory())
    auth.login(note.appointment.couple.counselor)
    response = client.post(
        f"/notes/{note.id}/edit",
        data=note_form(note.version, risk_observed=False, risk_details="Punched a wall"),
    )
    assert response.status_code == 400
    assert "Tick “Risk observed” to keep this description, or clear it." in response.text


def test_an_empty_note_or_one_for_a_future_appointment_cannot_be_signed(client, auth):
    note = draft_note(AppointmentFactory())
    auth.login(note.appointment.couple.counselor)
    empty = note_form(note.version, data_section="", assessment="", plan="", sign="1")
    response = client.post(f"/notes/{note.id}/edit", data=empty)
    assert response.status_code == 400
    assert "An empty note cannot be signed." in response.text
    assert not note.is_signed
    later = clock.now() + timedelta(days=2)
    future = draft_note(AppointmentFactory(couple=note.appointment.couple, starts_at=later))
    response = client.post(
        f"/notes/{future.id}/edit", data={**note_form(future.version), "sign": "1"}
    )
    assert "A note can be signed once its appointment has taken place." in response.text
    assert not future.is_signed


def test_text_of_the_other_format_is_not_kept_hidden_in_the_note(client, auth):
    note = draft_note(AppointmentFactory())
    auth.login(note.appointment.couple.counselor)
    data = note_form(note.version, format="dap", subjective="Typed under SOAP first")
    client.post(f"/notes/{note.id}/edit", data=data)
    assert note.subjective == "" and note.data_section == NOTE_TEXT["data_section"]


def test_a_stale_tab_saving_a_signed_note_gets_its_text_back(client, auth):
    note = signed_note(AppointmentFactory())
    auth.login(note.appointment.couple.counselor)
    response = client.post(
        f"/notes/{note.id}/edit", data=note_form(1, assessment="Words from the old tab")
    )
    assert response.status_code == 409
    assert "Words from the old tab" in response.text
    assert note.assessment == NOTE_TEXT["assessment"]


def test_typing_keeps_the_session_alive(client, auth, db_session):
    from practice.accounts.models import UserSession

    counselor = CounselorFactory()
    auth.login(counselor)
    record = db_session.scalar(select(UserSession).where(UserSession.user_id == counselor.id))
    record.last_seen_at = clock.now() - timedelta(minutes=10)
    assert client.get("/session/keep-alive").status_code == 204
    db_session.refresh(record)
    assert clock.now() - record.last_seen_at < timedelta(minutes=1)
