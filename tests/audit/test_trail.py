"""The audit trail: every read of client data, every change and every report, chained so
that an entry changed, removed or slipped in by hand is found."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from practice import db
from practice.audit import chain
from practice.audit import services as audit
from practice.audit.models import AuditEntry, RecordOpening
from practice.cli import main
from practice.db import get_database
from tests.conftest import make_test_app
from tests.databases import throwaway_database
from tests.factories import (
    AdminFactory,
    AppointmentFactory,
    CoupleFactory,
    partner_with_login,
    signed_note,
)


def trail(**where) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(db.session.scalars(query))


def test_opening_records_is_on_the_record_with_who_and_from_where(client, auth, db_session):
    couple = CoupleFactory()
    note = signed_note(AppointmentFactory(couple=couple))
    partner = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    client.get(f"/couples/{couple.id}", environ_base={"REMOTE_ADDR": "203.0.113.44"})
    client.get(f"/notes/{note.id}")
    client.get(f"/couples/{couple.id}/progress-report.pdf")
    auth.logout()
    auth.login(partner)
    client.get("/portal/")
    entries = trail(couple_id=couple.id)
    actions = [(e.action, e.actor_id) for e in entries]
    assert ("couples.read", couple.counselor_id) in actions
    assert ("progress_notes.read", couple.counselor_id) in actions
    assert ("report.progress", couple.counselor_id) in actions
    assert ("partners.read", partner.id) in actions
    assert next(e for e in entries if e.action == "couples.read").address == "203.0.113.44"
    assert chain.verify(trail()).intact


def test_a_refused_change_leaves_no_entry_but_a_page_read_with_an_error_stays(
    client, auth, db_session
):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    refused = client.post(f"/couples/{couple.id}/appointments/new", data={"day": ""})
    assert refused.status_code == 400
    assert not trail(action="appointment.create")
    shown = client.get(f"/directory?couple={couple.id}&radius=5")  # no place to measure from
    assert shown.status_code == 400
    assert [e.action for e in trail(couple_id=couple.id)] == ["couples.read"]


def test_the_couple_page_says_who_has_opened_the_record(client, auth, db_session):
    couple = CoupleFactory(partners=["Wyn Hale", "Xan Hale"])
    partner = partner_with_login(couple, 1)
    auth.login(partner)
    client.get("/portal/")
    auth.logout()
    auth.login(couple.counselor)
    client.get(f"/couples/{couple.id}")
    page = client.get(f"/couples/{couple.id}").text
    assert "Who has opened this record" in page
    assert "Wyn Hale (Client)" in page and f"{couple.counselor.name} (Counselor)" in page


def test_who_opened_a_record_is_summed_up_as_the_log_is_written(client, auth, db_session):
    """However often a record is opened, the page reads one summary row per person."""
    couple = CoupleFactory()
    auth.login(couple.counselor)
    for _ in range(12):
        client.get(f"/couples/{couple.id}")
    page = client.get(f"/couples/{couple.id}").text
    assert f"{couple.counselor.name} (Counselor): last" in page and "12 times" in page
    summary = db_session.execute(
        select(RecordOpening.actor_id, RecordOpening.times).where(
            RecordOpening.couple_id == couple.id
        )
    ).all()
    reads = db_session.scalars(
        select(AuditEntry.id).where(
            AuditEntry.couple_id == couple.id, AuditEntry.action == "couples.read"
        )
    ).all()
    assert summary == [(couple.counselor.id, 13)] and len(reads) == 13


def test_an_admin_filters_the_log_and_nobody_else_sees_it(client, auth, db_session):
    first, second = CoupleFactory(), CoupleFactory()
    auth.login(first.counselor)
    client.get(f"/couples/{first.id}")
    auth.logout()
    auth.login(second.counselor)
    client.get(f"/couples/{second.id}")
    assert client.get("/admin/audit").status_code == 403
    auth.logout()
    auth.login(AdminFactory())
    listed = client.get(f"/admin/audit?couple={first.id}").text
    assert listed.count("couples.read") == 1 and first.counselor.name in listed
    by_person = client.get(f"/admin/audit?person={second.counselor.email}").text
    assert second.counselor.name in by_person and first.counselor.name not in by_person
    unknown = client.get("/admin/audit?person=nobody@example.com")
    assert unknown.status_code == 400 and "No account has this e-mail address." in unknown.text


def test_the_log_downloads_as_csv_with_formulas_made_harmless_and_the_download_logged(
    client, auth, db_session
):
    couple = CoupleFactory()
    couple.counselor.name = '=HYPERLINK("http://bad.example","open")'
    auth.login(couple.counselor)
    client.get(f"/couples/{couple.id}")
    auth.logout()
    admin = AdminFactory()
    auth.login(admin)
    response = client.get(f"/admin/audit.csv?couple={couple.id}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["entry", "at (UTC)", "who", "action"]
    reads = [row for row in rows[1:] if row[3] == "couples.read"]
    assert len(reads) == 1
    assert reads[0][2] == '\'=HYPERLINK("http://bad.example","open")'  # text, not a formula
    assert reads[0][6] == str(couple.id)
    assert [e.actor_id for e in trail(action="audit.export")] == [admin.id]
    bad = client.get("/admin/audit.csv?person=nobody@example.com")
    assert bad.status_code == 302  # back to the page, where the field says what is wrong


def test_the_application_cannot_change_or_delete_an_entry(db_session):
    couple = CoupleFactory()
    audit.record(None, "couple.look", couple)
    db_session.commit()
    (entry,) = trail(action="couple.look")
    entry.action = "couple.nothing"
    with pytest.raises(PermissionError):
        db_session.flush()
    db_session.rollback()
    db_session.delete(db_session.get(AuditEntry, entry.id))
    with pytest.raises(PermissionError):
        db_session.flush()


def _three_entries() -> list[int]:
    couple = CoupleFactory()
    for action in ("couple.one", "couple.two", "couple.three"):
        audit.record(None, action, couple)
        db.session.commit()
    return [e.id for e in trail(couple_id=couple.id)]


@pytest.mark.parametrize(
    ("tamper", "bad"),
    [
        ("UPDATE audit_entries SET action = 'couple.zero' WHERE id = {1}", 1),
        ("DELETE FROM audit_entries WHERE id = {1}", 2),
        (
            "UPDATE audit_entries SET prev_hash = '{zeros}', entry_hash = '{zeros}' WHERE id = {0}",
            0,
        ),
    ],
    ids=["changed", "removed", "forged"],
)
def test_verify_names_the_first_entry_that_does_not_follow(db_session, tamper, bad):
    ids = _three_entries()
    db_session.execute(text(tamper.format(*ids, zeros="0" * 64)))
    db_session.expire_all()
    verdict = chain.verify(trail())
    assert verdict.first_bad_id == ids[bad]


def test_practice_audit_verify_catches_an_entry_changed_by_hand(tmp_path):
    with throwaway_database(tmp_path) as url:
        app = make_test_app(url)
        with app.app_context():
            ids = _three_entries()
        get_database(app).engine.dispose()
        env = {"PRACTICE_ENV": "testing", "DATABASE_URL": url}
        intact = CliRunner().invoke(main, ["audit", "verify"], env=env)
        assert intact.exit_code == 0 and "intact" in intact.output
        if url.startswith("sqlite"):
            with sqlite3.connect(make_url(url).database) as by_hand:  # as an intruder would
                by_hand.execute(
                    "UPDATE audit_entries SET action = 'couple.none' WHERE id = ?", (ids[1],)
                )
        else:
            engine = get_database(make_test_app(url)).engine
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE audit_entries SET action = 'couple.none' WHERE id = :id"),
                    {"id": ids[1]},
                )
            engine.dispose()
        broken = CliRunner().invoke(main, ["audit", "verify"], env=env)
        assert broken.exit_code == 1
        assert f"entry {ids[1]} its content was changed" in broken.output
