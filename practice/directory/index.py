"""The search index: plain tables derived from the HSDS records, rebuilt after every change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import delete, select

from practice import db
from practice.directory.models import (
    DirectoryLocation,
    DirectoryRecord,
    DirectoryService,
    DirectoryServiceCategory,
    DirectoryServiceLanguage,
)


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
    _index(records)


def refresh_services(hsds_ids: Collection[str]) -> None:
    """Derive the search rows of these services again, reading only their own records (an
    edit of one service costs the same in a directory of ten or of ten thousand)."""
    ids = set(hsds_ids)
    found: dict[tuple[str, str], DirectoryRecord] = {}

    def take(*conditions) -> list[DirectoryRecord]:
        rows = list(db.session.scalars(select(DirectoryRecord).where(*conditions)))
        found.update({(row.resource, row.hsds_id): row for row in rows})
        return rows

    Record = DirectoryRecord
    services = take(Record.resource == "service", Record.hsds_id.in_(ids))
    belonging = take(Record.service_ref.in_(ids))
    place_ids = {r.location_ref for r in belonging if r.resource == "service_at_location"}
    take(Record.resource == "location", Record.hsds_id.in_(place_ids))
    take(Record.location_ref.in_(place_ids))
    wanted = {r.data.get("organization_id", "") for r in services}
    take(Record.resource == "organization", Record.hsds_id.in_(wanted))
    terms = {r.data.get("taxonomy_term_id", "") for r in belonging if r.resource == "attribute"}
    take(Record.resource == "taxonomy_term", Record.hsds_id.in_(terms))

    records: dict[str, list[dict[str, str]]] = defaultdict(list)
    for (resource, _hsds_id), record in found.items():
        records[resource].append(record.data)
    # The database removes their places, categories and languages with them.
    db.session.execute(delete(DirectoryService).where(DirectoryService.hsds_id.in_(ids)))
    _index(records)


def _index(records: dict[str, list[dict[str, str]]]) -> None:
    """Add the search rows of the services among ``records``, from their related records."""

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
