"""The composed pages run a fixed number of queries, whatever the data."""

from __future__ import annotations

from datetime import timedelta

from practice import clock, crypto
from practice.homework import services as homework
from practice.measures import services as measures
from practice.measures.definitions import CSI4
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


def test_the_couple_page_and_the_portal_home_open_no_answer_texts(
    client, auth, couple, monkeypatch
):
    """They show who sent what and when; what the answers say is a click away, so a year of
    daily answers costs them nothing to decrypt. Of the measures, the chart needs the totals:
    only each partner's latest answers are opened (to show the items that diverge)."""
    _many_assignments(couple, 5)
    for weeks_ago in range(6):
        for partner in couple.partners:
            answers = dict.fromkeys(CSI4.item_keys, 3)
            day = clock.today() - timedelta(weeks=weeks_ago)
            measures.record_response(partner, CSI4, answers, day, couple.counselor)
    opened: list[str] = []
    decrypt = crypto.Keyring.decrypt

    def counting(self, stored, purpose):
        opened.append(purpose)
        return decrypt(self, stored, purpose)

    monkeypatch.setattr(crypto.Keyring, "decrypt", counting)
    auth.login(couple.counselor)
    page = client.get(f"/couples/{couple.id}")
    assert page.text.count("assignment-row") == 5
    auth.logout()
    auth.login(couple.partners[0].user)
    home = client.get("/portal/")
    assert "Exercise 4" in home.text
    assert "answers" not in opened
    assert opened.count("measure") == 2  # the latest CSI-4 of each partner, once
