"""Homework through its services: assigning, answering, who reads what, and the digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from practice import clock
from practice.agreements.models import AgreementStatus
from practice.agreements.services import agreements_of
from practice.couples.models import CoupleStatus
from practice.exercises.fields import check_spec
from practice.exercises.models import AgreementKind, Mode, Rhythm, Visibility
from practice.homework import schedule
from practice.homework import services as homework
from practice.homework.digest import DigestLine, digest
from practice.homework.models import CompletionStatus
from tests.factories import CoupleFactory, make_assignment, make_exercise, partner_with_login

ANSWER = {"heard": "You felt rushed at breakfast", "connected": 6}

PAUSE_FIELDS = check_spec(
    [
        {"key": "signal", "label": "Our signal", "type": "short_text", "required": True},
        {"key": "revisit_on", "label": "Look again on", "type": "date", "required": True},
    ]
)


@pytest.fixture
def couple(db_session):
    couple = CoupleFactory(partners=["Robin Vale", "Sasha Vale"])
    partner_with_login(couple, 1)
    partner_with_login(couple, 2)
    return couple


def save(assignment, partner, answers=None, *, visibility=None, submit=True):
    return homework.save_answers(
        assignment,
        partner,
        dict(ANSWER) if answers is None else answers,
        visibility=visibility,
        submit=submit,
        today=clock.today(),
        actor=partner.user,
    )


def move_to(frozen_clock, day: date) -> None:
    """Noon on a day of the practice's calendar: 24 hours on is not always the next day."""
    frozen_clock.set(clock.from_local(day, time(12)))


# --- assigning -----------------------------------------------------------------------------


def test_a_closed_case_gets_no_new_homework(couple):
    couple.status = CoupleStatus.CLOSED
    with pytest.raises(homework.HomeworkError, match="case is closed"):
        make_assignment(couple, make_exercise())
    assert homework.assignments_of(couple) == []


def test_homework_cannot_go_to_a_partner_of_another_couple(couple):
    stranger = CoupleFactory(partners=["Noa Field", "Ezra Field"]).partners[0]
    with pytest.raises(homework.HomeworkError, match="one of the couple's partners"):
        make_assignment(couple, make_exercise(), partner_id=stranger.id)
    assert homework.assignments_of(couple) == []


@pytest.mark.parametrize("mode", [Mode.TOGETHER, Mode.TURNS])
def test_a_couple_exercise_cannot_go_to_one_partner(couple, mode):
    with pytest.raises(homework.HomeworkError, match="goes to both partners"):
        make_assignment(couple, make_exercise(mode=mode), partner_id=couple.partners[0].id)


def test_an_end_date_before_the_start_is_refused(couple):
    with pytest.raises(homework.HomeworkError, match="end date comes before"):
        make_assignment(couple, make_exercise(), due_on=clock.today() - timedelta(days=1))


def test_a_once_exercise_without_an_end_date_is_due_on_its_start_day(couple, frozen_clock):
    start = clock.today() + timedelta(days=2)
    assignment = make_assignment(
        couple, make_exercise(), rhythm="once", start_on=start, due_on=None
    )
    assert assignment.due_on == start
    move_to(frozen_clock, start + timedelta(days=1))  # the day after: too late to answer
    with pytest.raises(homework.HomeworkError, match="ended on"):
        save(assignment, couple.partners[0])


# --- answering -----------------------------------------------------------------------------


def test_a_draft_does_not_count_until_it_is_sent(couple):
    robin = couple.partners[0]
    assignment = make_assignment(couple, make_exercise())
    draft = save(assignment, robin, {"heard": "Half a thought"}, submit=False)
    assert draft.status is CompletionStatus.DRAFT  # a draft may leave required fields empty
    assert schedule.adherence_of(assignment, robin.id, clock.today()).this_period_done == 0
    sent = save(assignment, robin)
    assert sent.id == draft.id and sent.status is CompletionStatus.SUBMITTED
    assert sent.submitted_at == clock.now() and sent.answers == ANSWER
    assert schedule.adherence_of(assignment, robin.id, clock.today()).this_period_done == 1


def test_each_partner_keeps_one_open_draft(couple):
    robin, sasha = couple.partners
    assignment = make_assignment(couple, make_exercise())
    save(assignment, robin, {"heard": "First go"}, submit=False)
    save(assignment, robin, {"heard": "Second go"}, submit=False)
    save(assignment, sasha, {"heard": "Mine"}, submit=False)
    drafts = [(c.partner_id, c.answers["heard"]) for c in assignment.completions]
    assert drafts == [(robin.id, "Second go"), (sasha.id, "Mine")]
    assert homework.own_draft(assignment, robin).answers == {"heard": "Second go"}


def test_a_daily_answer_is_refused_twice_the_same_day_but_welcome_the_next(couple, frozen_clock):
    robin = couple.partners[0]
    assignment = make_assignment(couple, make_exercise())
    save(assignment, robin)
    with pytest.raises(homework.HomeworkError, match="Today's answer has already been sent"):
        save(assignment, robin)
    save(assignment, couple.partners[1])  # the other partner's own answer still counts
    move_to(frozen_clock, clock.today() + timedelta(days=1))
    save(assignment, robin)
    assert len(schedule.answers_that_count(assignment, robin.id)) == 2


def test_times_a_week_allows_that_many_answers_in_a_week(couple):
    robin = couple.partners[0]
    assignment = make_assignment(couple, make_exercise(), rhythm="times_per_week", times_per_week=2)
    save(assignment, robin)
    save(assignment, robin)
    with pytest.raises(homework.HomeworkError, match="This week's answers have all been sent"):
        save(assignment, robin)


def test_a_closed_or_not_yet_started_exercise_cannot_be_answered(couple):
    robin = couple.partners[0]
    closed = make_assignment(couple, make_exercise())
    homework.close_assignment(closed, couple.counselor)
    with pytest.raises(homework.HomeworkError, match="closed this exercise"):
        save(closed, robin, submit=False)
    later = make_assignment(couple, make_exercise(), start_on=clock.today() + timedelta(days=1))
    with pytest.raises(homework.HomeworkError, match="starts on"):
        save(later, robin, submit=False)
    assert closed.completions == [] and later.completions == []


def test_an_exercise_is_answered_only_by_those_it_was_given_to(couple):
    robin, sasha = couple.partners
    for_robin = make_assignment(couple, make_exercise(), partner_id=robin.id)
    with pytest.raises(homework.HomeworkError, match="not yours"):
        save(for_robin, sasha)
    outsider = CoupleFactory(partners=["Noa Field", "Ezra Field"])
    partner_with_login(outsider, 1)
    for_both = make_assignment(couple, make_exercise())
    with pytest.raises(homework.HomeworkError, match="not yours"):
        save(for_both, outsider.partners[0])
    assert for_robin.completions == [] and for_both.completions == []


def test_a_couple_answer_counts_for_both_partners(couple):
    robin, sasha = couple.partners
    assignment = make_assignment(couple, make_exercise(mode=Mode.TOGETHER))
    save(assignment, robin)
    who = schedule.answerer_of(assignment, sasha.id)
    assert who is None  # the couple as one
    assert schedule.adherence_of(assignment, who, clock.today()).this_period_done == 1
    with pytest.raises(homework.HomeworkError, match="already been sent"):
        save(assignment, sasha)  # the couple has answered for today


def test_one_partners_answers_do_not_count_for_the_other(couple):
    robin, sasha = couple.partners
    assignment = make_assignment(couple, make_exercise())
    save(assignment, robin)
    assert schedule.answerer_of(assignment, sasha.id) == sasha.id
    assert schedule.answers_that_count(assignment, sasha.id) == []
    assert schedule.adherence_of(assignment, sasha.id, clock.today()).this_period_done == 0


# --- who reads what ------------------------------------------------------------------------


def test_an_answer_to_one_partners_exercise_is_for_the_counselor_only(couple):
    robin, sasha = couple.partners
    assignment = make_assignment(couple, make_exercise(privacy_choice=True), partner_id=robin.id)
    sent = save(assignment, robin, visibility=Visibility.SHARED)
    assert sent.visibility is Visibility.COUNSELOR
    assert not homework.visible_to_partner(sent, sasha)
    assert homework.visible_to_partner(sent, robin)


def test_where_partners_may_choose_the_careful_default_is_counselor_only(couple):
    robin, sasha = couple.partners
    assignment = make_assignment(couple, make_exercise(privacy_choice=True))
    unchosen = save(assignment, robin)
    chosen = save(assignment, sasha, visibility=Visibility.SHARED)
    assert unchosen.visibility is Visibility.COUNSELOR
    assert not homework.visible_to_partner(unchosen, sasha)
    assert chosen.visibility is Visibility.SHARED
    assert homework.visible_to_partner(chosen, robin)


def test_without_a_choice_couple_answers_are_shared(couple):
    robin, sasha = couple.partners
    assignment = make_assignment(couple, make_exercise(privacy_choice=False))
    sent = save(assignment, robin, visibility=Visibility.COUNSELOR)
    assert sent.visibility is Visibility.SHARED
    assert homework.visible_to_partner(sent, sasha)
    draft = save(assignment, sasha, submit=False)
    assert not homework.visible_to_partner(draft, robin)  # drafts are their writer's alone


def test_turns_hide_the_others_answer_until_the_viewer_has_sent_theirs(couple, frozen_clock):
    robin, sasha = couple.partners
    assignment = make_assignment(couple, make_exercise(mode=Mode.TURNS))
    robins = save(assignment, robin)
    assert not homework.visible_to_partner(robins, sasha)
    save(assignment, sasha, submit=False)
    assert not homework.visible_to_partner(robins, sasha)  # a draft is not a turn taken
    sashas = save(assignment, sasha)
    assert homework.visible_to_partner(robins, sasha)
    assert homework.visible_to_partner(sashas, robin)
    move_to(frozen_clock, clock.today() + timedelta(days=1))  # a new day is a new round
    robins_next = save(assignment, robin)
    assert not homework.visible_to_partner(robins_next, sasha)
    assert homework.visible_to_partner(robins, sasha)  # yesterday's stays open


def test_sending_an_agreement_exercise_proposes_the_agreement(couple):
    robin = couple.partners[0]
    version = make_exercise(
        title="Pause agreement",
        rhythm=Rhythm.ONCE,
        mode=Mode.TOGETHER,
        agreement_kind=AgreementKind.PAUSE,
        fields=PAUSE_FIELDS,
    )
    assignment = make_assignment(couple, version, rhythm="once")
    revisit = clock.today() + timedelta(days=30)
    answers = {"signal": "Hand on the table", "revisit_on": revisit}
    save(assignment, robin, answers, submit=False)
    assert agreements_of(couple.id) == []  # a draft proposes nothing
    save(assignment, robin, answers)
    [agreement] = agreements_of(couple.id)
    assert agreement.status is AgreementStatus.PROPOSED and agreement.title == "Pause agreement"
    assert agreement.pending.proposed_by_id == robin.id
    assert agreement.pending.content["signal"] == "Hand on the table"
    assert agreement.revisit_on == revisit and agreement.assignment_id == assignment.id


def test_feedback_answers_sent_answers_only(couple):
    robin = couple.partners[0]
    assignment = make_assignment(couple, make_exercise())
    draft = save(assignment, robin, submit=False)
    with pytest.raises(homework.HomeworkError, match="Drafts cannot be answered"):
        homework.add_feedback(draft, "Good start", couple.counselor)
    sent = save(assignment, robin)
    homework.add_feedback(sent, "Thank you for noticing that.", couple.counselor)
    assert [(f.body, f.author_id) for f in sent.feedback] == [
        ("Thank you for noticing that.", couple.counselor.id)
    ]


# --- the couple page's list and the digest -------------------------------------------------


def test_the_homework_list_names_each_answerer_or_together(couple):
    robin, sasha = couple.partners
    individual = make_assignment(couple, make_exercise(title="Alone"))
    together = make_assignment(couple, make_exercise(title="As one", mode=Mode.TOGETHER))
    for_sasha = make_assignment(couple, make_exercise(title="Sasha's"), partner_id=sasha.id)
    save(individual, robin)
    save(together, sasha)
    today = clock.today()
    rows = {
        r.assignment.version.title: r
        for r in homework.assignment_rows(couple, [individual, together, for_sasha], today)
    }
    assert [(name, a.this_period_done) for name, a in rows["Alone"].adherence] == [
        ("Robin Vale", 1),
        ("Sasha Vale", 0),
    ]
    assert [(name, a.this_period_done) for name, a in rows["As one"].adherence] == [("Together", 1)]
    assert [name for name, _ in rows["Sasha's"].adherence] == ["Sasha Vale"]
    assert rows["Alone"].status is schedule.Status.IN_PROGRESS
    assert rows["Sasha's"].status is schedule.Status.NOT_STARTED


def test_the_digest_counts_since_the_appointment_by_the_practices_date(
    couple, app, monkeypatch, frozen_clock
):
    monkeypatch.setitem(app.config, "PRACTICE_TIMEZONE", "America/New_York")
    robin, sasha = couple.partners

    def on(day: int) -> None:  # noon in New York on that day of December 2026
        frozen_clock.set(datetime(2026, 12, day, 17, 0, tzinfo=UTC))

    on(5)
    check_in = make_assignment(
        couple,
        make_exercise(title="Evening check-in"),
        start_on=clock.today(),
        due_on=clock.today() + timedelta(days=11),
    )
    make_assignment(  # ended before the appointment: not part of what happened since
        couple,
        make_exercise(title="Old reading"),
        start_on=clock.today() - timedelta(days=14),
        due_on=clock.today() - timedelta(days=4),
    )
    make_assignment(  # not started yet: nothing to say
        couple,
        make_exercise(title="Next week"),
        start_on=clock.today() + timedelta(days=8),
        due_on=clock.today() + timedelta(days=14),
    )
    for day in (5, 6, 8, 9):
        on(day)
        save(check_in, robin)
    on(5)
    save(check_in, sasha)
    # The appointment: 23:30 on 7 December in New York, already 8 December in UTC.
    appointment = datetime(2026, 12, 8, 4, 30, tzinfo=UTC)
    on(10)
    result = digest(couple, homework.assignments_of(couple), [], appointment, clock.today())
    # Missed since the 7th (in New York): Robin the 7th; Sasha the 7th, 8th and 9th.
    assert result.lines == [
        DigestLine(
            "Evening check-in",
            "in progress; Robin Vale 2 sent, 1 missed; Sasha Vale 0 sent, 3 missed",
        )
    ]
    assert result.as_text().splitlines()[0] == "Homework since the appointment of 07 Dec 2026:"
    everything = digest(couple, [check_in], [], None, clock.today())
    assert everything.lines[0].detail == (
        "in progress; Robin Vale 4 sent, 1 missed; Sasha Vale 1 sent, 4 missed"
    )
