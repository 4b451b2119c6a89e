"""Backups: taken while the app writes, encrypted, restored whole into an empty database."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from practice import backups, crypto, db
from practice.cli import main
from practice.cli.backups import _tables
from practice.db import get_database
from tests.conftest import make_test_app
from tests.databases import empty_database, throwaway_database
from tests.factories import AppointmentFactory, CoupleFactory, signed_note

MARKER = "Isolde-Marchbank-3141"


def _some_records(url: str) -> None:
    app = make_test_app(url)
    with app.app_context():
        for _ in range(3):
            signed_note(AppointmentFactory(couple=CoupleFactory()), plan=f"Plan with {MARKER}")
        db.session.commit()
    get_database(app).engine.dispose()


def _env(url: str) -> dict[str, str]:
    return {"PRACTICE_ENV": "testing", "DATABASE_URL": url}


def test_backup_then_restore_gives_the_same_row_counts_and_hides_the_text(tmp_path):
    backup_file = tmp_path / "practice.backup"
    with throwaway_database(tmp_path) as source, empty_database(tmp_path) as target:
        _some_records(source)
        made = CliRunner().invoke(
            main,
            ["backup", str(backup_file)],
            env={"PRACTICE_ENV": "testing", "DATABASE_URL": source},
        )
        assert made.exit_code == 0, made.output
        assert MARKER.encode() not in backup_file.read_bytes()
        assert b"progress_notes" not in backup_file.read_bytes()  # not even the table names
        before = backups.table_counts(source, _tables())
        restored = CliRunner().invoke(
            main,
            ["restore", str(backup_file)],
            env={"PRACTICE_ENV": "testing", "DATABASE_URL": target},
        )
        assert restored.exit_code == 0, restored.output
        assert "integrity check: ok" in restored.output
        assert backups.table_counts(target, _tables()) == before
        assert f"  progress_notes: {before['progress_notes']}" in restored.output
        assert before["progress_notes"] == 3


def test_a_backup_during_writes_holds_every_row_committed_before_it_began(tmp_path):
    backup_file = tmp_path / "busy.backup"
    with throwaway_database(tmp_path) as source, empty_database(tmp_path) as target:
        engine = create_engine(source)
        committed: list[int] = []
        stop = threading.Event()

        def keep_writing() -> None:
            while not stop.is_set():
                with engine.begin() as connection:
                    row = connection.execute(
                        text(
                            "INSERT INTO outbox_messages (recipient, subject, body, created_at, "
                            "attempts) VALUES ('w@example.com', 's', 'b', '2026-01-01', 0) "
                            "RETURNING id"
                        )
                    ).scalar_one()
                committed.append(row)

        writer = threading.Thread(target=keep_writing)
        writer.start()
        try:
            while len(committed) < 50:
                stop.wait(0.01)
            before_backup = list(committed)
            backups.make_backup(source, backup_file, crypto.keyring())
        finally:
            stop.set()
            writer.join()
            engine.dispose()
        restored = backups.restore(backup_file, target, _tables(), crypto.keyring())
        assert restored.integrity == "ok"
        restored_engine = create_engine(target)
        with restored_engine.connect() as connection:
            present = set(connection.scalars(text("SELECT id FROM outbox_messages")))
        restored_engine.dispose()
        assert set(before_backup) <= present  # nothing committed before the backup is lost


def test_an_altered_backup_or_a_busy_target_is_refused(tmp_path):
    backup_file = tmp_path / "altered.backup"
    with throwaway_database(tmp_path) as source:
        backups.make_backup(source, backup_file, crypto.keyring())
        data = bytearray(backup_file.read_bytes())
        data[-20] ^= 0x01
        backup_file.write_bytes(bytes(data))
        with pytest.raises(backups.BackupError, match="damaged or altered"):
            backups.restore(backup_file, source, _tables(), crypto.keyring())
        backups.make_backup(source, backup_file, crypto.keyring())
        with pytest.raises(backups.BackupError, match="not empty"):
            backups.restore(backup_file, source, _tables(), crypto.keyring())
