"""Finding services: by words, kind of help, language, cost and distance."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from practice import db
from practice.directory.geography import distance_km, zip_centroid
from practice.directory.models import (
    DirectoryLocation,
    DirectoryRecord,
    DirectoryService,
    DirectoryServiceCategory,
    DirectoryServiceLanguage,
)
from practice.directory.taxonomy import CATEGORIES, DOMESTIC_VIOLENCE_TERM
from practice.pagination import paginate


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


def place_by_id(place_id: int) -> DirectoryLocation | None:
    """A place of the directory chosen as the starting point of a distance search."""
    return db.session.get(DirectoryLocation, place_id)


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


def services_by_id(hsds_ids: list[str]) -> dict[str, DirectoryService]:
    """The directory entries of referred services (one query), for contact details."""
    if not hsds_ids:
        return {}
    return {
        service.hsds_id: service
        for service in db.session.scalars(
            select(DirectoryService)
            .where(DirectoryService.hsds_id.in_(hsds_ids))
            .options(
                selectinload(DirectoryService.locations),
                selectinload(DirectoryService.categories),
            )
        )
    }
