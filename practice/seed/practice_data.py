"""A whole practice of load data: an admin, counselors with their caseloads, each couple's
history, and a regional directory; written in bulk into an empty database."""

from __future__ import annotations

import random
import time as timer
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pyotp
from sqlalchemy import func, select

from practice import clock, db
from practice.access import Role
from practice.accounts.models import User
from practice.accounts.passwords import hash_password
from practice.couples.models import Couple, CoupleStatus
from practice.db import Base
from practice.exercises.library import sync_library
from practice.exercises.models import Exercise, ExerciseVersion
from practice.seed.bulk import Batches, Ids, analyze, reset_sequences
from practice.seed.casework import Case, CaseWriter, Library
from practice.seed.directory import seed_directory, zip_codes
from practice.seed.people import person_name

DOMAIN = "seed.example.org"
FLUSH_EVERY = 100  # couples gathered in memory before their rows are written


class SeedError(Exception):
    """The database cannot be seeded as asked."""


@dataclass(frozen=True)
class Sizes:
    counselors: int
    couples_per_counselor: int
    years: int
    services: int
    large_caseload: int = 0  # one counselor gets this many couples instead


@dataclass
class Seeded:
    """What the seed wrote, and the accounts and couple a benchmark needs."""

    typical_counselor: str = ""
    largest_counselor: str = ""
    admin: str = ""
    partner: str = ""
    fullest_couple: int = 0
    two_factor_key: str = ""
    rows: dict[str, int] = field(default_factory=dict)

    def sign_ins(self) -> list[str]:
        return [
            f"counselor {self.typical_counselor}",
            f"counselor {self.largest_counselor}",
            f"admin {self.admin}",
            f"partner {self.partner}",
            f"couple {self.fullest_couple}",
            f"two-factor-key {self.two_factor_key}",
        ]


def _library() -> Library:
    sync_library()
    current = (
        select(Exercise.slug, ExerciseVersion)
        .join(Exercise, Exercise.id == ExerciseVersion.exercise_id)
        .where(Exercise.owner_id.is_(None), Exercise.current_number == ExerciseVersion.number)
    )
    versions = {slug: version for slug, version in db.session.execute(current)}
    once = tuple(
        version
        for slug, version in versions.items()
        if slug not in ("daily-check-in", "pause-agreement") and version.agreement_kind is None
    )
    return Library(versions["daily-check-in"], versions["pause-agreement"], once)


def _staff(batches: Batches, ids: Ids, role: Role, email: str, name: str, **login) -> int:
    table = User.__table__
    user_id = ids.take(table)
    batches.add(
        table,
        id=user_id,
        email=email,
        name=name,
        role=role,
        is_disabled=False,
        created_at=clock.now(),
        last_sign_in_at=None,
        **login,
    )
    return user_id


def _caseloads(sizes: Sizes) -> list[int]:
    loads = [sizes.couples_per_counselor] * sizes.counselors
    if sizes.large_caseload:
        loads[0] = sizes.large_caseload
    return loads


def seed(
    sizes: Sizes, password: str, *, rng_seed: int = 2026, say: Callable[[str], None] = print
) -> Seeded:
    """Fill an empty database. ``say`` hears progress now and then."""
    if db.session.scalar(select(func.count()).select_from(Couple)) or db.session.scalar(
        select(func.count()).select_from(User)
    ):
        raise SeedError("The database already holds accounts or couples: seed an empty one.")
    rng = random.Random(rng_seed)  # noqa: S311 (invented load data, not security)
    started = timer.perf_counter()
    today = clock.today()
    result = Seeded(two_factor_key=pyotp.random_base32())
    say(f"directory: {sizes.services} services")
    services = seed_directory(sizes.services, rng) if sizes.services else []
    library = _library()
    # Parents before children; casework's imports bring in every table it writes.
    order = list(Base.metadata.sorted_tables)
    batches, ids = Batches(order), Ids()
    password_hash = hash_password(password)
    staff_login = {
        "password_hash": password_hash,
        "totp_secret": result.two_factor_key,
        "totp_enabled_at": clock.now(),
        "totp_last_step": None,
    }
    result.admin = f"admin@{DOMAIN}"
    _staff(batches, ids, Role.ADMIN, result.admin, "Practice Admin", **staff_login)
    writer = CaseWriter(
        batches, ids, library, password_hash=password_hash, today=today, services=services
    )
    loads = _caseloads(sizes)
    typical = 1 if sizes.large_caseload and sizes.counselors > 1 else 0
    number = 0
    for index, load in enumerate(loads):
        email = f"counselor-{index + 1:03d}@{DOMAIN}"
        counselor_id = _staff(batches, ids, Role.COUNSELOR, email, person_name(rng), **staff_login)
        if index == typical:
            result.typical_counselor = email
        if load == max(loads) and not result.largest_counselor:
            result.largest_counselor = email
        for position in range(load):
            number += 1
            fullest = index == typical and position == 0
            roll = rng.random()
            status = (
                CoupleStatus.ACTIVE
                if fullest or roll < 0.8
                else CoupleStatus.PAUSED
                if roll < 0.88
                else CoupleStatus.CLOSED
            )
            days_back = 365 * sizes.years if fullest else rng.randint(21, 365 * sizes.years)
            case = Case(
                counselor_id=counselor_id,
                intake=today - timedelta(days=days_back),
                status=status,
                zip_code=zip_codes(rng, 1)[0],
                portal=fullest or rng.random() < 0.6,
                weekly=fullest,
            )
            couple_id, portal_email = writer.write(case, number, rng)
            if fullest:
                result.fullest_couple, result.partner = couple_id, portal_email or ""
            if number % FLUSH_EVERY == 0:
                batches.flush()
            if number % 1000 == 0:
                say(f"couples: {number} of {sum(loads)} ({timer.perf_counter() - started:.0f} s)")
    batches.flush()
    reset_sequences(order)
    analyze()
    result.rows = dict(batches.written)
    return result
