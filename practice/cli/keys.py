"""The data keys that encrypt client text at rest."""

from __future__ import annotations

from pathlib import Path

import click

from practice import clock, crypto
from practice import models as every_model  # noqa: F401 (all tables in the metadata)
from practice.cli.context import app_context
from practice.db import Base, get_database


@click.group("keys")
def keys_group() -> None:
    """Encryption key commands."""


@keys_group.command("new")
def keys_new() -> None:
    """Print a new key, as PRACTICE_ENCRYPTION_KEY takes it (id=key)."""
    key_id = f"k{clock.now():%Y%m%d%H%M%S}"
    fresh = crypto.Keyring(key_id, {key_id: crypto.new_keyring().keys["k1"]})
    click.echo(crypto.env_value(fresh))


@keys_group.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt everything under a new key, keeping the old ones readable.

    With the key file (the instance folder), a new key is added to it first. With
    PRACTICE_ENCRYPTION_KEY, put the new key first in it (practice keys new), keep the old
    ones after it, and run this: everything is rewritten under the first key.
    """
    with app_context() as app:
        keys: crypto.Keyring = app.config["ENCRYPTION_KEYRING"]
        source = app.config["ENCRYPTION_KEY_SOURCE"]
        if source != "environment":
            keys = keys.with_new_key()
            crypto.write_file(Path(source), keys)  # before any value needs the new key
            crypto.install(keys)
            click.echo(f"New key {keys.current} added to {source}; the older ones stay in it.")
        with get_database(app).engine.connect() as connection:
            counts = crypto.reencrypt(connection, Base.metadata, keys, connection.commit)
    total = sum(counts.values())
    click.echo(f"{total} values now under key {keys.current}:")
    for column, count in counts.items():
        click.echo(f"  {column}: {count}")
