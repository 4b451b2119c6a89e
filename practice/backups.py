"""Backups that restore: consistent while the app keeps writing, encrypted, checked on return.

A backup is taken with the database's own tools for a consistent copy: SQLite's online backup
API, or ``pg_dump`` (one snapshot) for PostgreSQL. The copy is sealed with AES-GCM under the
current data key and written as one file::

    PRACTICE-BACKUP 1\\n{"dialect": …, "key": …, "made_at": …}\\n<nonce + ciphertext>

so a stolen backup reads as noise; restoring needs the same keys (keep them apart). A restore
goes into an empty database only, then checks its integrity and counts the rows of each table.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from practice import clock, crypto

MAGIC = b"PRACTICE-BACKUP 1\n"
PURPOSE = b"practice backup"


class BackupError(RuntimeError):
    """A backup that cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class Restored:
    integrity: str
    rows: dict[str, int]


def _plain_url(url: str) -> str:
    """The URL as libpq tools (pg_dump) want it: without SQLAlchemy's driver name."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _dialect(url: str) -> str:
    return make_url(url).get_backend_name()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is needed for PostgreSQL (Debian: apt-get install postgresql-client)"
        )
    return found


def _copy(url: str, folder: Path) -> bytes:
    if _dialect(url) == "sqlite":
        source = sqlite3.connect(make_url(url).database)
        copy = folder / "copy.db"
        target = sqlite3.connect(copy)
        try:
            # The online backup API copies a consistent state while other connections write.
            source.backup(target)
        finally:
            target.close()
            source.close()
        return copy.read_bytes()
    dump = subprocess.run(  # noqa: S603 (a fixed tool with the configured database)
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--dbname", _plain_url(url)],
        capture_output=True,
        check=False,
    )
    if dump.returncode != 0:
        raise BackupError(f"pg_dump failed: {dump.stderr.decode(errors='replace').strip()}")
    return dump.stdout


def make_backup(url: str, target: Path, keys: crypto.Keyring) -> int:
    """Write an encrypted, consistent backup of the database to ``target``; return its size."""
    with tempfile.TemporaryDirectory() as folder:
        plain = _copy(url, Path(folder))
    header = json.dumps(
        {"dialect": _dialect(url), "key": keys.current, "made_at": clock.now().isoformat()}
    ).encode()
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(keys.keys[keys.current]).encrypt(nonce, plain, PURPOSE + header)
    partial = target.with_name(target.name + ".partial")
    with open(partial, "wb") as out:
        out.write(MAGIC + header + b"\n" + nonce + sealed)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)  # a backup file is whole or absent
    return target.stat().st_size


def _open(source: Path, keys: crypto.Keyring) -> tuple[dict, bytes]:
    data = source.read_bytes()
    if not data.startswith(MAGIC):
        raise BackupError(f"{source} is not a Practice backup")
    header, _, rest = data[len(MAGIC) :].partition(b"\n")
    meta = json.loads(header)
    if meta["key"] not in keys.keys:
        raise BackupError(f"this backup was made with key {meta['key']!r}, which is not installed")
    try:
        plain = AESGCM(keys.keys[meta["key"]]).decrypt(rest[:12], rest[12:], PURPOSE + header)
    except Exception as error:
        raise BackupError(f"{source} does not open with its key: damaged or altered") from error
    return meta, plain


def restore(source: Path, url: str, tables: list[str], keys: crypto.Keyring) -> Restored:
    """Restore a backup into an empty database, check it, and count the rows of each table."""
    meta, plain = _open(source, keys)
    if meta["dialect"] != _dialect(url):
        raise BackupError(f"this is a {meta['dialect']} backup; the target is {_dialect(url)}")
    engine = create_engine(url)
    try:
        if inspect(engine).get_table_names():
            raise BackupError("the target database is not empty; restore into a new one")
        if meta["dialect"] == "sqlite":
            engine.dispose()
            Path(make_url(url).database).write_bytes(plain)
        else:
            _pg_restore(plain, url)
        with engine.connect() as connection:
            integrity = _integrity(connection, meta["dialect"])
            rows = {
                name: connection.scalar(select(func.count()).select_from(text(name)))
                for name in tables
            }
    finally:
        engine.dispose()
    return Restored(integrity, rows)


def _pg_restore(plain: bytes, url: str) -> None:
    with tempfile.NamedTemporaryFile(suffix=".dump") as dump:
        dump.write(plain)
        dump.flush()
        result = subprocess.run(  # noqa: S603 (a fixed tool with the configured database)
            [
                _tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                _plain_url(url),
                dump.name,
            ],
            capture_output=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.decode(errors='replace').strip()}")


def _integrity(connection, dialect: str) -> str:
    if dialect == "sqlite":
        return connection.scalar(text("PRAGMA integrity_check"))
    # PostgreSQL checks as it restores (every constraint and index is rebuilt); a query on
    # every table below must work too.
    return "ok"


def table_counts(url: str, tables: list[str]) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: connection.scalar(select(func.count()).select_from(text(name)))
                for name in tables
            }
    finally:
        engine.dispose()
