"""The appointments services and the homework digest called directly: scheduling rules,
attendance, the note's drafts, signature and lock, addenda, and what the digest counts from."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, text

from practice import clock, db
from practice.appointments import digest, services
from practice.appointments.models import (
    Appointment,
    Attendance,
    NoteFormat,
    NoteStatus,
    note_sections,
)
from practice.appointments.services import AppointmentError, NoteConflict, NoteLocked
from practice.couples.models import CoupleStatus
from practice.homework import services as homework
from tests.factories import (
    NOTE_TEXT,
    AppointmentFactory,
    CounselorFactory,
    CoupleFactory,
    draft_note,
    make_assignment,
    make_exercise,
    partner_with_login,
    signed_note,
)

DAY = date(2026, 11, 24)  # a Tuesday, well clear of the clock changes


@pytest.fixture
def new_york(app, monkeypatch, frozen_clock):
    """The practice in New York on 20 November 2026, so the dates below are in its future."""
    monkeypatch.setitem(app.config, "PRACTICE_TIMEZONE", "America/New_York")
    frozen_clock.set(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))


def slot(day: date, at: time, minutes: int = 50) -> dict[str, object]:
    """The appointment form's data for a joint appointment in person."""
    place = {"format": "in_person", "place": "Room 2", "individual_partner_id": None}
    return {"day": day, "start_time": at, "duration_minutes": minutes, **place}


def count_appointments(couple) -> int:
    query = select(func.count()).where(Appointment.couple_id == couple.id)
    return db.session.scalar(query)


# --- scheduling -----------------------------------------------------------------------------


def test_an_overlapping_appointment_of_the_same_counselor_is_refused(new_york, db_session):
    counselor = CounselorFactory()
    fox = CoupleFactory(counselor=counselor, partners=["Ines Fox", "Omar Fox"])
    other = CoupleFactory(counselor=counselor)
    services.schedule(fox, slot(DAY, time(10, 0)), counselor)
    with pytest.raises(AppointmentError, match=r"\(10:00, Ines Fox & Omar Fox\)") as refused:
        services.schedule(other, slot(DAY, time(10, 30)), counselor)
    assert refused.value.field == "start_time"
    assert count_appointments(other) == 0


def test_back_to_back_appointments_and_other_counselors_do_not_clash(new_york, db_session):
    counselor = CounselorFactory()
    couple = CoupleFactory(counselor=counselor)
    services.schedule(couple, slot(DAY, time(10, 0)), counselor)
    services.schedule(couple, slot(DAY, time(10, 50)), counselor)
    services.schedule(couple, slot(DAY, time(9, 10)), counselor)  # ends at 10:00
    someone_else = CoupleFactory()
    services.schedule(someone_else, slot(DAY, time(10, 0)), someone_else.counselor)
    assert count_appointments(couple) == 3


def test_a_cancelled_appointment_leaves_its_slot_free(new_york, db_session):
    couple = CoupleFactory()
    first = services.schedule(couple, slot(DAY, time(10, 0)), couple.counselor)
    services.record_attendance(first, {"attendance": "cancelled"}, couple.counselor)
    services.schedule(couple, slot(DAY, time(10, 0)), couple.counselor)
    assert count_appointments(couple) == 2


def test_a_clash_is_found_even_when_an_earlier_appointment_ended_before_the_new_one(
    new_york, db_session
):
    couple = CoupleFactory()
    services.schedule(couple, slot(DAY, time(9, 0)), couple.counselor)  # 09:00-09:50
    services.schedule(couple, slot(DAY, time(10, 0)), couple.counselor)  # 10:00-10:50
    # 09:55-10:45 overlaps the ten o'clock appointment.
    with pytest.raises(AppointmentError, match="10:00"):
        services.schedule(couple, slot(DAY, time(9, 55)), couple.counselor)


def test_a_date_before_the_intake_is_refused_and_the_intake_day_is_not(new_york, db_session):
    couple = CoupleFactory(intake_date=DAY)
    with pytest.raises(AppointmentError, match="before the couple's intake date") as refused:
        services.schedule(couple, slot(DAY - timedelta(days=1), time(10, 0)), couple.counselor)
    assert refused.value.field == "day"
    services.schedule(couple, slot(DAY, time(10, 0)), couple.counselor)
    assert count_appointments(couple) == 1


def test_a_closed_case_cannot_be_scheduled(new_york, db_session):
    couple = CoupleFactory(status=CoupleStatus.CLOSED, closed_on=clock.today())
    with pytest.raises(AppointmentError, match="This case is closed") as refused:
        services.schedule(couple, slot(DAY, time(10, 0)), couple.counselor)
    assert refused.value.field == "day"


def test_a_time_skipped_by_the_spring_clock_change_is_refused_on_start_time(
    app, monkeypatch, frozen_clock, db_session
):
    monkeypatch.setitem(app.config, "PRACTICE_TIMEZONE", "America/New_York")
    frozen_clock.set(datetime(2027, 3, 1, 15, 0, tzinfo=UTC))
    couple = CoupleFactory()
    change_night = date(2027, 3, 14)  # New York's clocks jump from 02:00 to 03:00
    with pytest.raises(AppointmentError, match="does not exist on that day") as refused:
        services.schedule(couple, slot(change_night, time(2, 30)), couple.counselor)
    assert refused.value.field == "start_time"
    after = services.schedule(couple, slot(change_night, time(3, 30)), couple.counselor)
    assert after.starts_at == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # EDT, UTC-4
    assert count_appointments(couple) == 1


# --- attendance -----------------------------------------------------------------------------


@pytest.mark.parametrize("attendance", ["both", "one_partner", "no_show"])
def test_who_attended_waits_until_the_appointment_begins(attendance, db_session):
    appointment = AppointmentFactory(starts_at=clock.now() + timedelta(minutes=1))
    counselor = appointment.couple.counselor
    data = {"attendance": attendance, "attending_partner_id": appointment.couple.partners[0].id}
    with pytest.raises(AppointmentError, match="once the appointment has begun"):
        services.record_attendance(appointment, data, counselor)
    assert appointment.attendance is None
    services.record_attendance(appointment, {"attendance": "cancelled"}, counselor)
    assert appointment.attendance is Attendance.CANCELLED


def test_one_partner_attending_names_one_of_the_couples_own_partners(db_session):
    appointment = AppointmentFactory(couple=CoupleFactory(partners=["Ines Fox", "Omar Fox"]))
    counselor, omar = appointment.couple.counselor, appointment.couple.partners[1]
    stranger = CoupleFactory().partners[0]
    with pytest.raises(AppointmentError, match="Say which partner attended"):
        services.record_attendance(appointment, {"attendance": "one_partner"}, counselor)
    with pytest.raises(AppointmentError, match="Choose one of the couple's partners"):
        data = {"attendance": "one_partner", "attending_partner_id": stranger.id}
        services.record_attendance(appointment, data, counselor)
    data = {"attendance": "one_partner", "attending_partner_id": omar.id}
    services.record_attendance(appointment, data, counselor)
    assert appointment.attendance_label == "Only Omar Fox attended"
    # Correcting it to both partners forgets the one named before.
    services.record_attendance(appointment, {"attendance": "both"}, counselor)
    assert (appointment.attending_partner, appointment.attendance) == (None, Attendance.BOTH)


def test_an_individual_appointment_is_attended_by_that_partner_alone(db_session):
    couple = CoupleFactory(partners=["Ines Fox", "Omar Fox"])
    ines, omar = couple.partners
    appointment = AppointmentFactory(couple=couple, individual_partner=ines)
    refused = [
        {"attendance": "both"},
        {"attendance": "one_partner", "attending_partner_id": omar.id},
    ]
    for data in refused:
        with pytest.raises(AppointmentError, match="individual appointment with Ines Fox"):
            services.record_attendance(appointment, data, couple.counselor)
    data = {"attendance": "one_partner", "attending_partner_id": ines.id}
    services.record_attendance(appointment, data, couple.counselor)
    assert appointment.attending_partner is ines
    services.record_attendance(appointment, {"attendance": "no_show"}, couple.counselor)
    assert appointment.attendance is Attendance.NO_SHOW


# --- notes: drafts, signing, the lock -------------------------------------------------------


def test_every_saved_draft_is_kept_as_a_numbered_version(db_session):
    note = draft_note(AppointmentFactory(), plan="Walk together twice.")
    counselor = note.appointment.couple.counselor
    daily = {**NOTE_TEXT, "plan": "Walk together daily."}
    services.save_draft(note, daily, note.version, counselor)
    assert [(v.number, v.content["plan"], v.signed) for v in note.versions] == [
        (1, "Walk together twice.", False),
        (2, "Walk together daily.", False),
    ]
    # One note per appointment: opening it again returns the same draft.
    assert services.start_note(note.appointment, counselor, NoteFormat.SOAP) is note


def test_a_save_from_a_stale_copy_is_a_conflict_and_overwrites_nothing(db_session):
    note = draft_note(AppointmentFactory(), plan="First plan.")
    counselor = note.appointment.couple.counselor
    opened_at = note.version
    services.save_draft(note, {**NOTE_TEXT, "plan": "Second plan."}, opened_at, counselor)
    with pytest.raises(NoteConflict):
        services.save_draft(note, {**NOTE_TEXT, "plan": "Stale plan."}, opened_at, counselor)
    assert note.plan == "Second plan."
    assert len(note.versions) == 2


@pytest.mark.parametrize(
    "content",
    [
        {"data_section": "", "assessment": "", "plan": ""},
        # A SOAP note whose only text sits in the DAP-only section: it is dropped, so empty.
        {"format": "soap", "subjective": "", "objective": "", "assessment": "", "plan": ""},
    ],
    ids=["dap", "soap with only hidden text"],
)
def test_an_empty_note_cannot_be_signed(content, db_session):
    note = draft_note(AppointmentFactory())
    counselor = note.appointment.couple.counselor
    with pytest.raises(AppointmentError, match="An empty note cannot be signed"):
        services.sign(note, {**NOTE_TEXT, **content}, note.version, counselor)
    assert (note.status, note.signed_at, note.content_hash) == (NoteStatus.DRAFT, None, None)


def test_a_note_cannot_be_signed_before_its_appointment_begins(db_session, frozen_clock):
    note = draft_note(AppointmentFactory(starts_at=clock.now() + timedelta(hours=1)))
    counselor = note.appointment.couple.counselor
    with pytest.raises(AppointmentError, match="once its appointment has taken place"):
        services.sign(note, NOTE_TEXT, note.version, counselor)
    frozen_clock.advance(hours=1)
    services.sign(note, NOTE_TEXT, note.version, counselor)
    assert note.is_signed


def test_signing_records_who_and_when_and_keeps_the_signed_text(db_session):
    note = signed_note(AppointmentFactory())
    assert (note.signed_by, note.signed_at) == (note.appointment.couple.counselor, clock.now())
    assert note.versions[-1].signed and note.versions[-1].content == note.content()
    assert services.verify_signature(note)
    counselor = note.appointment.couple.counselor
    for change in (services.save_draft, services.sign):
        with pytest.raises(NoteLocked):
            change(note, {**NOTE_TEXT, "plan": "Rewritten."}, note.version, counselor)
    assert note.plan == NOTE_TEXT["plan"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda note: setattr(note, "plan", "Rewritten after signing."),
        lambda note: (setattr(note, "status", NoteStatus.DRAFT), setattr(note, "plan", "Again.")),
        lambda note: setattr(note.versions[-1], "content", {"plan": "Rewritten."}),
        lambda note: db.session.delete(note),
    ],
    ids=["text", "back to draft", "signed version", "delete"],
)
def test_a_signed_note_refuses_direct_changes_when_flushed(tamper, db_session):
    note = signed_note(AppointmentFactory())
    attempt = db.session.begin_nested()
    tamper(note)
    with pytest.raises(NoteLocked):
        db.session.flush()
    attempt.rollback()  # drop the refused change, as the request's rollback would
    assert note.plan == NOTE_TEXT["plan"] and services.verify_signature(note)


def test_the_signature_holds_after_a_reload_and_shows_a_change_made_in_the_database(
    db_session, frozen_clock
):
    # A real signing time has microseconds; they must come back from the database unchanged.
    frozen_clock.set(clock.now() + timedelta(microseconds=654321))
    note = signed_note(AppointmentFactory(starts_at=clock.now() - timedelta(hours=1)))
    db.session.expire_all()
    assert services.verify_signature(note)
    db.session.execute(
        text("UPDATE progress_notes SET plan = 'Quietly changed.' WHERE id = :id"), {"id": note.id}
    )
    db.session.expire_all()
    assert not services.verify_signature(note)
    assert not services.verify_signature(draft_note(AppointmentFactory()))


def test_addenda_go_on_signed_notes_bound_to_the_signature_and_listed_in_order(
    db_session, frozen_clock
):
    draft = draft_note(AppointmentFactory())
    counselor = draft.appointment.couple.counselor
    with pytest.raises(AppointmentError, match="addenda are for signed notes"):
        services.add_addendum(draft, {"reason": "Typo", "body": "Read 'daily'."}, counselor)
    note = signed_note(AppointmentFactory(couple=draft.appointment.couple))
    signed_hash = note.content_hash
    first = services.add_addendum(note, {"reason": "Typo", "body": "Read 'daily'."}, counselor)
    frozen_clock.advance(minutes=3)
    second = services.add_addendum(note, {"reason": "Late", "body": "Omar called."}, counselor)
    db.session.expire_all()
    assert note.addenda == [first, second]
    when = first.signed_at.isoformat()
    assert first.content_hash == services.content_hash(
        {"note_hash": signed_hash, "reason": "Typo", "body": "Read 'daily'."}
        | {"signed_by": counselor.id, "signed_at": when}
    )
    # The same words on another note carry another hash: an addendum cannot be moved.
    other = signed_note(AppointmentFactory(couple=note.appointment.couple), plan="Other plan.")
    moved = services.add_addendum(other, {"reason": "Typo", "body": "Read 'daily'."}, counselor)
    assert moved.content_hash != first.content_hash
    # Addenda leave the note and its signature as they were.
    assert note.content_hash == signed_hash and services.verify_signature(note)


def test_dap_and_soap_notes_show_their_own_sections_and_keep_only_those(db_session):
    dap, soap_sections = note_sections(NoteFormat.DAP), note_sections("soap")
    assert dap == [("data_section", "Data"), ("assessment", "Assessment"), ("plan", "Plan")]
    labels = ", ".join(label for _, label in soap_sections)
    assert labels == "Subjective, Objective, Assessment, Plan"
    note = draft_note(AppointmentFactory())
    soap = {**NOTE_TEXT, "format": "soap", "subjective": "Both tired.", "objective": "Calm."}
    services.save_draft(note, soap, note.version, note.appointment.couple.counselor)
    # The DAP-only text is not kept hidden in a SOAP note.
    assert (note.data_section, note.subjective) == ("", "Both tired.")


# --- the digest since the last appointment --------------------------------------------------


def attended(couple, days_ago: float, attendance: Attendance | None) -> Appointment:
    appointment = AppointmentFactory(
        couple=couple, starts_at=clock.now() - timedelta(days=days_ago)
    )
    appointment.attendance = attendance
    return appointment


def test_the_last_attended_appointment_skips_cancelled_missed_and_unrecorded_ones(db_session):
    couple = CoupleFactory()
    oldest = attended(couple, 20, Attendance.BOTH)
    latest = attended(couple, 10, Attendance.ONE_PARTNER)
    attended(couple, 5, Attendance.CANCELLED)
    attended(couple, 3, Attendance.NO_SHOW)
    attended(couple, 1, None)
    attended(CoupleFactory(), 0.5, Attendance.BOTH)  # another couple's
    db.session.flush()
    assert digest.last_attended_appointment(couple) is latest
    # A note on the latest one counts from the appointment before it.
    assert digest.last_attended_appointment(couple, before=latest.starts_at) is oldest
    assert digest.last_attended_appointment(couple, before=oldest.starts_at) is None


def sent_by(result, name: str) -> int:
    (line,) = result.lines
    return int(re.search(rf"{name} (\d+) sent", line.detail).group(1))


def test_the_digest_counts_homework_since_the_last_attended_appointment(db_session, frozen_clock):
    couple = CoupleFactory(partners=["Ines Fox", "Omar Fox"])
    ines = couple.partners[0]
    login = partner_with_login(couple, 1)
    start = clock.now()
    earlier, last = attended(couple, 15, Attendance.BOTH), attended(couple, 5, Attendance.BOTH)
    assignment = make_assignment(
        couple, make_exercise(), start_on=clock.local_day(start - timedelta(days=14))
    )
    for days_ago in (10, 2):  # one answer between the appointments, one after the last
        frozen_clock.set(start - timedelta(days=days_ago))
        answers = {"heard": "Omar wants quiet evenings.", "connected": 6}
        homework.save_answers(
            assignment,
            ines,
            answers,
            visibility=None,
            submit=True,
            today=clock.today(),
            actor=login,
        )
    frozen_clock.set(start)
    since_last = digest.digest_for(couple, clock.today())
    assert since_last.since == last.starts_at
    assert (sent_by(since_last, "Ines Fox"), sent_by(since_last, "Omar Fox")) == (1, 0)
    before_last = digest.digest_for(couple, clock.today(), before=last.starts_at)
    assert before_last.since == earlier.starts_at
    assert sent_by(before_last, "Ines Fox") == 2
    assert before_last.as_text().startswith(
        f"Homework since the appointment of {clock.local_day(earlier.starts_at):%d %b %Y}:"
    )
