"""A positive safety check holds joint work until the counselor's follow-up decides."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from practice import clock, db
from practice.audit.models import AuditEntry
from practice.exercises.models import Mode, Rhythm
from practice.homework.models import Assignment
from practice.measures import services as measures
from practice.measures.definitions import HARK
from tests.conftest import visible_text
from tests.factories import (
    RISK_REVIEW,
    AppointmentFactory,
    CounselorFactory,
    CoupleFactory,
    follow_up,
    individual_note,
    make_exercise,
    partner_with_login,
    signed_note,
)

HOLD = "A positive safety check is waiting for its follow-up"


@pytest.fixture
def flagged(db_session):
    """A couple whose first partner answered yes on the safety check."""
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    ana = partner_with_login(couple, 1)
    answers = {item.key: 0 for item in HARK.items} | {"afraid": 1}
    screen = measures.record_safety_screen(couple.partners[0], answers, ana)
    return couple, screen


def assign(client, couple, exercise, **changes):
    form = {
        "exercise_id": exercise.exercise_id,
        "partner_id": "",
        "start_on": clock.today().isoformat(),
        "due_on": "",
        "rhythm": "once",
        "note": "",
        **changes,
    }
    return client.post(f"/couples/{couple.id}/assignments/new", data=form)


def test_joint_work_waits_for_the_follow_up_unless_overridden_with_a_reason(client, auth, flagged):
    couple, _screen = flagged
    together = make_exercise(owner=couple.counselor, mode=Mode.TOGETHER, rhythm=Rhythm.ONCE)
    alone = make_exercise(owner=couple.counselor, title="Alone", mode=Mode.INDIVIDUAL)
    auth.login(couple.counselor)
    form = client.get(f"/couples/{couple.id}/assignments/new").text
    assert 'id="joint-work-hold"' in form and HOLD in form
    refused = assign(client, couple, together)
    assert refused.status_code == 400
    assert "To assign it anyway, write why in the box below." in visible_text(refused.text)
    assert db.session.scalar(select(Assignment)) is None
    # What one partner does alone is not held back.
    one = assign(client, couple, alone, partner_id=couple.partners[1].id)
    assert one.status_code == 302
    overridden = assign(client, couple, together, override_reason="Both asked for it; safe.")
    assert overridden.status_code == 302
    joint = db.session.scalar(select(Assignment).where(Assignment.partner_id.is_(None)))
    assert joint.hold_override == "Both asked for it; safe."
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "assignment.hold_override" in actions


def test_a_decision_to_pause_holds_joint_work_until_it_is_resumed(client, auth, flagged):
    couple, screen = flagged
    together = make_exercise(owner=couple.counselor, mode=Mode.TURNS, rhythm=Rhythm.ONCE)
    paused = follow_up(screen, decision="pause", reason="Fear at home; individual work first.")
    auth.login(couple.counselor)
    page = visible_text(client.get(f"/couples/{couple.id}").text)
    assert "Joint work paused after the safety follow-up" in page
    assert "Fear at home; individual work first." in page
    refused = assign(client, couple, together)
    assert refused.status_code == 400 and "Joint work is paused" in refused.text
    empty = client.post(f"/couples/{couple.id}/safety/follow-ups/{paused.id}/resume")
    assert empty.status_code == 302 and paused.resumed_at is None  # a reason is needed
    client.post(
        f"/couples/{couple.id}/safety/follow-ups/{paused.id}/resume",
        data={"reason": "Safety plan in place; both want to go on."},
    )
    assert paused.resumed_at is not None
    assert assign(client, couple, together).status_code == 302
    history = visible_text(client.get(f"/couples/{couple.id}").text.split('id="safety-history"')[1])
    assert "pause joint work ( Fear at home; individual work first.)" in history
    assert "joint work resumed" in history


def test_a_decision_to_continue_lets_joint_work_go_on(client, auth, flagged):
    couple, screen = flagged
    together = make_exercise(owner=couple.counselor, mode=Mode.TOGETHER, rhythm=Rhythm.ONCE)
    follow_up(screen, decision="continue")
    auth.login(couple.counselor)
    assert 'id="joint-work-hold"' not in client.get(f"/couples/{couple.id}/assignments/new").text
    assert assign(client, couple, together).status_code == 302


def test_only_a_signed_note_of_an_individual_appointment_with_that_partner_counts(
    client, auth, flagged
):
    couple, screen = flagged
    joint_note = signed_note(AppointmentFactory(couple=couple))
    other_partners = individual_note(couple, couple.partners[1])
    hers = individual_note(couple, couple.partners[0])
    auth.login(couple.counselor)
    page = f"/couples/{couple.id}/safety/{screen.id}/follow-up"
    form = client.get(page).text
    assert f'value="{hers.id}"' in form
    assert f'value="{joint_note.id}"' not in form and f'value="{other_partners.id}"' not in form
    review = {f"risk_{key}": value for key, value in RISK_REVIEW.items()}
    for wrong in (joint_note, other_partners):
        answer = client.post(
            page, data={**review, "note_id": wrong.id, "decision": "refer", "reason": "x"}
        )
        assert answer.status_code == 400
    assert screen.reviewed_at is None
    missing = client.post(page, data={"note_id": hers.id, "decision": "refer", "reason": "x"})
    assert missing.status_code == 400 and "Answer each question of the review." in missing.text
    assert screen.reviewed_at is None


def test_another_counselor_finds_no_follow_up(client, auth, flagged):
    couple, screen = flagged
    auth.login(CounselorFactory())
    assert client.get(f"/couples/{couple.id}/safety/{screen.id}/follow-up").status_code == 404
