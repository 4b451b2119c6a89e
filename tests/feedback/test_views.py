"""Each partner rates each appointment privately; the counselor sees both over time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from practice import clock, db
from practice.appointments.models import Attendance
from practice.feedback.models import SessionRating
from tests.conftest import portal_pages, visible_text
from tests.factories import AppointmentFactory, CounselorFactory, CoupleFactory, partner_with_login


@pytest.fixture
def couple_with_logins(db_session):
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    return couple, partner_with_login(couple, 1), partner_with_login(couple, 2)


def attended(couple, days_ago: int, **changes):
    return AppointmentFactory(
        couple=couple,
        starts_at=clock.now().replace(microsecond=0) - timedelta(days=days_ago, hours=1),
        **{"attendance": Attendance.BOTH, **changes},
    )


def scores(overall: int, **others: int) -> dict[str, int]:
    return {"heard": 7, "mattered": 7, "fits": 7, "overall": overall, **others}


def test_a_partner_rates_an_attended_appointment_once_in_the_portal(
    client, auth, couple_with_logins
):
    couple, ana, _ben = couple_with_logins
    appointment = attended(couple, 1)
    missed = attended(couple, 2, attendance=Attendance.NO_SHOW)
    auth.login(ana)
    home = client.get("/portal/").text
    assert f"/portal/appointments/{appointment.id}/rating" in home
    assert f"/portal/appointments/{missed.id}/rating" not in home
    page = visible_text(client.get(f"/portal/appointments/{appointment.id}/rating").text)
    assert "I felt heard and understood." in page and "the project's own measure" in page
    refused = client.post(f"/portal/appointments/{appointment.id}/rating", data={"heard": "5"})
    assert refused.status_code == 400 and "Please answer this question." in refused.text
    assert db.session.scalar(select(SessionRating)) is None
    sent = client.post(f"/portal/appointments/{appointment.id}/rating", data=scores(8))
    assert sent.status_code == 302
    rating = db.session.scalar(select(SessionRating))
    assert (rating.partner_id, rating.overall) == (couple.partners[0].id, 8)
    assert f"/portal/appointments/{appointment.id}/rating" not in client.get("/portal/").text
    again = client.post(f"/portal/appointments/{appointment.id}/rating", data=scores(2))
    assert again.status_code == 404 and db.session.scalar(select(SessionRating)).overall == 8
    assert client.get(f"/portal/appointments/{missed.id}/rating").status_code == 404


def test_an_old_or_foreign_appointment_cannot_be_rated(client, auth, couple_with_logins):
    couple, ana, _ben = couple_with_logins
    old = attended(couple, 20)
    foreign = attended(CoupleFactory(), 1)
    auth.login(ana)
    for appointment in (old, foreign):
        assert client.get(f"/portal/appointments/{appointment.id}/rating").status_code == 404


def test_the_counselor_sees_a_drop_and_a_split_alliance(client, auth, couple_with_logins):
    couple, ana, ben = couple_with_logins
    sessions = [attended(couple, days) for days in (12, 9, 6, 3)]
    for appointment, (a, b) in zip(sessions, ((8, 8), (8, 7), (8, 7), (4, 8)), strict=True):
        for login, overall in ((ana, a), (ben, b)):
            auth.login(login)
            client.post(f"/portal/appointments/{appointment.id}/rating", data=scores(overall))
            auth.logout()
    auth.login(couple.counselor)
    page = visible_text(client.get(f"/couples/{couple.id}").text)
    assert "Ana Reyes rated 4, 4.0 below their average of 8.0" in page
    assert "Split: Ana Reyes 4, Ben Reyes 8" in page
    assert "Ben Reyes rated" not in page  # Ben's 8 is above his own average
    svg = client.get(f"/couples/{couple.id}/charts/sessions.svg")
    assert svg.mimetype == "image/svg+xml"
    assert "Ana Reyes" in svg.text and "Ben Reyes" in svg.text
    auth.logout()
    auth.login(CounselorFactory())
    assert client.get(f"/couples/{couple.id}/charts/sessions.svg").status_code == 404


def test_one_partners_rating_changes_nothing_the_other_sees(client, auth, couple_with_logins):
    couple, ana, ben = couple_with_logins
    appointment = attended(couple, 1)
    pages = ("/portal/", f"/portal/appointments/{appointment.id}/rating")
    auth.login(ben)
    before = portal_pages(client, pages)
    auth.logout()
    auth.login(ana)
    client.post(f"/portal/appointments/{appointment.id}/rating", data=scores(2))
    auth.logout()
    auth.login(ben)
    assert portal_pages(client, pages) == before
