"""The measures services called directly: recording answers, the progress view's series,
change and divergence, and the private safety check with its follow-up."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from practice import clock, db
from practice.measures import services as measures
from practice.measures.definitions import CHECKIN, CSI4, HARK, NOT_APPLICABLE
from practice.measures.models import MeasureResponse, SafetyScreen
from practice.measures.scoring import AnswerError
from practice.unit_of_work import UserError
from tests.factories import CounselorFactory, CoupleFactory, follow_up, partner_with_login


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def csi4(partner, scores: tuple[int, int, int, int], days_ago: int, actor):
    answers = dict(zip(CSI4.item_keys, scores, strict=True))
    taken_on = clock.today() - timedelta(days=days_ago)
    return measures.record_response(partner, CSI4, answers, taken_on, actor)


def checkin(partner, actor, days_ago: int = 0, every: int = 7, **items: int):
    answers = {**dict.fromkeys(CHECKIN.item_keys, every), **items}
    taken_on = clock.today() - timedelta(days=days_ago)
    return measures.record_response(partner, CHECKIN, answers, taken_on, actor)


def progress(couple, key: str):
    (found,) = [m for m in measures.progress_of(couple).measures if m.measure.key == key]
    return found


@pytest.fixture
def reyes(db_session):
    """A couple whose partners both have portal sign-ins: (couple, Ana's user, Ben's user)."""
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    return couple, partner_with_login(couple, 1), partner_with_login(couple, 2)


def no(**yes: int) -> dict[str, int]:
    return {**dict.fromkeys(HARK.item_keys, 0), **yes}


# --- recording answers ----------------------------------------------------------------------


def test_a_response_is_scored_dated_and_names_who_entered_it(db_session):
    couple = CoupleFactory()
    response = csi4(couple.partners[1], (4, 3, 3, 2), 3, couple.counselor)
    assert (response.total, response.partner_id, response.entered_by) == (
        12.0,
        couple.partners[1].id,
        couple.counselor,
    )
    assert response.taken_on == clock.today() - timedelta(days=3)


def test_the_private_safety_check_cannot_be_recorded_as_a_progress_measure(db_session):
    couple = CoupleFactory()
    with pytest.raises(ValueError, match="private measures"):
        measures.record_response(
            couple.partners[0], HARK, no(afraid=1), clock.today(), couple.counselor
        )
    assert count(MeasureResponse) == 0 and count(SafetyScreen) == 0


@pytest.mark.parametrize(
    ("measure", "changes", "item", "message"),
    [
        (CSI4, {"satisfied": None}, "satisfied", "Please answer this question."),
        (CSI4, {"extra": 2}, "extra", "This question is not part of the measure."),
        (CSI4, {"happiness": 7}, "happiness", "Choose one of the answers offered."),
        (CSI4, {"warm": True}, "warm", "Choose one of the answers offered."),
        (CSI4, {"rewarding": "3"}, "rewarding", "Choose one of the answers offered."),
        (CSI4, {"warm": NOT_APPLICABLE}, "warm", "Choose one of the answers offered."),
        # Only parenting may "not apply" in the check-in.
        (CHECKIN, {"closeness": NOT_APPLICABLE}, "closeness", "Choose one of the answers offered."),
        (CHECKIN, {"empathy": 11}, "empathy", "Choose one of the answers offered."),
    ],
)
def test_bad_answers_are_refused_naming_the_question_and_nothing_is_stored(
    db_session, measure, changes, item, message
):
    couple = CoupleFactory()
    answers = {**dict.fromkeys(measure.item_keys, 3), **changes}
    answers = {key: value for key, value in answers.items() if value is not None}
    with pytest.raises(AnswerError, match=re.escape(message)) as refused:
        measures.record_response(
            couple.partners[0], measure, answers, clock.today(), couple.counselor
        )
    assert refused.value.item == item
    assert count(MeasureResponse) == 0


# --- the progress view ----------------------------------------------------------------------


def test_each_partner_has_their_own_series_oldest_first(db_session):
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    ana, ben = couple.partners
    # Entered out of order, as a counselor catching up on paper forms would.
    csi4(ana, (5, 4, 4, 4), 1, couple.counselor)
    csi4(ana, (3, 3, 3, 3), 60, couple.counselor)
    csi4(ben, (2, 2, 2, 2), 30, couple.counselor)
    csi4(ana, (4, 3, 3, 3), 30, couple.counselor)
    series = progress(couple, "csi4").series
    assert [s.partner for s in series] == [ana, ben]
    today = clock.today()
    assert series[0].points == (
        (today - timedelta(days=60), 12.0),
        (today - timedelta(days=30), 13.0),
        (today - timedelta(days=1), 17.0),
    )
    assert (series[0].first, series[0].latest) == (12.0, 17.0)
    assert series[1].points == ((today - timedelta(days=30), 8.0),)


def test_change_is_shown_only_for_a_partner_with_two_or_more_scores(db_session):
    couple = CoupleFactory()
    ana, ben = couple.partners
    csi4(ana, (3, 3, 3, 3), 60, couple.counselor)
    csi4(ana, (2, 2, 2, 2), 30, couple.counselor)
    csi4(ana, (5, 4, 4, 4), 1, couple.counselor)
    csi4(ben, (2, 2, 2, 2), 60, couple.counselor)
    changes = progress(couple, "csi4").changes
    assert set(changes) == {ana.id}
    assert (changes[ana.id].first, changes[ana.id].latest, changes[ana.id].difference) == (
        12.0,
        17.0,
        5.0,
    )


def test_a_measure_nobody_answered_has_no_data_and_no_flags(db_session):
    couple = CoupleFactory()
    csi4(couple.partners[0], (0, 0, 0, 0), 1, couple.counselor)  # one partner only
    unanswered, answered_by_one = progress(couple, "checkin"), progress(couple, "csi4")
    assert not unanswered.has_data and answered_by_one.has_data
    assert not unanswered.flagged and not answered_by_one.flagged


@pytest.mark.parametrize(("ben_scores", "diverge"), [((2, 2, 2, 3), True), ((3, 2, 2, 3), False)])
def test_csi4_totals_diverge_when_the_latest_are_five_or_more_apart(
    db_session, ben_scores, diverge
):
    couple = CoupleFactory()
    ana, ben = couple.partners
    csi4(ana, (5, 4, 4, 1), 2, couple.counselor)  # 14
    csi4(ben, ben_scores, 1, couple.counselor)  # 9, or 10
    assert progress(couple, "csi4").totals_diverge is diverge
    assert progress(couple, "csi4").flagged is diverge


def test_divergence_compares_the_latest_scores_not_earlier_ones(db_session):
    couple = CoupleFactory()
    ana, ben = couple.partners
    csi4(ana, (6, 5, 5, 5), 30, couple.counselor)  # 21 against 4 a month ago
    csi4(ben, (1, 1, 1, 1), 30, couple.counselor)
    csi4(ana, (3, 3, 3, 3), 1, couple.counselor)  # 12 against 10 now
    csi4(ben, (3, 3, 2, 2), 1, couple.counselor)
    assert not progress(couple, "csi4").flagged


def test_checkin_areas_four_or_more_apart_are_flagged_by_name(db_session):
    couple = CoupleFactory()
    ana, ben = couple.partners
    checkin(ana, couple.counselor, every=8, finances=9, empathy=7)
    checkin(ben, couple.counselor, every=8, finances=5, empathy=4, closeness=5)
    result = progress(couple, "checkin")
    # finances 4 apart: flagged; empathy and closeness 3 apart: not.
    assert result.diverging_items == ("finances",)
    assert result.flagged and not result.totals_diverge


def test_parenting_that_does_not_apply_is_never_flagged_as_diverging(db_session):
    couple = CoupleFactory()
    ana, ben = couple.partners
    checkin(ana, couple.counselor, parenting=NOT_APPLICABLE)
    checkin(ben, couple.counselor, parenting=10)
    assert progress(couple, "checkin").diverging_items == ()


def test_recent_entries_are_newest_first_with_who_entered_them(reyes):
    couple, ana_login, _ = reyes
    ana, ben = couple.partners
    csi4(ana, (3, 3, 3, 3), 9, couple.counselor)
    checkin(ana, ana_login, days_ago=2)
    csi4(ben, (2, 2, 2, 2), 5, couple.counselor)
    recent = measures.progress_of(couple, recent=2).recent
    assert [(e.partner, e.measure.key, e.entered_by) for e in recent] == [
        (ana, "checkin", ana_login),
        (ben, "csi4", couple.counselor),
    ]


# --- the private safety check ---------------------------------------------------------------


def test_a_partners_own_safety_check_is_kept_apart_from_progress(reyes):
    couple, ana_login, _ = reyes
    screen = measures.record_safety_screen(couple.partners[0], no(afraid=1), ana_login)
    assert screen.positive and screen.partner is couple.partners[0]
    everything = measures.progress_of(couple)
    assert not any(m.has_data for m in everything.measures) and everything.recent == []
    negative = measures.record_safety_screen(couple.partners[0], no(), ana_login)
    assert not negative.positive


def test_nobody_but_the_partner_can_record_their_safety_check(reyes):
    couple, _, ben_login = reyes
    ana = couple.partners[0]
    for someone_else in (ben_login, couple.counselor, CounselorFactory()):
        with pytest.raises(PermissionError):
            measures.record_safety_screen(ana, no(), someone_else)
    assert count(SafetyScreen) == 0


def test_a_safety_check_needs_every_answer(reyes):
    couple, ana_login, _ = reyes
    with pytest.raises(AnswerError, match="Please answer this question"):
        measures.record_safety_screen(couple.partners[0], {"humiliated": 0}, ana_login)
    assert count(SafetyScreen) == 0


def test_only_positive_checks_not_yet_followed_up_flag_a_couple(db_session):
    def screened(positive: bool, reviewed: bool):
        couple = CoupleFactory()
        login = partner_with_login(couple, 2)
        screen = measures.record_safety_screen(
            couple.partners[1], no(kicked=1) if positive else no(), login
        )
        if reviewed:
            follow_up(screen)
        return couple

    flagged = screened(positive=True, reviewed=False)
    followed_up = screened(positive=True, reviewed=True)
    negative = screened(positive=False, reviewed=False)
    elsewhere = screened(positive=True, reviewed=False)  # not among the ids asked about
    asked = [flagged.id, followed_up.id, negative.id, CoupleFactory().id]
    assert measures.couples_with_open_safety_flags(asked) == {flagged.id}
    assert measures.couples_with_open_safety_flags([elsewhere.id]) == {elsewhere.id}
    assert measures.couples_with_open_safety_flags([]) == set()


def test_a_follow_up_is_recorded_once_with_who_and_when(reyes, frozen_clock):
    couple, ana_login, _ = reyes
    screen = measures.record_safety_screen(couple.partners[0], no(humiliated=1), ana_login)
    assert measures.open_positive_screens(couple) == [screen]
    follow_up(screen)
    first_review = (screen.reviewed_at, screen.reviewed_by)
    assert first_review == (clock.now(), couple.counselor)
    frozen_clock.advance(days=1)
    with pytest.raises(UserError, match="already been followed up"):
        follow_up(screen)
    assert (screen.reviewed_at, screen.reviewed_by) == first_review
    assert measures.open_positive_screens(couple) == []


def test_endorsed_items_name_the_yes_answers_in_question_order(reyes):
    couple, ana_login, _ = reyes
    screen = measures.record_safety_screen(
        couple.partners[0], {"kicked": 1, "raped": 0, "afraid": 1, "humiliated": 0}, ana_login
    )
    assert measures.endorsed_items(screen) == ["afraid of partner", "physically hurt"]
    none = measures.record_safety_screen(couple.partners[0], no(), ana_login)
    assert measures.endorsed_items(none) == []
