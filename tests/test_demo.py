from __future__ import annotations

from sqlalchemy import func, select

from practice import demo
from practice.agreements.models import Agreement
from practice.appointments.models import Appointment, ProgressNote
from practice.couples.models import Couple
from practice.directory.models import DirectoryService
from practice.homework.models import Assignment, Completion
from practice.measures.models import MeasureResponse, SafetyScreen
from practice.referrals.models import Referral


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_demo_data_loads_once_with_months_of_history(db_session, client):
    assert demo.load_once() is True
    assert demo.load_once() is False  # a second start leaves it as it is
    assert count(db_session, Couple) == 7
    assert count(db_session, Appointment) > 25
    assert count(db_session, ProgressNote) > 20
    assert count(db_session, MeasureResponse) > 40
    assert count(db_session, SafetyScreen) == 1
    assert count(db_session, Assignment) == 8
    assert count(db_session, Completion) > 20
    assert count(db_session, Agreement) >= 4
    assert count(db_session, DirectoryService) == 8
    assert count(db_session, Referral) == 2
    # The printed sign-ins work.
    for sign_in in demo.SIGN_INS:
        response = client.post(
            "/sign-in", data={"email": sign_in.email, "password": sign_in.password}
        )
        assert response.status_code == 302, sign_in.email
        client.post("/sign-out")
