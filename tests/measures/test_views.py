from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from practice import clock, db
from practice.measures import charts
from practice.measures import services as measures
from practice.measures.definitions import CHECKIN, CSI4, HARK
from practice.measures.models import MeasureResponse, SafetyScreen
from tests.conftest import visible_text
from tests.factories import (
    RISK_REVIEW,
    CounselorFactory,
    CoupleFactory,
    individual_note,
    partner_with_login,
)

HOTLINE = "1-800-799-7233"


def answers(measure, value: int) -> dict[str, str]:
    return {key: str(value) for key in measure.item_keys}


def csi4(partner, scores: tuple[int, int, int, int], days_ago: int, actor) -> None:
    measures.record_response(
        partner,
        CSI4,
        dict(zip(CSI4.item_keys, scores, strict=True)),
        clock.today() - timedelta(days=days_ago),
        actor,
    )


@pytest.fixture
def couple_with_logins(db_session):
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    return couple, partner_with_login(couple, 1), partner_with_login(couple, 2)


def test_partner_fills_in_the_checkin_from_the_portal(client, auth, couple_with_logins):
    couple, ana, _ben = couple_with_logins
    auth.login(ana)
    form = client.get("/portal/measures/checkin")
    assert "Overall, how close do you feel right now?" in form.text
    response = client.post(
        "/portal/measures/checkin", data=answers(CHECKIN, 7), follow_redirects=True
    )
    assert "Your answers to the Check-in are saved." in response.text
    saved = db.session.scalar(select(MeasureResponse))
    assert saved.partner_id == couple.partners[0].id
    assert saved.entered_by_id == ana.id and saved.taken_on == clock.today()
    assert saved.total == 7.0
    auth.logout()
    auth.login(couple.counselor)
    answers_table = client.get(f"/couples/{couple.id}").text.split('id="recent-answers"')[1]
    assert "Ana Reyes (in the portal)" in answers_table


@pytest.mark.parametrize(
    ("change", "message"),
    [({"happiness": "7"}, "Not a valid choice"), ({"warm": ""}, "Please answer this question.")],
)
def test_bad_questionnaire_answers_are_refused(client, auth, couple_with_logins, change, message):
    _couple, ana, _ben = couple_with_logins
    auth.login(ana)
    response = client.post("/portal/measures/csi4", data={**answers(CSI4, 3), **change})
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(MeasureResponse)) is None


def test_csi4_form_shows_the_citation(client, auth, couple_with_logins):
    _couple, ana, _ben = couple_with_logins
    auth.login(ana)
    page = client.get("/portal/measures/csi4").text
    assert "Funk, J. L., &amp; Rogge, R. D. (2007)" in page
    assert "Extremely Unhappy" in page and "Perfect" in page


def test_counselor_enters_answers_with_a_date_and_is_named_as_entering_them(client, auth):
    couple = CoupleFactory()
    partner = couple.partners[1]
    auth.login(couple.counselor)
    taken_on = clock.today() - timedelta(days=20)
    data = {**answers(CSI4, 4), "taken_on": taken_on.isoformat()}
    response = client.post(f"/couples/{couple.id}/measures/csi4?partner={partner.id}", data=data)
    assert response.status_code == 302
    saved = db.session.scalar(select(MeasureResponse))
    assert (saved.partner_id, saved.entered_by_id) == (partner.id, couple.counselor_id)
    assert saved.taken_on == taken_on and saved.total == 16


def test_the_safety_screen_cannot_be_entered_by_the_counselor(client, auth):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    path = f"/couples/{couple.id}/measures/hark?partner={couple.partners[0].id}"
    assert client.get(path).status_code == 404


def test_progress_view_shows_change_divergence_and_a_chart(client, auth):
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    ana, ben = couple.partners
    csi4(ana, (3, 3, 3, 3), 60, couple.counselor)
    csi4(ana, (5, 4, 4, 4), 1, couple.counselor)
    csi4(ben, (2, 2, 2, 2), 60, couple.counselor)
    csi4(ben, (2, 2, 2, 3), 1, couple.counselor)
    measures.record_response(
        ana, CHECKIN, dict.fromkeys(CHECKIN.item_keys, 8), clock.today(), couple.counselor
    )
    measures.record_response(
        ben,
        CHECKIN,
        {**dict.fromkeys(CHECKIN.item_keys, 8), "finances": 3},
        clock.today(),
        couple.counselor,
    )
    auth.login(couple.counselor)
    page = client.get(f"/couples/{couple.id}").text
    csi_card = page.split('data-measure="csi4"')[1]
    assert "+5" in csi_card and "+1" in csi_card  # Ana 12 -> 17, Ben 8 -> 9
    assert "their latest scores are 5 or more points apart" in csi_card  # 17 vs 9
    checkin_card = page.split('data-measure="checkin"')[1].split('data-measure="csi4"')[0]
    assert "they differ by 4 or more on:" in checkin_card and "Money" in checkin_card
    svg = client.get(f"/couples/{couple.id}/charts/csi4.svg")
    assert svg.mimetype == "image/svg+xml"
    text = svg.data.decode()
    assert text.lstrip().startswith("<?xml") and "Ana Reyes" in text and "Ben Reyes" in text
    assert "cutoff 13.5" in text


def test_the_same_data_draws_the_same_chart_bytes():
    series = (("A", ((date(2026, 1, 1), 10.0), (date(2026, 2, 1), 14.0))), ("B", ()))
    first = charts.progress_chart("csi4", series)
    charts.progress_chart.cache_clear()
    assert charts.progress_chart("csi4", series) == first


def test_another_counselor_gets_no_chart(client, auth):
    couple = CoupleFactory()
    auth.login(CounselorFactory())
    assert client.get(f"/couples/{couple.id}/charts/csi4.svg").status_code == 404


# --- the private safety check ---------------------------------------------------------------


def test_a_positive_safety_check_reaches_the_counselor_only(client, auth, couple_with_logins):
    couple, ana, ben = couple_with_logins
    auth.login(ana)
    form = client.get("/portal/safety")
    assert "Quick exit" in form.text and "data-quick-exit" in form.text
    assert "have you been afraid" in form.text.lower()
    response = client.post(
        "/portal/safety", data={**answers(HARK, 0), "afraid": "1"}, follow_redirects=True
    )
    assert "Thank you for telling us" in response.text
    for resource in (HOTLINE, "START", "88788", "911", "Quick exit"):
        assert resource in response.text
    # Later visits show the help, but never repeat what she answered.
    again = client.get("/portal/safety/resources").text
    assert HOTLINE in again and "Thank you for telling us" not in again
    auth.logout()

    # The other partner: nothing on any portal page says a check was taken, or what it said.
    auth.login(ben)
    for path in (
        "/portal/",
        "/portal/safety",
        "/portal/safety/resources",
        "/portal/measures/checkin",
        "/portal/measures/csi4",
    ):
        page = client.get(path).text
        assert "Thank you for telling us" not in page
        assert "Ana Reyes answered" not in page and "positive" not in page.lower()
    assert "Help at any hour" in client.get("/portal/safety/resources").text
    screen = db.session.scalar(select(SafetyScreen))
    follow_up_page = f"/couples/{couple.id}/safety/{screen.id}/follow-up"
    assert client.get(follow_up_page).status_code == 403
    auth.logout()

    # The counselor sees the flag and a suggestion of an individual appointment.
    auth.login(couple.counselor)
    page = client.get(f"/couples/{couple.id}").text
    assert "Safety check positive:" in page and "Ana Reyes answered yes" in page
    assert "(afraid of partner)" in page
    assert "Safety follow-up" in client.get("/couples").text
    assert f"/couples/{couple.id}/appointments/new?partner={couple.partners[0].id}" in page
    # Following up needs the signed note of an individual conversation with her.
    form = client.get(follow_up_page).text
    assert 'id="no-individual-note"' in form
    refused = client.post(follow_up_page, data={"decision": "continue", "reason": "Fine."})
    assert refused.status_code == 400 and "Choose the signed note" in refused.text
    note = individual_note(couple, couple.partners[0])
    review = {f"risk_{key}": value for key, value in RISK_REVIEW.items()}
    done = client.post(
        follow_up_page,
        data={**review, "note_id": note.id, "decision": "continue", "reason": "Spoke alone."},
    )
    assert done.status_code == 302
    page = client.get(f"/couples/{couple.id}").text
    assert "Safety check positive:" not in page
    history = visible_text(page.split('id="safety-history"')[1])
    assert f"followed up by {couple.counselor.name}" in history
    assert "continue joint work ( Spoke alone.)" in history
    first_review = screen.reviewed_at
    client.post(follow_up_page, data={**review, "note_id": note.id, "decision": "pause"})
    assert screen.reviewed_at == first_review  # a replayed post changes nothing


def test_a_negative_safety_check_raises_no_flag(client, auth, couple_with_logins):
    couple, ana, _ben = couple_with_logins
    auth.login(ana)
    response = client.post("/portal/safety", data=answers(HARK, 0), follow_redirects=True)
    assert "Thank you" in response.text and HOTLINE in response.text
    auth.logout()
    auth.login(couple.counselor)
    assert "Safety check positive" not in client.get(f"/couples/{couple.id}").text


def test_safety_check_needs_every_answer(client, auth, couple_with_logins):
    _couple, ana, _ben = couple_with_logins
    auth.login(ana)
    response = client.post("/portal/safety", data={"humiliated": "0"})
    assert response.status_code == 400
    assert response.text.count("Please answer this question.") == 3
    assert db.session.scalar(select(SafetyScreen)) is None


def test_only_the_partner_themselves_can_record_their_safety_check(couple_with_logins):
    couple, _ana, ben = couple_with_logins
    with pytest.raises(PermissionError):
        measures.record_safety_screen(couple.partners[0], dict.fromkeys(HARK.item_keys, 0), ben)


@pytest.mark.parametrize("day", ["1900-01-01", "2999-06-01"])
def test_implausible_answer_dates_are_refused(client, auth, day):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    data = {**answers(CSI4, 4), "taken_on": day}
    response = client.post(
        f"/couples/{couple.id}/measures/csi4?partner={couple.partners[0].id}", data=data
    )
    assert response.status_code == 400
    assert "Enter a date between" in response.text
    assert db.session.scalar(select(MeasureResponse)) is None


def test_parenting_may_not_apply_and_then_does_not_count(couple_with_logins, client, auth):
    _couple, ana, _ben = couple_with_logins
    auth.login(ana)
    data = {**answers(CHECKIN, 8), "parenting": "-1"}
    client.post("/portal/measures/checkin", data=data)
    saved = db.session.scalar(select(MeasureResponse))
    assert saved.answers["parenting"] == -1
    assert saved.total == 8.0  # the mean of the six areas that apply
