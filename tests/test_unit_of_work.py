"""One transaction per request: reading writes nothing, a refused change leaves nothing."""

from __future__ import annotations

import logging

import pytest
from flask import flash, redirect
from flask_wtf import FlaskForm
from sqlalchemy import select, text
from wtforms import StringField

from practice import db
from practice.access import Audience, allow
from practice.couples.models import Partner
from practice.db import get_database
from practice.unit_of_work import UserError, attempt
from tests.conftest import count_queries, make_test_app
from tests.databases import throwaway_database
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


def tables_written(statements: list[str]) -> list[str]:
    return [s.split()[2] for s in writes(statements)]


def test_reading_pages_writes_nothing_but_the_audit_trail(app, client, auth, busy_couple):
    auth.login(busy_couple.counselor)
    couple_page = f"/couples/{busy_couple.id}"
    for path, written in (
        ("/couples", []),
        (couple_page, ["audit_entries", "record_openings"]),  # opening it is on the record
        ("/exercises", []),
        ("/directory", []),
    ):
        with count_queries(app) as counter:
            assert client.get(path).status_code == 200
        assert tables_written(counter.statements) == written, path


def test_a_partners_portal_is_read_writing_only_its_audit_entry(app, client, auth, busy_couple):
    auth.login(busy_couple.partners[0].user)
    with count_queries(app) as counter:
        assert client.get("/portal/").status_code == 200
    assert tables_written(counter.statements) == ["audit_entries", "record_openings"]


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


MARKER = "Quenby-Arkwright-6620"


def _refuse_partners_at_commit(connection, dialect: str) -> None:
    """Make the database accept a new partner row at once but refuse it at commit."""
    if dialect == "postgresql":
        connection.execute(
            text(
                "CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused %', NEW.name; END $$"
            )
        )
        connection.execute(
            text(
                "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON partners "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()"
            )
        )


def test_a_change_refused_at_commit_is_reported_and_not_announced(tmp_path, caplog):
    with throwaway_database(tmp_path) as url:
        app = make_test_app(url)
        dialect = get_database(app).engine.dialect.name

        @app.route("/test/refused-at-commit", methods=["POST"])
        @allow(Audience.PUBLIC)
        def refused_at_commit():
            if dialect == "sqlite":
                # The missing couple is only noticed when the transaction commits.
                db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
                couple_id = 999_999
            else:
                couple_id = db.session.scalar(text("SELECT min(id) FROM couples"))
            db.session.execute(
                text(
                    "INSERT INTO partners (couple_id, position, name, pronouns, phone) "
                    "VALUES (:couple, 1, :name, '', '')"
                ),
                {"couple": couple_id, "name": MARKER},
            )
            flash("Changes saved.", "success")
            return redirect("/sign-in")

        with app.app_context():
            CoupleFactory()
            db.session.commit()
        with get_database(app).engine.begin() as connection:
            _refuse_partners_at_commit(connection, dialect)
        client = app.test_client()
        caplog.set_level(logging.INFO)
        response = client.post("/test/refused-at-commit")
        assert response.status_code == 500
        assert "Changes saved." not in response.text
        assert "Changes saved." not in client.get("/sign-in").text  # nor on the next page
        assert "unhandled error on POST /test/refused-at-commit" in caplog.text
        assert MARKER not in caplog.text
        with app.app_context():
            names = db.session.scalars(text("SELECT name FROM partners")).all()
        assert MARKER not in names
        get_database(app).engine.dispose()
