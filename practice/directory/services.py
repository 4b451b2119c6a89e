"""The directory: importing and exporting HSDS packages, the practice's categories, the
search index, search by text and distance, and referrals."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from practice import clock, db
from practice.accounts.models import User
from practice.audit import services as audit
from practice.directory.hsds import descriptor, resource_order, resources_by_name
from practice.directory.models import (
    DirectoryLocation,
    DirectoryRecord,
    DirectoryService,
    DirectoryServiceCategory,
    DirectoryServiceLanguage,
)
from practice.directory.package import read_package
from practice.pagination import paginate

log = logging.getLogger(__name__)

# The kinds of help the framework names: always in the directory, whatever is imported.
PRACTICE_TAXONOMY_ID = "6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a01"
CATEGORIES = {
    "couples_therapy": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a11", "Couples therapy"),
    "licensed_counseling": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a12", "Licensed counseling"),
    "relationship_programs": (
        "6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a13",
        "Community relationship programs and workshops",
    ),
    "financial_counseling": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a14", "Financial counseling"),
    "parenting_support": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a15", "Parenting support"),
    "domestic_violence": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a16", "Domestic-violence support"),
}
DOMESTIC_VIOLENCE_TERM = CATEGORIES["domestic_violence"][0]


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def summary(self) -> str:
        def total(counts: dict[str, int]) -> int:
            return sum(counts.values())

        lines = [
            f"{total(self.added)} added, {total(self.updated)} updated, "
            f"{total(self.unchanged)} left as they were"
        ]
        for name in sorted(set(self.added) | set(self.updated) | set(self.unchanged)):
            lines.append(
                f"  {name}: {self.added.get(name, 0)} added, {self.updated.get(name, 0)} updated, "
                f"{self.unchanged.get(name, 0)} unchanged"
            )
        return "\n".join(lines)


def _stored() -> dict[tuple[str, str], DirectoryRecord]:
    return {
        (record.resource, record.hsds_id): record
        for record in db.session.scalars(select(DirectoryRecord))
    }


def _upsert(rows: dict[str, list[dict[str, str]]], stored, result: ImportResult) -> None:
    for resource in resource_order():
        for row in rows.get(resource.name, []):
            record = stored.get((resource.name, row["id"]))
            if record is None:
                record = DirectoryRecord(resource=resource.name, hsds_id=row["id"], data=row)
                db.session.add(record)
                stored[(resource.name, row["id"])] = record
                result.added[resource.name] += 1
            elif record.data != row:
                record.data = row
                record.updated_at = clock.now()
                result.updated[resource.name] += 1
            else:
                result.unchanged[resource.name] += 1


def delete_records(keys: list[tuple[str, str]]) -> None:
    """Remove records by (resource, HSDS id); the caller rebuilds the index."""
    for resource, hsds_id in keys:
        db.session.execute(
            delete(DirectoryRecord).where(
                DirectoryRecord.resource == resource, DirectoryRecord.hsds_id == hsds_id
            )
        )


def load_rows(rows: dict[str, list[dict[str, str]]]) -> ImportResult:
    """Store rows already checked (demo data, forms), then refresh the search index."""
    result = ImportResult()
    _upsert(rows, _stored(), result)
    db.session.flush()
    rebuild_index()
    return result


def import_package(source: Path, actor: User | None = None) -> ImportResult:
    """Import a package whole (matching records by their HSDS id), or refuse it whole."""
    stored = _stored()
    known: dict[str, set[str]] = defaultdict(set)
    for resource, hsds_id in stored:
        known[resource].add(hsds_id)
    rows = read_package(source, known)
    result = ImportResult()
    _upsert(rows, stored, result)
    db.session.flush()
    rebuild_index()
    log.info("directory package imported: %s", result.summary().splitlines()[0])
    if actor is not None:
        audit.record(actor, "directory.import", actor)
    return result


def ensure_categories() -> None:
    """Put the practice's own kinds of help into the directory (once)."""
    taxonomy = {
        "id": PRACTICE_TAXONOMY_ID,
        "name": "Practice referral categories",
        "description": "Kinds of help a couples counselor refers to.",
        "uri": "",
        "version": "1",
    }
    rows = {
        "taxonomy": [taxonomy],
        "taxonomy_term": [
            {
                "id": term_id,
                "code": key,
                "name": name,
                "description": name,
                "parent_id": "",
                "taxonomy": "Practice",
                "language": "en",
                "taxonomy_id": PRACTICE_TAXONOMY_ID,
                "term_uri": "",
            }
            for key, (term_id, name) in CATEGORIES.items()
        ],
    }
    stored = _stored()
    for name, table in rows.items():
        columns = resources_by_name()[name].column_names
        for row in table:
            if (name, row["id"]) not in stored:
                full = {column: row.get(column, "") for column in columns}
                db.session.add(DirectoryRecord(resource=name, hsds_id=row["id"], data=full))
    db.session.flush()


def export_package(target: Path) -> dict[str, int]:
    """Write every record as an HSDS 3.0 tabular data package (a folder, or a .zip)."""
    by_resource: dict[str, list[dict[str, str]]] = defaultdict(list)
    for record in db.session.scalars(select(DirectoryRecord).order_by(DirectoryRecord.hsds_id)):
        by_resource[record.resource].append(record.data)
    files: dict[str, bytes] = {}
    counts = {}
    for resource in resource_order():
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=list(resource.column_names), lineterminator="\n")
        writer.writeheader()
        for row in by_resource.get(resource.name, []):
            writer.writerow({column: row.get(column, "") for column in resource.column_names})
        files[resource.path] = buffer.getvalue().encode("utf-8")
        counts[resource.name] = len(by_resource.get(resource.name, []))
    files["datapackage.json"] = json.dumps(descriptor(), indent=2).encode("utf-8")
    if target.suffix == ".zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(name, content)
    else:
        target.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (target / name).write_bytes(content)
    return counts


# --- the search index ---------------------------------------------------------------------


def _text(*parts: str) -> str:
    return " ".join(part for part in parts if part).lower()


def _float(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        return None


def rebuild_index() -> None:
    """Derive the search tables from the HSDS records (all at once, in a few queries)."""
    records: dict[str, list[dict[str, str]]] = defaultdict(list)
    for record in db.session.scalars(select(DirectoryRecord)):
        records[record.resource].append(record.data)
    db.session.execute(delete(DirectoryServiceCategory))
    db.session.execute(delete(DirectoryServiceLanguage))
    db.session.execute(delete(DirectoryLocation))
    db.session.execute(delete(DirectoryService))

    def by(resource: str, key: str) -> dict[str, list[dict[str, str]]]:
        grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in records.get(resource, []):
            grouped[row.get(key, "")].append(row)
        return grouped

    organizations = {row["id"]: row for row in records.get("organization", [])}
    locations = {row["id"]: row for row in records.get("location", [])}
    addresses = by("address", "location_id")
    links = by("service_at_location", "service_id")
    phones_by_service = by("phone", "service_id")
    phones_by_location = by("phone", "location_id")
    languages_by_service = by("language", "service_id")
    languages_by_location = by("language", "location_id")
    costs = by("cost_option", "service_id")
    schedules = by("schedule", "service_id")
    attributes = by("attribute", "link_id")
    term_names = {row["id"]: row.get("name", "") for row in records.get("taxonomy_term", [])}

    for row in records.get("service", []):
        organization = organizations.get(row.get("organization_id", ""), {})
        places = [
            locations[link["location_id"]]
            for link in links[row["id"]]
            if link["location_id"] in locations
        ]
        languages = sorted(
            {
                language.get("name") or language.get("code")
                for language in languages_by_service[row["id"]]
                + [lang for place in places for lang in languages_by_location[place["id"]]]
                if language.get("name") or language.get("code")
            }
        )
        fee_text = _text(
            row.get("fees_description", ""),
            row.get("fees", ""),
            *(
                c.get("option", "") + " " + c.get("amount_description", "")
                for c in costs[row["id"]]
            ),
        )
        amounts = [_float(c.get("amount", "")) for c in costs[row["id"]]]
        service = DirectoryService(
            hsds_id=row["id"],
            name=row.get("name", ""),
            organization=organization.get("name", ""),
            description=row.get("description", ""),
            status=row.get("status", ""),
            url=row.get("url", ""),
            email=row.get("email", ""),
            fees=row.get("fees_description", ""),
            free=any(amount == 0 for amount in amounts) or "free" in fee_text.split(),
            sliding_scale="sliding" in fee_text,
            accreditations=row.get("accreditations", ""),
            last_verified=_date(row.get("assured_date", "")) or _date(row.get("last_modified", "")),
            online=not places or any(p.get("location_type") == "virtual" for p in places),
            in_person=any(p.get("location_type") == "physical" for p in places),
            phones=[
                phone["number"] + (f" ext. {phone['extension']}" if phone.get("extension") else "")
                for phone in phones_by_service[row["id"]]
                + [ph for place in places for ph in phones_by_location[place["id"]]]
            ],
            languages=languages,
            hours=[
                " ".join(
                    filter(
                        None,
                        (
                            s.get("description"),
                            s.get("byday"),
                            s.get("opens_at")
                            and f"{s['opens_at'][:5]}–{s.get('closes_at', '')[:5]}",
                        ),
                    )
                )
                for s in schedules[row["id"]]
            ],
            search_text=_text(
                row.get("name", ""),
                row.get("alternate_name", ""),
                row.get("description", ""),
                organization.get("name", ""),
                " ".join(languages),
                " ".join(term_names.get(a["taxonomy_term_id"], "") for a in attributes[row["id"]]),
            ),
        )
        for place in places:
            if place.get("location_type") == "virtual":
                continue
            address = (addresses.get(place["id"]) or [{}])[0]
            service.locations.append(
                DirectoryLocation(
                    hsds_id=place["id"],
                    name=place.get("name", ""),
                    address=", ".join(
                        filter(
                            None,
                            (
                                address.get("address_1"),
                                address.get("address_2"),
                                address.get("city"),
                                address.get("state_province"),
                                address.get("postal_code"),
                            ),
                        )
                    ),
                    postal_code=address.get("postal_code", ""),
                    latitude=_float(place.get("latitude", "")),
                    longitude=_float(place.get("longitude", "")),
                )
            )
        for term_id in {
            a["taxonomy_term_id"]
            for a in attributes[row["id"]]
            if a.get("link_entity") == "service"
        }:
            service.categories.append(DirectoryServiceCategory(term_id=term_id))
        for language in languages:
            service.language_rows.append(DirectoryServiceLanguage(language=language))
        db.session.add(service)
    db.session.flush()


# --- search ---------------------------------------------------------------------------------

KM_PER_MILE = 1.609344
EARTH_RADIUS_KM = 6371.0088


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def zip_centroid(zip_code: str) -> tuple[float, float] | None:
    """The centre of a US ZIP code, from the installed zipcodes package (no network)."""
    import zipcodes

    try:
        matches = zipcodes.matching(zip_code.strip()[:5])
    except (TypeError, ValueError):
        return None
    if not matches:
        return None
    return float(matches[0]["lat"]), float(matches[0]["long"])


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    category: str | None = None
    language: str | None = None
    mode: str | None = None  # "in_person" or "online"
    fees: str | None = None  # "free" or "sliding"
    origin: tuple[float, float] | None = None
    radius_km: float | None = None


@dataclass(frozen=True)
class SearchResult:
    service: DirectoryService
    distance_km: float | None
    nearest: DirectoryLocation | None

    @property
    def online_only(self) -> bool:
        return self.service.online and not self.service.in_person


def search(query: SearchQuery) -> list[SearchResult]:
    """Active services matching the query, nearest first when a starting point is given.

    Online services are marked and kept whatever the radius. Two queries, whatever the size.
    """
    statement = (
        select(DirectoryService)
        .where(DirectoryService.status == "active")
        .options(selectinload(DirectoryService.locations))
        .order_by(DirectoryService.name)
    )
    for word in query.text.lower().split()[:10]:  # every word must appear somewhere
        statement = statement.where(DirectoryService.search_text.contains(word, autoescape=True))
    if query.category:
        statement = statement.where(
            DirectoryService.id.in_(
                select(DirectoryServiceCategory.service_id).where(
                    DirectoryServiceCategory.term_id == query.category
                )
            )
        )
    if query.language:
        statement = statement.where(
            DirectoryService.id.in_(
                select(DirectoryServiceLanguage.service_id).where(
                    func.lower(DirectoryServiceLanguage.language) == query.language.lower()
                )
            )
        )
    if query.mode == "in_person":
        statement = statement.where(DirectoryService.in_person.is_(True))
    elif query.mode == "online":
        statement = statement.where(DirectoryService.online.is_(True))
    if query.fees == "free":
        statement = statement.where(DirectoryService.free.is_(True))
    elif query.fees == "sliding":
        statement = statement.where(
            or_(DirectoryService.free.is_(True), DirectoryService.sliding_scale.is_(True))
        )
    results = []
    for service in db.session.scalars(statement):
        nearest, distance = None, None
        if query.origin is not None:
            placed = [
                (distance_km(query.origin, (loc.latitude, loc.longitude)), loc)
                for loc in service.locations
                if loc.latitude is not None and loc.longitude is not None
            ]
            if placed:
                distance, nearest = min(placed, key=lambda pair: pair[0])
        if query.radius_km is not None and query.origin is not None:
            within = distance is not None and distance <= query.radius_km
            if not within and not service.online:
                continue
        results.append(SearchResult(service, distance, nearest))
    if query.origin is not None:
        results.sort(key=lambda r: (r.distance_km is None, r.distance_km or 0, r.service.name))
    return results


def categories() -> list[tuple[str, str]]:
    """Every category (taxonomy term) in the directory, the practice's own first."""
    own = [(term_id, name) for term_id, name in CATEGORIES.values()]
    own_ids = {term_id for term_id, _ in own}
    imported = sorted(
        (record.hsds_id, record.data.get("name", ""))
        for record in db.session.scalars(
            select(DirectoryRecord).where(DirectoryRecord.resource == "taxonomy_term")
        )
        if record.hsds_id not in own_ids
    )
    return own + imported


def languages() -> list[str]:
    return list(
        db.session.scalars(
            select(DirectoryServiceLanguage.language)
            .distinct()
            .order_by(DirectoryServiceLanguage.language)
        )
    )


def places() -> list[DirectoryLocation]:
    """Addresses in the directory that can be a starting point for a distance search."""
    return list(
        db.session.scalars(
            select(DirectoryLocation)
            .join(DirectoryService, DirectoryService.id == DirectoryLocation.service_id)
            .where(DirectoryLocation.latitude.is_not(None), DirectoryService.status == "active")
            .order_by(DirectoryLocation.name)
        )
    )


def all_services(page: int, per_page: int = 50):
    """Every service, active or not, for the admin's list."""
    query = select(DirectoryService)
    return paginate(query, query.order_by(DirectoryService.name), page, per_page)


def service_by_hsds_id(hsds_id: str) -> DirectoryService | None:
    return db.session.scalar(
        select(DirectoryService)
        .where(DirectoryService.hsds_id == hsds_id)
        .options(selectinload(DirectoryService.locations))
    )


def local_safety_services(zip_code: str = "") -> list[SearchResult]:
    """Domestic-violence support in the directory, nearest to a ZIP code first when known."""
    origin = zip_centroid(zip_code) if zip_code else None
    return search(SearchQuery(category=DOMESTIC_VIOLENCE_TERM, origin=origin))
