"""One transaction per request: reading writes nothing, a refused change leaves nothing."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from practice import db
from practice.couples.models import Partner
from practice.unit_of_work import UserError, attempt
from tests.conftest import count_queries
from tests.factories import AppointmentFactory, CoupleFactory, partner_with_login, signed_note

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(WRITES)]


@pytest.fixture
def busy_couple(db_session):
    couple = CoupleFactory()
    signed_note(AppointmentFactory(couple=couple))
    partner_with_login(couple, 1)
    return couple


def test_reading_pages_writes_nothing(app, client, auth, busy_couple):
    auth.login(busy_couple.counselor)
    for path in ("/couples", f"/couples/{busy_couple.id}", "/exercises", "/directory"):
        with count_queries(app) as counter:
            assert client.get(path).status_code == 200
        assert writes(counter.statements) == [], path


def test_a_partners_portal_is_read_without_writing(app, client, auth, busy_couple):
    auth.login(busy_couple.partners[0].user)
    with count_queries(app) as counter:
        assert client.get("/portal/").status_code == 200
    assert writes(counter.statements) == []


def test_activity_is_noted_at_most_once_a_minute(app, client, auth, busy_couple, frozen_clock):
    auth.login(busy_couple.counselor)
    frozen_clock.advance(seconds=61)
    with count_queries(app) as counter:
        client.get("/couples")
    assert [s.split()[1] for s in writes(counter.statements)] == ["user_sessions"]
    with count_queries(app) as counter:
        client.get("/couples")
    assert writes(counter.statements) == []


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name")


def test_a_refused_change_is_undone_and_explained_beside_its_field(app, db_session):
    couple = CoupleFactory(partners=["Noor Vale", "Ira Vale"])
    partner_id = couple.partners[0].id
    db_session.commit()

    def rename_then_refuse():
        couple.partners[0].name = "Half Saved"
        db.session.flush()
        raise UserError("That name is already taken.", "name")

    with app.test_request_context(method="POST"):
        form = NameForm()
        outcome = attempt(rename_then_refuse, form=form)
    assert not outcome and form.name.errors == ["That name is already taken."]
    assert db_session.scalar(select(Partner.name).where(Partner.id == partner_id)) == "Noor Vale"
