"""The composed pages run a fixed number of queries, whatever the data."""

from __future__ import annotations

from practice import clock
from practice.homework import services as homework
from tests.conftest import count_queries
from tests.factories import make_assignment, make_exercise


def _many_assignments(couple, count: int) -> None:
    for number in range(count):
        assignment = make_assignment(couple, make_exercise(title=f"Exercise {number}"))
        for partner in couple.partners:
            homework.save_answers(
                assignment,
                partner,
                {"heard": "x", "connected": 5},
                visibility=None,
                submit=True,
                today=clock.today(),
                actor=partner.user,
            )


def test_portal_home_and_couple_page_run_a_fixed_number_of_queries(client, auth, couple, app):
    _many_assignments(couple, 2)
    auth.login(couple.partners[0].user)
    with count_queries(app) as portal_few:
        client.get("/portal/")
    auth.logout()
    auth.login(couple.counselor)
    couple_page = f"/couples/{couple.id}"  # read before counting: the test's own queries
    with count_queries(app) as couple_few:
        client.get(couple_page)
    _many_assignments(couple, 20)
    with count_queries(app) as couple_many:
        page = client.get(couple_page)
    assert page.text.count("assignment-row") == 22
    auth.logout()
    auth.login(couple.partners[0].user)
    with count_queries(app) as portal_many:
        home = client.get("/portal/")
    assert home.text.count("Exercise 1") >= 1
    assert len(portal_few) == len(portal_many), portal_many.statements
    assert len(couple_few) == len(couple_many), couple_many.statements
