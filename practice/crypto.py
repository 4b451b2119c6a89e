"""Encryption at rest for what clients and counselors write: AES-GCM, per value, by column type.

A column declared ``EncryptedText("notes")`` or ``EncryptedJSON("answers")`` is written as
``enc:1:<key id>:<nonce and ciphertext>``, so the database file, a dump or a backup never holds
the words in plain text; services read and write ordinary strings and dicts. Each value names
the key it was made with, so after ``practice keys rotate`` (which re-encrypts everything under
a new key) older keys stay readable until nothing uses them. The column's purpose is bound in
as associated data: a value copied into another kind of column does not decrypt.

Keys come from PRACTICE_ENCRYPTION_KEY (``id=base64key``, several separated by commas, the
first one current) or from ``encryption-keys.json`` in the instance folder, which `practice
demo` makes in development. A value written before encryption was switched on (no ``enc:``
prefix) is still read as it is, until the next rotation encrypts it.
"""

from __future__ import annotations

import json
import os
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text, select, type_coerce, update
from sqlalchemy.types import TypeDecorator

PREFIX = "enc:1:"
KEY_FILE = "encryption-keys.json"
NONCE_BYTES = 12


class KeyringError(ValueError):
    """The encryption keys are missing, malformed, or do not open a value."""


@dataclass
class Keyring:
    """The data keys by id; ``current`` encrypts, every one of them decrypts."""

    current: str
    keys: dict[str, bytes] = field(default_factory=dict)

    def encrypt(self, plain: str, purpose: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plain.encode(), purpose.encode())
        return f"{PREFIX}{self.current}:{urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, purpose: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # written before encryption was switched on
        key_id, _, blob = stored[len(PREFIX) :].partition(":")
        if key_id not in self.keys:
            raise KeyringError(f"no key {key_id!r} to read a stored value with")
        raw = urlsafe_b64decode(blob)
        opened = AESGCM(self.keys[key_id]).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()
        )
        return opened.decode()

    def key_of(self, stored: str | None) -> str | None:
        """The id of the key a stored value was made with (None for plain or empty)."""
        if not stored or not stored.startswith(PREFIX):
            return None
        return stored[len(PREFIX) :].partition(":")[0]

    def with_new_key(self) -> Keyring:
        """The same keys and a new current one, for a rotation."""
        number = 1 + max((int(k[1:]) for k in self.keys if k[1:].isdigit()), default=0)
        new_id = f"k{number}"
        return Keyring(new_id, {new_id: AESGCM.generate_key(bit_length=256), **self.keys})

    def to_json(self) -> str:
        encoded = {key_id: urlsafe_b64encode(key).decode() for key_id, key in self.keys.items()}
        return json.dumps({"current": self.current, "keys": encoded}, indent=2)


def parse_env(raw: str) -> Keyring:
    """``id=base64key[,id=base64key…]``, the first one current."""
    keys: dict[str, bytes] = {}
    order = []
    for part in filter(None, (piece.strip() for piece in raw.split(","))):
        key_id, _, encoded = part.partition("=")
        try:
            key = urlsafe_b64decode(encoded)
        except ValueError:
            key = b""
        if not key_id or len(key) not in (16, 24, 32):
            raise KeyringError(
                "PRACTICE_ENCRYPTION_KEY must be id=key pairs separated by commas, each key 32 "
                "random bytes in URL-safe base64 (practice keys new prints one)"
            )
        keys[key_id] = key
        order.append(key_id)
    if not order:
        raise KeyringError("PRACTICE_ENCRYPTION_KEY is empty")
    return Keyring(order[0], keys)


def read_file(path: Path) -> Keyring:
    try:
        data = json.loads(path.read_text())
        return Keyring(data["current"], {k: urlsafe_b64decode(v) for k, v in data["keys"].items()})
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyringError(f"{path} is not a readable key file ({type(error).__name__})") from None


def write_file(path: Path, keyring: Keyring) -> None:
    """Write a key file readable by its owner only (replacing it in one step)."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(keyring.to_json())
    temporary.chmod(0o600)
    os.replace(temporary, path)


def new_keyring() -> Keyring:
    return Keyring("k1", {"k1": AESGCM.generate_key(bit_length=256)})


def env_value(keyring: Keyring) -> str:
    """The keyring as PRACTICE_ENCRYPTION_KEY would carry it."""
    ordered = [keyring.current, *(k for k in keyring.keys if k != keyring.current)]
    return ",".join(f"{k}={urlsafe_b64encode(keyring.keys[k]).decode()}" for k in ordered)


# The keyring of this process, installed by the application factory.
_keyring: Keyring | None = None


def install(keyring: Keyring) -> None:
    global _keyring
    _keyring = keyring


def keyring() -> Keyring:
    if _keyring is None:
        raise KeyringError("no encryption keys are installed (create the application first)")
    return _keyring


class EncryptedText(TypeDecorator[str]):
    """Text stored encrypted; ``purpose`` names the kind of column."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring().encrypt(value, self.purpose)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring().decrypt(value, self.purpose)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value (answers, a note's saved content) stored encrypted."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        plain = json.dumps(value, separators=(",", ":"), default=str)
        return keyring().encrypt(plain, self.purpose)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(keyring().decrypt(value, self.purpose))


def encrypted_columns(metadata: Any) -> list[tuple[Any, Any]]:
    """Every (table, column) of the schema stored encrypted."""
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText | EncryptedJSON)
    ]


def reencrypt(
    connection: Any, metadata: Any, keys: Keyring, commit: Any, batch: int = 500
) -> dict[str, int]:
    """Write every encrypted value (and every value from before encryption) under the current
    key; return how many were rewritten per column. The values themselves do not change, so
    signatures over them (signed notes) still hold. Commits batch by batch: run again after an
    interruption and it carries on."""
    counts: dict[str, int] = {}
    for table, column in encrypted_columns(metadata):
        primary = next(iter(table.primary_key.columns))
        raw = type_coerce(column, Text)  # the stored text, as it is
        rewritten = 0
        last = None
        while True:
            query = select(primary, raw).order_by(primary).limit(batch)
            if last is not None:
                query = query.where(primary > last)
            rows = connection.execute(query).all()
            if not rows:
                break
            for key, stored in rows:
                if stored is not None and keys.key_of(stored) != keys.current:
                    plain = keys.decrypt(stored, column.type.purpose)
                    sealed = keys.encrypt(plain, column.type.purpose)
                    connection.execute(
                        update(table)
                        .where(primary == key)
                        .values({column.name: type_coerce(sealed, Text)})
                    )
                    rewritten += 1
            commit()
            last = rows[-1][0]
        counts[f"{table.name}.{column.name}"] = rewritten
    return counts
