"""An invented regional directory: services in every kind of help, at places around New York,
New Jersey and Connecticut (ZIP code centroids from the installed zipcodes package, moved a
little), written as HSDS 3.0 records and indexed as an import would be."""

from __future__ import annotations

import random
import uuid
from functools import cache

import zipcodes
from sqlalchemy import func, select

from practice import clock, db
from practice.directory.hsds import blank_row
from practice.directory.index import rebuild_index
from practice.directory.models import DirectoryRecord, DirectoryService
from practice.directory.taxonomy import CATEGORIES
from practice.directory.transfer import ensure_categories
from practice.seed.bulk import Batches, Ids

NAMESPACE = uuid.UUID("5b1f3e0a-2c4d-4e6f-8a9b-0c1d2e3f4a5b")
STATES = ("NY", "NJ", "CT")
WORDS = {
    "couples_therapy": ("Couples Therapy", "Licensed couples therapists; evenings and weekends."),
    "licensed_counseling": ("Counseling Center", "Individual counseling with licensed staff."),
    "relationship_programs": ("Relationship Workshops", "Group workshops on communication."),
    "financial_counseling": ("Money Coaching", "Free financial counseling: budgets and debt."),
    "parenting_support": ("Parenting Circle", "Groups and coaching for parents."),
    "domestic_violence": ("Family Safety Services", "Confidential support and safety planning."),
}
LANGUAGES = ("English", "Spanish", "Mandarin", "Haitian Creole", "Arabic", "Russian", "Korean")
TOWN_WORDS = ("Riverside", "Hillcrest", "Harbor", "Greenway", "Northgate", "Lakeside", "Oak")


@cache
def places() -> tuple[tuple[str, str, str, float, float], ...]:
    """(ZIP, city, state, latitude, longitude) of the region's standard ZIP codes."""
    found = []
    for state in STATES:
        for entry in zipcodes.filter_by(state=state, zip_code_type="STANDARD"):
            if entry["lat"] and entry["long"]:
                latitude, longitude = float(entry["lat"]), float(entry["long"])
                found.append((entry["zip_code"], entry["city"], state, latitude, longitude))
    return tuple(found)


def zip_codes(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(places())[0] for _ in range(count)]


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))


def service_records(number: int, rng: random.Random) -> list[tuple[str, dict[str, str]]]:
    """The HSDS records of one invented service, as (resource, row)."""
    kind = rng.choice(list(CATEGORIES))
    label, description = WORDS[kind]
    zip_code, city, state, latitude, longitude = rng.choice(places())
    name = f"{rng.choice(TOWN_WORDS)} {city.title()} {label} {number}"
    service_id, location_id = _id(number, "svc"), _id(number, "loc")
    records: list[tuple[str, dict[str, str]]] = []

    def add(resource: str, part: str, **values: str) -> None:
        records.append((resource, blank_row(resource, id=_id(number, part), **values)))

    add("organization", "org", name=name)
    add(
        "service",
        "svc",
        organization_id=_id(number, "org"),
        name=name,
        description=description,
        status="active" if rng.random() < 0.95 else "inactive",
        fees_description=rng.choice(("Free", "Sliding scale", "$90 per session")),
        email=f"hello@service-{number}.seed.example.org",
        assured_date="2026-10-01",
    )
    add(
        "attribute",
        "cat",
        link_id=service_id,
        taxonomy_term_id=CATEGORIES[kind][0],
        link_type="category",
        link_entity="service",
    )
    add("phone", "phone", service_id=service_id, number=f"212-555-{number % 100:04d}", type="voice")
    for language in {"English", rng.choice(LANGUAGES)}:
        add("language", language, service_id=service_id, name=language)
    if rng.random() < 0.1:
        add("location", "loc", location_type="virtual", name=f"{name} online")
    else:
        add(
            "location",
            "loc",
            location_type="physical",
            name=name,
            latitude=f"{latitude + rng.uniform(-0.02, 0.02):.5f}",
            longitude=f"{longitude + rng.uniform(-0.02, 0.02):.5f}",
        )
        add(
            "address",
            "addr",
            location_id=location_id,
            address_1=f"{rng.randint(1, 999)} Example Street",
            city=city.title(),
            state_province=state,
            postal_code=zip_code,
            country="US",
            address_type="physical",
        )
    add("service_at_location", "link", service_id=service_id, location_id=location_id)
    return records


def seed_directory(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Add ``count`` services and index them; return (HSDS id, name) of the active ones."""
    ensure_categories()
    table = DirectoryRecord.__table__
    batches, ids = Batches([table]), Ids()
    offset = db.session.scalar(select(func.count()).select_from(table)) or 0
    now = clock.now()
    for number in range(offset + 1, offset + count + 1):
        for resource, data in service_records(number, rng):
            batches.add(
                table,
                id=ids.take(table),
                resource=resource,
                hsds_id=data["id"],
                data=data,
                updated_at=now,
                **DirectoryRecord.references(data),
            )
        if batches.pending() > 20_000:
            batches.flush()
    batches.flush()
    rebuild_index()
    active = select(DirectoryService.hsds_id, DirectoryService.name).where(
        DirectoryService.status == "active"
    )
    return [(hsds_id, name) for hsds_id, name in db.session.execute(active)]
