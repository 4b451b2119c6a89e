"""Adding and editing one service by hand, written as HSDS 3.0 records like an import."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from practice import db
from practice.accounts.models import User
from practice.audit import services as audit
from practice.directory.geography import zip_centroid
from practice.directory.hsds import resources_by_name
from practice.directory.models import DirectoryRecord
from practice.directory.transfer import delete_records, load_rows
from practice.unit_of_work import UserError

# How a record points to what it belongs to, and the indexed column that holds the same id.
REFERENCE_COLUMNS = {
    "service_id": DirectoryRecord.service_ref,
    "link_id": DirectoryRecord.service_ref,
    "location_id": DirectoryRecord.location_ref,
}


def _records(resource: str, column: str, value: str) -> list[DirectoryRecord]:
    """The records of ``resource`` whose ``column`` is ``value``, found by index: the HSDS
    id, or the service or place the record belongs to."""
    indexed = DirectoryRecord.hsds_id if column == "id" else REFERENCE_COLUMNS[column]
    found = db.session.scalars(
        select(DirectoryRecord)
        .where(DirectoryRecord.resource == resource, indexed == value)
        .order_by(DirectoryRecord.id)
    )
    return [record for record in found if record.data.get(column) == value]


def _row(resource: str, existing: dict[str, str] | None, **values: str) -> dict[str, str]:
    row = {column: "" for column in resources_by_name()[resource].column_names}
    row.update(existing or {})
    row.update(values)
    return row


def _first(resource: str, column: str, value: str) -> dict[str, str] | None:
    return next((record.data for record in _records(resource, column, value)), None)


def form_data(hsds_id: str) -> dict[str, Any] | None:
    """The service as the edit form shows it, or None when there is no such service."""
    service = _first("service", "id", hsds_id)
    if service is None:
        return None
    organization = _first("organization", "id", service.get("organization_id", "")) or {}
    link = _first("service_at_location", "service_id", hsds_id) or {}
    location = _first("location", "id", link.get("location_id", "")) or {}
    address = _first("address", "location_id", location.get("id", "")) or {}
    phone = _first("phone", "service_id", hsds_id) or {}
    category = _first("attribute", "link_id", hsds_id) or {}
    languages = [r.data.get("name", "") for r in _records("language", "service_id", hsds_id)]
    return {
        "organization": organization.get("name", ""),
        "name": service.get("name", ""),
        "description": service.get("description", ""),
        "status": service.get("status", "active"),
        "category": category.get("taxonomy_term_id", ""),
        "fees": service.get("fees_description", ""),
        "languages": ", ".join(filter(None, languages)),
        "phone": phone.get("number", ""),
        "email": service.get("email", ""),
        "url": service.get("url", ""),
        "accreditations": service.get("accreditations", ""),
        "last_verified": date.fromisoformat(service["assured_date"])
        if service.get("assured_date")
        else None,
        "online": location.get("location_type") == "virtual",
        "address": address.get("address_1", ""),
        "city": address.get("city", ""),
        "state": address.get("state_province", ""),
        "zip_code": address.get("postal_code", ""),
    }


def save_service(data: dict[str, Any], actor: User, hsds_id: str | None = None) -> str:
    """Create or update a service, its organization, place, phone, languages and category."""
    existing = _first("service", "id", hsds_id) if hsds_id else None
    service_id = hsds_id or str(uuid.uuid4())
    organization = _first("organization", "id", existing["organization_id"]) if existing else None
    organization_id = organization["id"] if organization else str(uuid.uuid4())
    link = _first("service_at_location", "service_id", service_id)
    location = _first("location", "id", link["location_id"]) if link else None
    location_id = location["id"] if location else str(uuid.uuid4())
    address = _first("address", "location_id", location_id)
    phone = _first("phone", "service_id", service_id)
    category = _first("attribute", "link_id", service_id)

    rows: dict[str, list[dict[str, str]]] = {
        "organization": [
            _row(
                "organization",
                organization,
                id=organization_id,
                name=data["organization"],
                description=(organization or {}).get("description") or data["organization"],
            )
        ],
        "service": [
            _row(
                "service",
                existing,
                id=service_id,
                organization_id=organization_id,
                name=data["name"],
                description=data["description"],
                status=data["status"],
                fees_description=data["fees"],
                email=data["email"],
                url=data["url"],
                accreditations=data["accreditations"],
                assured_date=data["last_verified"].isoformat() if data["last_verified"] else "",
            )
        ],
        "location": [],
        "address": [],
        "service_at_location": [],
        "phone": [],
        "attribute": [],
        "language": [],
    }
    online = data["online"] or not data["address"]
    coordinates = _coordinates(location, address, data["zip_code"]) if not online else None
    rows["location"].append(
        _row(
            "location",
            location,
            id=location_id,
            name=data["name"],
            location_type="virtual" if online else "physical",
            latitude=f"{coordinates[0]}" if coordinates else "",
            longitude=f"{coordinates[1]}" if coordinates else "",
        )
    )
    if not online:
        rows["address"].append(
            _row(
                "address",
                address,
                id=(address or {}).get("id") or str(uuid.uuid4()),
                location_id=location_id,
                address_1=data["address"],
                city=data["city"],
                state_province=data["state"],
                postal_code=data["zip_code"],
                country="US",
                address_type="physical",
            )
        )
    rows["service_at_location"].append(
        _row(
            "service_at_location",
            link,
            id=(link or {}).get("id") or str(uuid.uuid4()),
            service_id=service_id,
            location_id=location_id,
        )
    )
    if data["phone"]:
        rows["phone"].append(
            _row(
                "phone",
                phone,
                id=(phone or {}).get("id") or str(uuid.uuid4()),
                service_id=service_id,
                number=data["phone"],
                type="voice",
            )
        )
    if data["category"]:
        rows["attribute"].append(
            _row(
                "attribute",
                category,
                id=(category or {}).get("id") or str(uuid.uuid4()),
                link_id=service_id,
                taxonomy_term_id=data["category"],
                link_type="category",
                link_entity="service",
            )
        )
    known = {r.data.get("name"): r.data for r in _records("language", "service_id", service_id)}
    for name in [part.strip() for part in data["languages"].split(",") if part.strip()]:
        rows["language"].append(
            _row(
                "language",
                known.get(name),
                id=known.get(name, {}).get("id") or str(uuid.uuid4()),
                service_id=service_id,
                name=name,
            )
        )
    # What the form no longer lists goes: languages, the phone, the category, the address.
    kept = {(name, row["id"]) for name, table in rows.items() for row in table}
    before = [("language", row) for row in known.values()]
    before += [("phone", phone), ("attribute", category), ("address", address)]
    delete_records(
        [(name, row["id"]) for name, row in before if row and (name, row["id"]) not in kept]
    )
    load_rows(rows, services=[service_id])
    audit.record(actor, "directory.service_save", actor)
    return service_id


class PlaceError(UserError):
    """The address cannot be placed on the map."""


def _coordinates(location, address, zip_code: str) -> tuple[float, float]:
    """Keep the coordinates a place has unless its ZIP code changed; place new ones by ZIP."""
    same_zip = address is not None and address.get("postal_code") == zip_code
    if location and location.get("latitude") and location.get("longitude") and same_zip:
        return float(location["latitude"]), float(location["longitude"])
    centre = zip_centroid(zip_code) if zip_code.isdigit() and len(zip_code) == 5 else None
    if centre is None:
        raise PlaceError("This ZIP code is not known, so the place cannot be put on the map.")
    return centre
