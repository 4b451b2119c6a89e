"""Client text is encrypted at rest: a marker written into a note, an answer and a safety
check is nowhere in plain text in the database file or a dump, yet reads back in the app."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, type_coerce, update
from sqlalchemy.engine import make_url
from sqlalchemy.types import Text

from practice import clock, crypto, db
from practice.appointments.models import ProgressNote
from practice.config import ConfigError, load_config
from practice.db import Base, get_database
from practice.homework import services as homework
from practice.homework.models import Completion
from practice.measures import services as measures
from practice.measures.models import SafetyScreen
from tests.conftest import make_test_app
from tests.databases import throwaway_database
from tests.factories import (
    AppointmentFactory,
    CoupleFactory,
    make_assignment,
    make_exercise,
    partner_with_login,
    signed_note,
)
from tests.processes import run_cli

MARKER = "Ophelia-Nightjar-90210"
SAFE = {"humiliated": 1, "afraid": 0, "raped": 0, "kicked": 0}


def _write_markers() -> dict[str, int]:
    couple = CoupleFactory()
    partner = partner_with_login(couple, 1)
    note = signed_note(AppointmentFactory(couple=couple), assessment=f"Said {MARKER} twice.")
    completion = homework.save_answers(
        make_assignment(couple, make_exercise()),
        couple.partners[0],
        {"heard": f"I heard {MARKER}", "connected": 6},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=partner,
    )
    screen = measures.record_safety_screen(couple.partners[0], SAFE, partner)
    db.session.commit()
    return {"note": note.id, "completion": completion.id, "screen": screen.id}


def _stored_bytes(url: str) -> bytes:
    """Everything the database keeps on disk (SQLite), or a full dump of it (PostgreSQL)."""
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    dump = subprocess.run(["pg_dump", url.replace("+psycopg", "")], capture_output=True, check=True)
    return dump.stdout


def test_markers_are_absent_in_plain_text_but_read_back_in_the_app(tmp_path):
    with throwaway_database(tmp_path) as url:
        app = make_test_app(url)
        with app.app_context():
            ids = _write_markers()
            db.session.expire_all()
            assert MARKER in db.session.get(ProgressNote, ids["note"]).assessment
            assert MARKER in db.session.get(Completion, ids["completion"]).answers["heard"]
            assert db.session.get(SafetyScreen, ids["screen"]).answers == SAFE
            stored = db.session.scalar(
                select(type_coerce(SafetyScreen.answers, Text)).where(
                    SafetyScreen.id == ids["screen"]
                )
            )
        get_database(app).engine.dispose()
        raw = _stored_bytes(url)
        assert MARKER.encode() not in raw
        assert stored.startswith("enc:1:") and "humiliated" not in stored


def test_a_value_moved_to_another_kind_of_column_does_not_open(db_session):
    keys = crypto.keyring()
    sealed = keys.encrypt("private words", "answers")
    assert keys.decrypt(sealed, "answers") == "private words"
    with pytest.raises(Exception):  # noqa: B017 (cryptography's InvalidTag)
        keys.decrypt(sealed, "note")


def test_production_will_not_start_without_a_key(tmp_path):
    with pytest.raises(ConfigError, match="No encryption key"):
        load_config(tmp_path, {"PRACTICE_ENV": "production", "SECRET_KEY": "k" * 40})


def test_rotation_rewrites_everything_under_a_new_key_and_old_values_still_read(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    crypto.write_file(instance / crypto.KEY_FILE, crypto.new_keyring())
    with throwaway_database(tmp_path) as url:
        before = crypto.read_file(instance / crypto.KEY_FILE)
        app = make_test_app(url, ENCRYPTION_KEYRING=before)
        crypto.install(before)
        with app.app_context():
            ids = _write_markers()
        get_database(app).engine.dispose()
        # The command reads its keys from the key file, as a practice without the variable does.
        env = {key: value for key, value in os.environ.items() if key != "PRACTICE_ENCRYPTION_KEY"}
        env |= {"PRACTICE_ENV": "testing", "DATABASE_URL": url}
        env["PRACTICE_INSTANCE_PATH"] = str(instance)
        result = run_cli("keys", "rotate", env=env)
        assert result.returncode == 0, result.stderr
        assert "New key k2 added" in result.stdout
        after = crypto.read_file(instance / crypto.KEY_FILE)
        assert after.current == "k2" and set(after.keys) == {"k1", "k2"}
        app = make_test_app(url, ENCRYPTION_KEYRING=after)
        crypto.install(after)
        with app.app_context():
            stored = db.session.scalars(select(type_coerce(ProgressNote.assessment, Text))).all()
            assert {after.key_of(value) for value in stored} == {"k2"}
            assert MARKER in db.session.get(ProgressNote, ids["note"]).assessment
        get_database(app).engine.dispose()
    crypto.install(crypto.parse_env(os.environ["PRACTICE_ENCRYPTION_KEY"]))


def test_values_from_before_encryption_read_as_they_are_until_rewritten(db_session):
    couple = CoupleFactory()
    partner = partner_with_login(couple, 1)
    screen = measures.record_safety_screen(couple.partners[0], SAFE, partner)
    db_session.flush()
    legacy = '{"humiliated": 0, "afraid": 0, "raped": 0, "kicked": 0}'
    db_session.execute(
        update(SafetyScreen)
        .where(SafetyScreen.id == screen.id)
        .values(answers=type_coerce(legacy, Text))
    )
    db_session.expire_all()
    assert db_session.get(SafetyScreen, screen.id).answers["humiliated"] == 0
    keys = crypto.keyring()
    counts = crypto.reencrypt(db_session.connection(), Base.metadata, keys, lambda: None)
    assert counts["safety_screens.answers"] == 1
    stored = db_session.scalar(
        select(type_coerce(SafetyScreen.answers, Text)).where(SafetyScreen.id == screen.id)
    )
    assert keys.key_of(stored) == keys.current
