"""The directory's services: search, distances, the index built from HSDS records, categories."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from practice import db
from practice.directory import geography, index, search, taxonomy, transfer
from practice.directory.hsds import resources_by_name
from practice.directory.models import (
    DirectoryRecord,
    DirectoryService,
)
from tests.factories import add_service

COUPLES_THERAPY = taxonomy.CATEGORIES["couples_therapy"][0]
FINANCIAL = taxonomy.CATEGORIES["financial_counseling"][0]
DV_SUPPORT = taxonomy.DOMESTIC_VIOLENCE_TERM

MIDTOWN = (40.7527, -73.9772)  # about 2 km from the centre of ZIP 10001
BROOKLYN = (40.6960, -73.9950)  # about 6 km
NEWARK = (40.7357, -74.1724)  # about 15 km
PHILADELPHIA = (39.9526, -75.1652)  # about 130 km


def names(**query) -> list[str]:
    return [result.service.name for result in search.search(search.SearchQuery(**query))]


def test_every_word_must_appear_whatever_the_order_and_case(db_session):
    add_service("Evening Couples Group", description="Talk after work")
    add_service("Morning Couples Group")
    add_service("Evening Yoga")
    assert names(text="COUPLES  evening") == ["Evening Couples Group"]
    assert names(text="couples") == ["Evening Couples Group", "Morning Couples Group"]
    assert names(text="couples dancing") == []
    assert len(names(text="   ")) == 3  # no words: no word filter


def test_percent_and_underscore_in_a_search_are_plain_characters(db_session):
    add_service("Harbor Clinic", description="50% off the first visit")
    add_service("Lantern Clinic")
    assert names(text="%") == ["Harbor Clinic"]
    assert names(text="_") == []
    assert names(text="50%") == ["Harbor Clinic"]


def test_category_and_language_filters_keep_only_matching_services(db_session):
    add_service("Bridge Therapy", category=COUPLES_THERAPY, languages=["Spanish", "English"])
    add_service("Coins Coaching", category=FINANCIAL, languages=["Haitian Creole"])
    add_service("Plain Help", languages=["English"])
    assert names(category=COUPLES_THERAPY) == ["Bridge Therapy"]
    assert names(category=FINANCIAL) == ["Coins Coaching"]
    assert names(language="spanish") == ["Bridge Therapy"]
    assert names(language="HAITIAN CREOLE") == ["Coins Coaching"]
    assert names(language="English") == ["Bridge Therapy", "Plain Help"]
    assert names(category=FINANCIAL, language="English") == []


def test_in_person_and_online_filters(db_session):
    add_service("Office Only", at=MIDTOWN)
    add_service("Video Only", online=True)
    add_service("Both Ways", at=BROOKLYN, online=True)
    assert names(mode="in_person") == ["Both Ways", "Office Only"]
    assert names(mode="online") == ["Both Ways", "Video Only"]
    assert names() == ["Both Ways", "Office Only", "Video Only"]


def test_free_and_sliding_scale_filters(db_session):
    add_service("Free Clinic", free=True)
    add_service("Sliding Clinic", sliding=True)
    add_service("Full Fee Clinic")
    assert names(fees="free") == ["Free Clinic"]
    assert names(fees="sliding") == ["Free Clinic", "Sliding Clinic"]  # free is cheaper still
    assert len(names()) == 3


def test_a_radius_drops_far_offices_but_keeps_online_services_nearest_first(db_session):
    add_service("Newark Center", at=NEWARK)
    add_service("Philadelphia Office", at=PHILADELPHIA)
    add_service("Philadelphia Also Online", at=PHILADELPHIA, online=True)
    add_service("Video Only", online=True)
    add_service("Two Offices", places=[PHILADELPHIA, BROOKLYN])
    add_service("Midtown Clinic", at=MIDTOWN)
    add_service("Gone Clinic", at=MIDTOWN, status="inactive")
    origin = geography.zip_centroid("10001")
    results = search.search(search.SearchQuery(origin=origin, radius_km=20))
    assert [r.service.name for r in results] == [
        "Midtown Clinic",
        "Two Offices",  # measured from its Brooklyn office, the nearer one
        "Newark Center",
        "Philadelphia Also Online",  # too far to visit, but it is offered online
        "Video Only",  # no place at all: after every distance
    ]
    by_name = {r.service.name: r for r in results}
    assert by_name["Two Offices"].nearest.name == "Two Offices office 2"
    assert by_name["Two Offices"].distance_km == pytest.approx(5.8, abs=0.5)
    assert by_name["Video Only"].distance_km is None and by_name["Video Only"].online_only
    assert not by_name["Philadelphia Also Online"].online_only
    assert by_name["Philadelphia Also Online"].distance_km > 100


def test_without_a_starting_point_services_are_in_name_order_without_distances(db_session):
    add_service("Zephyr House", at=MIDTOWN)
    add_service("Aster House", at=PHILADELPHIA)
    results = search.search(search.SearchQuery(radius_km=5))  # a radius alone measures nothing
    assert [(r.service.name, r.distance_km) for r in results] == [
        ("Aster House", None),
        ("Zephyr House", None),
    ]


def test_distance_between_two_known_places_is_within_one_percent():
    jfk, lax = (40.6413, -73.7781), (33.9416, -118.4085)
    published_miles = 2475  # the airline distance between the two airports
    measured = geography.distance_km(jfk, lax)
    assert measured / geography.KM_PER_MILE == pytest.approx(published_miles, rel=0.01)
    assert geography.distance_km(lax, jfk) == pytest.approx(measured)
    assert geography.distance_km(jfk, jfk) == 0


def test_a_zip_code_is_placed_at_its_centre_and_an_unknown_one_nowhere():
    upper_west_side = (40.7989, -73.9682)
    assert geography.distance_km(geography.zip_centroid("10025"), upper_west_side) < 2
    assert geography.zip_centroid("10025-1234") == geography.zip_centroid("10025")
    for unknown in ("99999", "00000", "abcde", ""):
        assert geography.zip_centroid(unknown) is None, unknown


def test_local_safety_services_are_domestic_violence_support_nearest_first(db_session):
    add_service("Far Shelter", at=NEWARK, category=DV_SUPPORT)
    add_service("Near Shelter", at=MIDTOWN, category=DV_SUPPORT)
    add_service("Hotline Online", online=True, category=DV_SUPPORT)
    add_service("Closed Shelter", at=MIDTOWN, category=DV_SUPPORT, status="inactive")
    add_service("Couples Clinic", at=MIDTOWN, category=COUPLES_THERAPY)
    near = search.local_safety_services("10001")
    assert [r.service.name for r in near] == ["Near Shelter", "Far Shelter", "Hotline Online"]
    assert near[0].distance_km < near[1].distance_km
    # Without a ZIP code (or with one nobody knows) nothing is measured: name order.
    for zip_code in ("", "99999"):
        listed = search.local_safety_services(zip_code)
        assert [r.service.name for r in listed] == ["Far Shelter", "Hotline Online", "Near Shelter"]
        assert all(r.distance_km is None for r in listed)


# --- the index, derived from the HSDS records -----------------------------------------------


def hsds_row(resource: str, **values: str) -> dict[str, str]:
    """A full HSDS row: every column of the resource, empty unless given."""
    return {column: "" for column in resources_by_name()[resource].column_names} | values


def harbor_light_rows() -> tuple[str, dict[str, list[dict[str, str]]]]:
    ids = {name: str(uuid.uuid4()) for name in ("org", "svc", "loc", "adr", "sal", "lang", "attr")}
    rows = {
        "organization": [hsds_row("organization", id=ids["org"], name="Harbor Light Services")],
        "service": [
            hsds_row(
                "service",
                id=ids["svc"],
                organization_id=ids["org"],
                name="Harbor Light Couples Program",
                description="Evening sessions for couples",
                status="active",
                fees_description="Sliding scale",
            )
        ],
        "location": [
            hsds_row(
                "location",
                id=ids["loc"],
                name="Harbor Light office",
                location_type="physical",
                latitude="40.7527",
                longitude="-73.9772",
            )
        ],
        "address": [
            hsds_row(
                "address",
                id=ids["adr"],
                location_id=ids["loc"],
                address_1="12 Pier Rd",
                city="New York",
                state_province="NY",
                postal_code="10001",
            )
        ],
        "service_at_location": [
            hsds_row(
                "service_at_location",
                id=ids["sal"],
                service_id=ids["svc"],
                location_id=ids["loc"],
            )
        ],
        "language": [
            hsds_row("language", id=ids["lang"], service_id=ids["svc"], name="Portuguese")
        ],
        "attribute": [
            hsds_row(
                "attribute",
                id=ids["attr"],
                link_id=ids["svc"],
                taxonomy_term_id=COUPLES_THERAPY,
                link_type="category",
                link_entity="service",
            )
        ],
    }
    return ids["svc"], rows


def edit_record(resource: str, hsds_id: str, **changes: str) -> None:
    record = db.session.scalar(
        select(DirectoryRecord).where(
            DirectoryRecord.resource == resource, DirectoryRecord.hsds_id == hsds_id
        )
    )
    record.data = {**record.data, **changes}  # a new dict, so the JSON change is saved
    db.session.flush()


def test_the_index_is_derived_from_the_records(db_session):
    service_id, rows = harbor_light_rows()
    transfer.load_rows(rows)
    [found] = search.search(search.SearchQuery(text="harbor couples"))
    service = found.service
    assert (service.hsds_id, service.organization) == (service_id, "Harbor Light Services")
    assert service.in_person and not service.online
    assert service.sliding_scale and not service.free
    assert service.languages == ["Portuguese"]
    assert service.locations[0].address == "12 Pier Rd, New York, NY, 10001"
    assert names(category=COUPLES_THERAPY) == ["Harbor Light Couples Program"]


def test_rebuilding_the_index_reflects_an_edited_record(db_session):
    service_id, rows = harbor_light_rows()
    transfer.load_rows(rows)
    edit_record("service", service_id, name="Harbor Light Evenings", fees_description="Free")
    edit_record("language", rows["language"][0]["id"], name="Cape Verdean Creole")
    assert names(text="evenings") == []  # the index is stale until it is rebuilt
    index.rebuild_index()
    assert names(text="evenings") == ["Harbor Light Evenings"]
    assert names(text="program") == []
    assert names(fees="free") == ["Harbor Light Evenings"]
    assert names(language="cape verdean creole") == ["Harbor Light Evenings"]
    assert names(language="portuguese") == []
    edit_record("service", service_id, status="inactive")
    index.rebuild_index()
    assert names() == []
    assert db.session.scalar(select(func.count()).select_from(DirectoryService)) == 1


def test_the_practice_categories_are_put_in_once(db_session):
    def count(resource: str) -> int:
        return db.session.scalar(
            select(func.count())
            .select_from(DirectoryRecord)
            .where(DirectoryRecord.resource == resource)
        )

    transfer.ensure_categories()
    terms, taxonomies = count("taxonomy_term"), count("taxonomy")
    transfer.ensure_categories()
    transfer.ensure_categories()
    assert (count("taxonomy_term"), count("taxonomy")) == (terms, taxonomies)
    stored = db.session.scalars(
        select(DirectoryRecord.hsds_id).where(DirectoryRecord.resource == "taxonomy_term")
    ).all()
    assert sorted(stored) == sorted(term_id for term_id, _ in taxonomy.CATEGORIES.values())
    assert taxonomies == 1
