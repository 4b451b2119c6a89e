"""The built-in library: exercises kept as data in library.toml, synced into the database."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from practice import db
from practice.exercises.fields import check_spec
from practice.exercises.models import AgreementKind, Exercise, ExerciseVersion, Mode, Rhythm
from practice.framework import AREAS_BY_KEY

# The parts of a version that, when changed, make a new version.
CONTENT_KEYS = (
    "title",
    "area",
    "purpose",
    "instructions",
    "minutes",
    "rhythm",
    "mode",
    "privacy_choice",
    "agreement_kind",
    "timer_minutes",
    "fields",
)


def read_library() -> list[dict[str, Any]]:
    """The built-in exercises from the package, checked and in a normal form."""
    raw = tomllib.loads(resources.files("practice.exercises").joinpath("library.toml").read_text())
    return [normal_content(entry) for entry in raw["exercise"]]


def normal_content(entry: dict[str, Any]) -> dict[str, Any]:
    if entry["area"] not in AREAS_BY_KEY:
        raise ValueError(f"{entry.get('slug')}: unknown area {entry['area']!r}")
    return {
        "slug": entry.get("slug"),
        "title": entry["title"].strip(),
        "area": entry["area"],
        "purpose": entry["purpose"].strip(),
        "instructions": " ".join(entry["instructions"].split()),
        "minutes": int(entry["minutes"]),
        "rhythm": Rhythm(entry["rhythm"]),
        "mode": Mode(entry["mode"]),
        "privacy_choice": bool(entry.get("privacy_choice", False)),
        "agreement_kind": AgreementKind(entry["agreement"]) if entry.get("agreement") else None,
        "timer_minutes": entry.get("timer_minutes"),
        "fields": check_spec(entry["fields"]),
    }


def version_content(version: ExerciseVersion) -> dict[str, Any]:
    return {key: getattr(version, key) for key in CONTENT_KEYS}


def add_version(
    exercise: Exercise, content: dict[str, Any], created_by_id: int | None
) -> ExerciseVersion:
    """Append a new version to an exercise and make it the current one."""
    number = len(exercise.versions) + 1
    version = ExerciseVersion(
        exercise=exercise,
        number=number,
        created_by_id=created_by_id,
        **{key: content[key] for key in CONTENT_KEYS},
    )
    exercise.current_number = number
    db.session.add(version)
    return version


@dataclass(frozen=True)
class SyncResult:
    added: list[str]
    updated: list[str]
    unchanged: list[str]


def sync_library() -> SyncResult:
    """Bring the built-in exercises up to the package's library; changes become new versions."""
    existing = {
        exercise.slug: exercise
        for exercise in db.session.scalars(
            select(Exercise)
            .where(Exercise.owner_id.is_(None))
            .options(selectinload(Exercise.versions))
        )
    }
    added, updated, unchanged = [], [], []
    for content in read_library():
        exercise = existing.get(content["slug"])
        if exercise is None:
            exercise = Exercise(slug=content["slug"], owner_id=None, shared=True)
            db.session.add(exercise)
            add_version(exercise, content, None)
            added.append(content["slug"])
        elif version_content(exercise.versions[-1]) != {k: content[k] for k in CONTENT_KEYS}:
            add_version(exercise, content, None)
            updated.append(content["slug"])
        else:
            unchanged.append(content["slug"])
    db.session.flush()
    return SyncResult(added, updated, unchanged)
