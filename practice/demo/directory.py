"""A fictional referral directory for the demo: invented services around New York City,
written as HSDS 3.0 records and loaded through the same path as an import."""

from __future__ import annotations

import uuid

from practice.directory.hsds import blank_row, resources_by_name
from practice.directory.taxonomy import CATEGORIES
from practice.directory.transfer import ensure_categories, load_rows

NAMESPACE = uuid.UUID("0d3c6a52-8d1b-4b5e-9a4e-5b7f6c2d9e10")

# name, kind of help, description, (lat, lon) or None for online only, ZIP, fees, languages
SERVICES = [
    (
        "Riverside Couples Therapy",
        "couples_therapy",
        "Licensed couples therapists; evening appointments; Gottman- and EFT-trained staff.",
        (40.7989, -73.9682),
        "10025",
        "Sliding scale from $40 per session",
        ["English", "Spanish"],
    ),
    (
        "Chelsea Counseling Collective",
        "licensed_counseling",
        "Individual counseling with licensed clinical social workers.",
        (40.7465, -74.0014),
        "10011",
        "$120 per session; insurance accepted",
        ["English"],
    ),
    (
        "Hoboken Relationship Workshops",
        "relationship_programs",
        "Six-week evening workshops on communication and repair for couples.",
        (40.7440, -74.0324),
        "07030",
        "Free for residents",
        ["English"],
    ),
    (
        "Brooklyn Money Coaching",
        "financial_counseling",
        "Free one-to-one financial counseling: budgets, debt plans, savings goals.",
        (40.6782, -73.9442),
        "11216",
        "Free",
        ["English", "Haitian Creole"],
    ),
    (
        "Queens Parenting Circle",
        "parenting_support",
        "Weekly groups for parents of toddlers and teens; childcare on site.",
        (40.7282, -73.7949),
        "11365",
        "Free",
        ["English", "Mandarin"],
    ),
    (
        "Safe Harbor Family Justice",
        "domestic_violence",
        "Confidential support for people experiencing abuse: safety planning, legal help, shelter.",
        (40.7128, -74.0060),
        "10007",
        "Free",
        ["English", "Spanish", "Arabic"],
    ),
    (
        "Together Online Counseling",
        "couples_therapy",
        "Video sessions with licensed couples therapists, evenings and weekends.",
        None,
        "",
        "Sliding scale",
        ["English"],
    ),
    (
        "Upper West Side Family Center",
        "parenting_support",
        "Parenting plans and co-parenting support after separation.",
        (40.7870, -73.9754),
        "10024",
        "Sliding scale",
        ["English"],
    ),
]


def hsds_id_of(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def load() -> None:
    """Add the fictional services (their ids are fixed, so loading twice changes nothing)."""
    ensure_categories()
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in resources_by_name()}
    for name, kind, description, place, zip_code, fees, languages in SERVICES:
        org_id, service_id = hsds_id_of(name, "organization"), hsds_id_of(name, "service")
        rows["organization"].append(
            blank_row("organization", id=org_id, name=name, description=description)
        )
        rows["service"].append(
            blank_row(
                "service",
                id=service_id,
                organization_id=org_id,
                name=name,
                description=description,
                status="active",
                fees_description=fees,
                email=f"hello@{name.split()[0].lower()}.example.org",
                url=f"https://{name.split()[0].lower()}.example.org",
                accreditations="State-licensed clinicians" if "Therap" in name else "",
                assured_date="2026-10-01",
            )
        )
        rows["attribute"].append(
            blank_row(
                "attribute",
                id=hsds_id_of(name, "category"),
                link_id=service_id,
                taxonomy_term_id=CATEGORIES[kind][0],
                link_type="category",
                link_entity="service",
            )
        )
        rows["phone"].append(
            blank_row(
                "phone",
                id=hsds_id_of(name, "phone"),
                service_id=service_id,
                number=f"212-555-01{len(rows['phone']):02d}",
                type="voice",
            )
        )
        for language in languages:
            rows["language"].append(
                blank_row(
                    "language", id=hsds_id_of(name, language), service_id=service_id, name=language
                )
            )
        rows["schedule"].append(
            blank_row(
                "schedule",
                id=hsds_id_of(name, "hours"),
                service_id=service_id,
                description="Monday to Friday",
                opens_at="09:00",
                closes_at="19:00",
            )
        )
        location_id = hsds_id_of(name, "location")
        if place is None:
            rows["location"].append(
                blank_row(
                    "location", id=location_id, location_type="virtual", name=f"{name} (online)"
                )
            )
        else:
            rows["location"].append(
                blank_row(
                    "location",
                    id=location_id,
                    location_type="physical",
                    name=name,
                    latitude=str(place[0]),
                    longitude=str(place[1]),
                )
            )
            rows["address"].append(
                blank_row(
                    "address",
                    id=hsds_id_of(name, "address"),
                    location_id=location_id,
                    address_1=f"{100 + len(rows['address']) * 17} Example Street",
                    city="New York" if zip_code.startswith("1") else "Hoboken",
                    state_province="NY" if zip_code.startswith("1") else "NJ",
                    postal_code=zip_code,
                    country="US",
                    address_type="physical",
                )
            )
        rows["service_at_location"].append(
            blank_row(
                "service_at_location",
                id=hsds_id_of(name, "link"),
                service_id=service_id,
                location_id=location_id,
            )
        )
    load_rows(rows)
