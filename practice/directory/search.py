"""Finding services: by words, kind of help, language, cost and distance."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, literal, or_, select, union_all
from sqlalchemy.orm import selectinload

from practice import db
from practice.directory.geography import EARTH_RADIUS_KM, distance_km, zip_centroid
from practice.directory.models import (
    DirectoryLocation,
    DirectoryRecord,
    DirectoryService,
    DirectoryServiceCategory,
    DirectoryServiceLanguage,
)
from practice.directory.taxonomy import CATEGORIES, DOMESTIC_VIOLENCE_TERM
from practice.pagination import Page, paginate


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


def _distance_sql(latitude: Any, longitude: Any, origin: tuple[float, float]) -> Any:
    """Haversine distance in km from ``origin``, computed by the database."""
    lat1, lon1 = map(math.radians, origin)
    lat2, lon2 = func.radians(latitude), func.radians(longitude)
    half_lat, half_lon = func.sin((lat2 - lat1) / 2), func.sin((lon2 - lon1) / 2)
    h = half_lat * half_lat + math.cos(lat1) * func.cos(lat2) * half_lon * half_lon
    return 2 * EARTH_RADIUS_KM * func.asin(func.sqrt(h))


# A little under the true 111.2 km, so that the box always holds the whole circle.
KM_PER_DEGREE_OF_LATITUDE = 111.0


def _box(origin: tuple[float, float], radius_km: float) -> list[Any]:
    """Conditions for the latitude and longitude of places at most ``radius_km`` away."""
    latitude, longitude = origin
    lat_span = radius_km / KM_PER_DEGREE_OF_LATITUDE
    # A degree of longitude shrinks towards the poles; near them, take every longitude.
    shrink = math.cos(math.radians(min(89.0, abs(latitude) + lat_span)))
    lon_span = radius_km / (KM_PER_DEGREE_OF_LATITUDE * shrink) if shrink > 0.01 else 180.0
    return [
        DirectoryLocation.latitude.between(latitude - lat_span, latitude + lat_span),
        DirectoryLocation.longitude.between(longitude - lon_span, longitude + lon_span),
    ]


def _holds(column: Any, word: str) -> Any:
    """``column`` holds ``word`` anywhere. The pattern is sent whole, not built in SQL, so
    PostgreSQL's planner sees it and uses the trigram index on the services' text."""
    escaped = word.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return column.like(f"%{escaped}%", escape="/")


def _nearest(measured: Any) -> Any:
    """Each service's nearest distance among measured (service_id, km) rows."""
    return (
        select(measured.c.service_id, func.min(measured.c.km).label("km"))
        .group_by(measured.c.service_id)
        .subquery()
    )


def _matching(query: SearchQuery) -> tuple[Select, Any]:
    """The ids of the matching services with their nearest distance (or NULL), and the order."""
    if query.origin is not None:
        location = DirectoryLocation
        distance = _distance_sql(location.latitude, location.longitude, query.origin)
        placed = select(location.service_id, distance.label("km")).where(
            location.latitude.is_not(None), location.longitude.is_not(None)
        )
        if query.radius_km is None:
            nearest = _nearest(placed.subquery())
            km = nearest.c.km
            statement = select(DirectoryService.id, km).outerjoin(
                nearest, nearest.c.service_id == DirectoryService.id
            )
        else:
            # The candidates are the services with a place inside the circle, found through
            # the indexed box around it, and the services also offered online (kept whatever
            # their distance): a search costs what it finds, not the size of the directory.
            inside = placed.where(*_box(query.origin, query.radius_km)).subquery()
            near = (
                select(inside.c.service_id, func.min(inside.c.km).label("km"))
                .group_by(inside.c.service_id)
                .having(func.min(inside.c.km) <= query.radius_km)
            )
            online = (
                select(
                    DirectoryService.id.label("service_id"),
                    func.min(distance).label("km"),
                )
                .outerjoin(
                    location,
                    (location.service_id == DirectoryService.id)
                    & location.latitude.is_not(None)
                    & location.longitude.is_not(None),
                )
                .where(DirectoryService.online.is_(True))
                .group_by(DirectoryService.id)
            )
            nearest = _nearest(union_all(near, online).subquery())
            km = nearest.c.km
            statement = select(DirectoryService.id, km).join(
                nearest, nearest.c.service_id == DirectoryService.id
            )
        order = (km.is_(None), km, DirectoryService.name, DirectoryService.id)
    else:
        km = literal(None)
        statement = select(DirectoryService.id, km)
        order = (DirectoryService.name, DirectoryService.id)
    statement = statement.where(DirectoryService.status == "active")
    for word in query.text.lower().split()[:10]:  # every word must appear somewhere
        statement = statement.where(_holds(DirectoryService.search_text, word))
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
    return statement, order


def _results(rows: Sequence[Any], origin: tuple[float, float] | None) -> list[SearchResult]:
    """The services of one page of matches, in their order, each with its nearest place."""
    ids = [row[0] for row in rows]
    services = {
        service.id: service
        for service in db.session.scalars(
            select(DirectoryService)
            .where(DirectoryService.id.in_(ids))
            .options(selectinload(DirectoryService.locations))
        )
    }
    results = []
    for service_id, distance in rows:
        service = services[service_id]
        nearest = None
        if origin is not None and distance is not None:
            placed = [
                loc
                for loc in service.locations
                if loc.latitude is not None and loc.longitude is not None
            ]
            nearest = min(
                placed, key=lambda loc: distance_km(origin, (loc.latitude, loc.longitude))
            )
        results.append(SearchResult(service, distance, nearest))
    return results


def search(query: SearchQuery, limit: int | None = None) -> list[SearchResult]:
    """Active services matching the query, nearest first when a starting point is given
    (the first ``limit`` of them). Online services are marked and kept whatever the radius.
    Two queries, whatever the size."""
    statement, order = _matching(query)
    rows = db.session.execute(statement.order_by(*order).limit(limit)).all()
    return _results(rows, query.origin)


def search_page(query: SearchQuery, page: int, per_page: int) -> Page[SearchResult]:
    """One page of the matches, cut in the database. The total comes with the page's rows
    (a window count), so the matches are found once, not once to count and once to show;
    only a page past the end costs a second look, to count and show the last page."""
    statement, order = _matching(query)
    counted = statement.add_columns(func.count().over().label("total"))
    number = max(1, page)
    rows = _page_rows(counted, order, number, per_page)
    if not rows and number > 1:
        total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        number = max(1, -(-total // per_page))
        rows = _page_rows(counted, order, number, per_page)
    total = rows[0].total if rows else 0
    matches = [(row[0], row[1]) for row in rows]
    return Page(
        items=_results(matches, query.origin), number=number, per_page=per_page, total=total
    )


def _page_rows(counted: Select, order: Any, number: int, per_page: int) -> list[Any]:
    ordered = counted.order_by(*order).limit(per_page).offset((number - 1) * per_page)
    return list(db.session.execute(ordered).all())


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


def place_matching(words: str) -> DirectoryLocation | None:
    """The first place of an active service whose name or address holds the words typed, to
    measure distances from (one query, however big the directory)."""
    statement = (
        select(DirectoryLocation)
        .join(DirectoryService, DirectoryService.id == DirectoryLocation.service_id)
        .where(DirectoryLocation.latitude.is_not(None), DirectoryService.status == "active")
    )
    for word in words.lower().split()[:10]:
        statement = statement.where(
            or_(
                func.lower(DirectoryLocation.name).contains(word, autoescape=True),
                func.lower(DirectoryLocation.address).contains(word, autoescape=True),
            )
        )
    return db.session.scalar(statement.order_by(DirectoryLocation.name).limit(1))


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


def local_safety_services(zip_code: str = "", limit: int = 5) -> list[SearchResult]:
    """Domestic-violence support in the directory, nearest to a ZIP code first when known."""
    origin = zip_centroid(zip_code) if zip_code else None
    return search(SearchQuery(category=DOMESTIC_VIOLENCE_TERM, origin=origin), limit=limit)


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
