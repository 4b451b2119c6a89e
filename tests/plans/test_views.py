"""The treatment plan: written by the counselor in versions, objectives' status read from the
record, acknowledged by each partner, per-partner goals shown to that partner only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from practice import clock, db
from practice.appointments import services as appointments
from practice.measures import services as measures
from practice.measures.definitions import CSI4
from practice.plans.models import PlanVersion
from tests.conftest import portal_pages, visible_text
from tests.factories import (
    NOTE_TEXT,
    AppointmentFactory,
    CoupleFactory,
    draft_note,
    partner_with_login,
)


@pytest.fixture
def case(db_session):
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    return couple, partner_with_login(couple, 1), partner_with_login(couple, 2)


def goal(index: int, title: str, for_whom: str = "", **objective: str) -> dict[str, str]:
    """The editor's fields for one goal with one objective, as the browser sends them."""
    fields = {f"goals-{index}-title": title, f"goals-{index}-for_whom": for_whom}
    fields.update({f"goals-{index}-objectives-0-{k}": v for k, v in objective.items()})
    return fields


def review_in(days: int) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def write_plan(client, couple, *goals: dict[str, str], review: str | None = None):
    data = {"review_on": review or review_in(56)}
    for fields in goals:
        data.update(fields)
    return client.post(f"/couples/{couple.id}/plan/edit", data=data)


def csi4(partner, total_items: tuple[int, int, int, int], days_ago: int, actor):
    answers = dict(zip(CSI4.item_keys, total_items, strict=True))
    measures.record_response(
        partner, CSI4, answers, clock.today() - timedelta(days=days_ago), actor
    )


def test_the_counselor_writes_a_plan_and_each_objective_shows_its_status_from_the_record(
    client, auth, case
):
    couple, _ana, _ben = case
    auth.login(couple.counselor)
    answer = write_plan(
        client,
        couple,
        goal(0, "Feel closer again", kind="measure", measure="csi4", target="13.5"),
        goal(1, "Stop fights before they grow", kind="agreement", agreement="pause"),
        goal(
            2,
            "A weekly money talk",
            kind="own_words",
            text="Four calm money talks in a row",
            target_on=review_in(30),
        ),
    )
    assert answer.status_code == 302
    page = visible_text(client.get(f"/couples/{couple.id}/plan").text)
    assert (
        "Not yet Couple Satisfaction Index (CSI-4) at or above 13.5"
        in page.replace("Couples", "Couple")
        or "Not yet" in page.split("Feel closer again")[1].split("Stop fights")[0]
    )
    assert "Ana Reyes: no answers" in page
    assert "Not yet Pause agreement in force" in page
    assert "On track Four calm money talks in a row" in page

    ana, ben = couple.partners
    csi4(ana, (3, 3, 3, 3), 20, couple.counselor)
    csi4(ben, (2, 2, 2, 2), 20, couple.counselor)
    csi4(ana, (4, 4, 4, 4), 1, couple.counselor)
    csi4(ben, (3, 3, 3, 3), 1, couple.counselor)
    page = visible_text(client.get(f"/couples/{couple.id}/plan").text)
    measure_part = page.split("Feel closer again")[1].split("Stop fights")[0]
    assert "On track" in measure_part and "Ben Reyes: 8 first, 12 latest" in measure_part

    csi4(ben, (4, 4, 3, 4), 0, couple.counselor)
    page = visible_text(client.get(f"/couples/{couple.id}/plan").text)
    assert "Met" in page.split("Feel closer again")[1].split("Stop fights")[0]
    case_page = visible_text(client.get(f"/couples/{couple.id}").text)
    assert (
        "Met Feel closer again: Couples Satisfaction Index (CSI-4) at or above 13.5 "
        "Not yet Stop fights before they grow: Pause agreement in force "
        "On track A weekly money talk: Four calm money talks in a row" in case_page
    )


def test_a_plan_in_the_counselors_own_words_is_met_only_when_recorded_and_late_when_past(
    client, auth, case
):
    couple, _ana, _ben = case
    auth.login(couple.counselor)
    write_plan(
        client,
        couple,
        goal(
            0,
            "Evenings together",
            kind="own_words",
            text="Two free evenings a week",
            target_on=review_in(10),
        ),
    )
    version = db.session.scalar(select(PlanVersion))
    key = version.goals[0]["objectives"][0]["key"]
    client.post(f"/couples/{couple.id}/plan/objectives/{key}/met")
    page = visible_text(client.get(f"/couples/{couple.id}/plan").text)
    assert (
        f"Met Two free evenings a week (by {clock.today() + timedelta(days=10):%d %b %Y})" in page
    )
    assert f"recorded as met on {clock.today():%d %b %Y}" in page


def test_bad_objectives_are_refused_beside_the_field_and_nothing_is_saved(client, auth, case):
    couple, _ana, _ben = case
    auth.login(couple.counselor)
    answer = write_plan(
        client, couple, goal(0, "Feel closer", kind="measure", measure="csi4", target="40")
    )
    assert answer.status_code == 400
    assert "The CSI-4 runs from 0 to 21." in visible_text(answer.text)
    answer = write_plan(client, couple, goal(0, "", kind="own_words", text="Talk more"))
    assert "Name the goal, or clear its objectives." in visible_text(answer.text)
    answer = write_plan(client, couple, goal(0, "Talk more", kind="own_words", text="Daily"))
    assert "Enter the target date." in visible_text(answer.text)
    answer = write_plan(client, couple, goal(0, "Only a title"))
    assert "Give the goal at least one objective that can be measured." in visible_text(answer.text)
    answer = write_plan(
        client, couple, goal(0, "Closer", kind="agreement", agreement="pause"), review="2001-01-01"
    )
    assert "The review date cannot be in the past." in visible_text(answer.text)
    assert db.session.scalar(select(func.count()).select_from(PlanVersion)) == 0


def test_versions_are_kept_and_the_review_shows_on_the_counselors_home_when_due(client, auth, case):
    couple, _ana, _ben = case
    auth.login(couple.counselor)
    write_plan(client, couple, goal(0, "First wording", kind="agreement", agreement="pause"))
    assert "Treatment plans to review" not in client.get("/couples").text
    first = db.session.scalar(select(PlanVersion))
    edit = client.get(f"/couples/{couple.id}/plan/edit").text
    assert "First wording" in edit  # the editor starts from the version in force
    write_plan(
        client,
        couple,
        {
            **goal(0, "Second wording", kind="agreement", agreement="pause"),
            "goals-0-key": first.goals[0]["key"],
        },
        review=review_in(3),
    )
    page = visible_text(client.get(f"/couples/{couple.id}/plan").text)
    assert "Version 2" in page and "Second wording" in page
    old = visible_text(client.get(f"/couples/{couple.id}/plan/versions/1").text)
    assert "First wording" in old and "Second wording" not in old
    home = visible_text(client.get("/couples").text)
    due = clock.today() + timedelta(days=3)
    assert f"Treatment plans to review Ana Reyes & Ben Reyes · due {due:%d %b %Y}" in home
    keys = [v.goals[0]["key"] for v in db.session.scalars(select(PlanVersion))]
    assert keys[0] == keys[1]  # the goal keeps its name across versions


def test_each_partner_acknowledges_what_they_are_shown_and_never_sees_the_others_goals(
    client, auth, case
):
    couple, ana_user, ben_user = case
    ana, _ben = couple.partners
    auth.login(couple.counselor)
    write_plan(client, couple, goal(0, "Calmer evenings", kind="agreement", agreement="pause"))
    auth.logout()

    auth.login(ben_user)
    home = client.get("/portal/").text
    assert 'id="plan-to-acknowledge"' in home
    plan_page = client.get("/portal/plan").text
    assert "Calmer evenings" in plan_page
    shown = plan_page.split('name="shown" type="hidden" value="')[1].split('"')[0]
    client.post("/portal/plan", data={"shown": shown})
    assert 'id="plan-acknowledged"' in client.get("/portal/plan").text
    before = portal_pages(client, ("/portal/", "/portal/plan"))
    auth.logout()

    auth.login(couple.counselor)
    write_plan(
        client,
        couple,
        goal(0, "Calmer evenings", kind="agreement", agreement="pause"),
        goal(
            1,
            "MARKER-ANA-OWN-GOAL",
            str(ana.id),
            kind="own_words",
            text="Say what I need",
            target_on=review_in(20),
        ),
    )
    page = visible_text(client.get(f"/couples/{couple.id}/plan").text)
    assert "Ben Reyes acknowledged what they are shown" in page
    assert "Ana Reyes has not yet acknowledged" in page
    auth.logout()

    auth.login(ben_user)
    after = portal_pages(client, ("/portal/", "/portal/plan"))
    assert after == before  # byte for byte: Ana's own goal changes nothing Ben sees
    assert "MARKER-ANA-OWN-GOAL" not in "".join(after.values())
    auth.logout()

    auth.login(ana_user)
    mine = visible_text(client.get("/portal/plan").text)
    assert "My own goals Only you and your counselor see these. MARKER-ANA-OWN-GOAL" in mine
    assert 'id="plan-to-acknowledge"' in client.get("/portal/").text


def test_an_acknowledgement_of_a_plan_changed_meanwhile_is_refused(client, auth, case):
    couple, _ana_user, ben_user = case
    auth.login(couple.counselor)
    write_plan(client, couple, goal(0, "Calmer evenings", kind="agreement", agreement="pause"))
    auth.logout()
    auth.login(ben_user)
    answer = client.post("/portal/plan", data={"shown": "0" * 64}, follow_redirects=True)
    assert "changed the plan while you were reading it" in visible_text(answer.text)
    assert 'id="plan-acknowledged"' not in client.get("/portal/plan").text


def test_the_plan_pages_are_the_own_counselors_only(client, auth, case):
    couple, _ana, ben_user = case
    other = CoupleFactory()
    auth.login(other.counselor)
    assert client.get(f"/couples/{couple.id}/plan").status_code == 404
    assert (
        write_plan(client, couple, goal(0, "X", kind="agreement", agreement="pause")).status_code
        == 404
    )
    auth.logout()
    auth.login(ben_user)
    assert client.get("/portal/plan").status_code == 200
    assert client.get(f"/couples/{couple.id}/plan").status_code == 403


def test_a_note_names_the_plan_goals_it_worked_on_and_they_are_signed_with_it(client, auth, case):
    couple, _ana, _ben = case
    auth.login(couple.counselor)
    write_plan(
        client,
        couple,
        goal(0, "Calmer evenings", kind="agreement", agreement="pause"),
        goal(1, "More time together", kind="agreement", agreement="boundary"),
    )
    keys = [g["key"] for g in db.session.scalar(select(PlanVersion)).goals]
    appointment = AppointmentFactory(couple=couple, starts_at=clock.now() - timedelta(hours=2))
    note = draft_note(appointment)
    editor = visible_text(client.get(f"/notes/{note.id}/edit").text)
    assert "Plan goals worked on Calmer evenings More time together" in editor
    data = {**NOTE_TEXT, "version": str(note.version), "plan_goals": [keys[1]], "sign": "1"}
    data["risk_observed"] = ""
    assert client.post(f"/notes/{note.id}/edit", data=data).status_code == 302
    page = visible_text(client.get(f"/notes/{note.id}").text)
    assert "Plan goals worked on More time together" in page
    assert "Calmer evenings" not in page
    db.session.refresh(note)
    assert appointments.verify_signature(note)
    assert note.plan_goals == [{"key": keys[1], "title": "More time together"}]
