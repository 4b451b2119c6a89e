from __future__ import annotations

import re

from sqlalchemy import select

from practice.directory import geography, search, taxonomy, transfer
from practice.directory.models import (
    DirectoryService,
)
from tests.conftest import count_queries, visible_text
from tests.factories import CounselorFactory, CoupleFactory, add_service, partner_with_login

COUPLES_THERAPY = taxonomy.CATEGORIES["couples_therapy"][0]
DV_SUPPORT = taxonomy.DOMESTIC_VIOLENCE_TERM


def names(results) -> list[str]:
    return [result.service.name for result in results]


def test_distance_search_is_nearest_first_and_leaves_out_what_is_too_far(directory):
    origin = geography.zip_centroid("10001")
    results = search.search(search.SearchQuery(origin=origin, radius_km=25 * 1.609344))
    found = names(results)
    assert found.index("Midtown Couples Clinic") < found.index("Newark Family Center")
    assert "Philadelphia Counseling" not in found  # about 80 miles away
    assert "Closed Down Clinic" not in found  # inactive services never show
    online = next(r for r in results if r.service.name == "Talk Online")
    assert online.online_only and online.distance_km is None
    assert found[-1] == "Talk Online"  # no distance: after the ones with one
    distances = [r.distance_km for r in results if r.distance_km is not None]
    assert distances == sorted(distances) and distances[0] < 2


def test_filters_by_words_category_language_and_cost(directory):
    def find(**query):
        return names(search.search(search.SearchQuery(**query)))

    assert find(text="couples") == ["Midtown Couples Clinic"]
    assert find(category=COUPLES_THERAPY) == ["Midtown Couples Clinic"]
    assert find(language="spanish") == ["Midtown Couples Clinic"]
    assert find(fees="free") == ["Talk Online"]
    assert set(find(fees="sliding")) == {"Talk Online", "Newark Family Center"}
    assert find(mode="online") == ["Talk Online"]
    assert "Closed Down Clinic" not in find()


def test_search_page_from_the_couples_zip_code(client, auth, directory):
    couple = CoupleFactory()
    couple.zip_code = "10001"
    auth.login(couple.counselor)
    page = client.get(f"/directory?couple={couple.id}&near=couple&radius=25&unit=mi")
    text = visible_text(page.text.split('id="results"')[1])
    assert page.status_code == 200
    assert text.index("Midtown Couples Clinic") < text.index("Newark Family Center")
    assert "Philadelphia Counseling" not in text and "online" in text
    bad = client.get("/directory?near=zip&zip_code=99999&radius=10")
    assert "This ZIP code is not known." in bad.text


def test_search_runs_a_fixed_number_of_queries(client, auth, directory, app):
    auth.login(CounselorFactory())
    with count_queries(app) as few:
        client.get("/directory?near=zip&zip_code=10001&radius=50")
    for number in range(40):
        add_service(f"Extra {number}", at=(40.7 + number / 1000, -74.0), languages=["French"])
    with count_queries(app) as many:
        client.get("/directory?near=zip&zip_code=10001&radius=50")
    assert len(few) == len(many), many.statements


def test_the_practice_categories_are_always_there(db_session):
    transfer.ensure_categories()
    listed = dict(search.categories())
    for _key, (term_id, name) in taxonomy.CATEGORIES.items():
        assert listed[term_id] == name


def test_the_safety_resources_list_local_domestic_violence_services(client, auth, directory):
    couple = CoupleFactory()
    couple.zip_code = "10001"
    rae = partner_with_login(couple, 1)
    auth.login(rae)
    page = client.get("/portal/safety/resources").text
    local = visible_text(page.split('id="local-safety-services"')[1].split("</ul>")[0])
    assert "Safe Harbor" in local and "Midtown Couples Clinic" not in local


def test_an_admin_adds_and_edits_a_service_by_hand(client, auth, db_session):
    from tests.factories import AdminFactory

    auth.login(AdminFactory())
    transfer.ensure_categories()
    form = {
        "organization": "Lakeside Center",
        "name": "Lakeside Couples Group",
        "description": "Weekly group.",
        "status": "active",
        "category": COUPLES_THERAPY,
        "fees": "Sliding scale",
        "languages": "English, Spanish",
        "phone": "212-555-0199",
        "email": "",
        "url": "",
        "accreditations": "",
        "last_verified": "",
        "address": "5 Lake St",
        "city": "New York",
        "state": "NY",
        "zip_code": "10001",
    }
    missing = client.post("/admin/directory/services/new", data={**form, "address": ""})
    assert missing.status_code == 400 and "Needed for a service with a place" in missing.text
    created = client.post("/admin/directory/services/new", data=form, follow_redirects=True)
    assert "Service saved." in created.text and "5 Lake St" in created.text
    service = db_session.scalar(select(DirectoryService))
    found = search.search(
        search.SearchQuery(
            origin=geography.zip_centroid("10001"), radius_km=5, category=COUPLES_THERAPY
        )
    )
    assert [r.service.name for r in found] == ["Lakeside Couples Group"]
    edit = client.get(f"/admin/directory/services/{service.hsds_id}/edit")
    assert 'value="Lakeside Couples Group"' in edit.text
    client.post(
        f"/admin/directory/services/{service.hsds_id}/edit",
        data={**form, "name": "Lakeside Couples Evenings", "status": "inactive"},
    )
    names = db_session.scalars(select(DirectoryService.name)).all()
    assert names == ["Lakeside Couples Evenings"]
    assert search.search(search.SearchQuery()) == []  # inactive now: never shown


def _service_form(**changes):
    form = {
        "organization": "Lakeside Center",
        "name": "Lakeside Couples Group",
        "description": "Weekly group.",
        "status": "active",
        "category": COUPLES_THERAPY,
        "fees": "",
        "languages": "English, Spanish",
        "phone": "212-555-0199",
        "email": "",
        "url": "",
        "accreditations": "",
        "last_verified": "",
        "address": "5 Lake St",
        "city": "New York",
        "state": "NY",
        "zip_code": "10001",
    }
    form.update(changes)
    return form


def test_editing_removes_what_was_cleared_and_keeps_the_place(client, auth, db_session):
    from tests.factories import AdminFactory

    auth.login(AdminFactory())
    transfer.ensure_categories()
    client.post("/admin/directory/services/new", data=_service_form())
    service = db_session.scalar(select(DirectoryService))
    hsds_id = service.hsds_id  # the search index is rebuilt on each save: keep the HSDS id
    location = service.locations[0]
    location_record = (location.latitude, location.longitude)
    client.post(
        f"/admin/directory/services/{hsds_id}/edit",
        data=_service_form(
            languages="English", phone="", category="", description="New words only"
        ),
    )
    db_session.expire_all()
    service = db_session.scalar(select(DirectoryService))
    assert service.languages == ["English"] and service.phones == []
    assert service.categories == []
    assert (service.locations[0].latitude, service.locations[0].longitude) == location_record
    unknown = client.post(
        f"/admin/directory/services/{hsds_id}/edit", data=_service_form(zip_code="99999")
    )
    assert unknown.status_code == 400 and "This ZIP code is not known" in unknown.text
    client.post(f"/admin/directory/services/{hsds_id}/edit", data=_service_form(status="inactive"))
    page = client.get(f"/directory/services/{hsds_id}")
    assert page.status_code == 200  # the admin can still find it and switch it back on
    assert "inactive" in client.get("/admin/directory").text


def test_saving_one_service_refreshes_its_own_search_entry_only(client, auth, db_session, app):
    from tests.factories import AdminFactory

    auth.login(AdminFactory())
    transfer.ensure_categories()

    def add(name: str) -> str:
        client.post("/admin/directory/services/new", data=_service_form(name=name))
        return db_session.scalar(select(DirectoryService.hsds_id).filter_by(name=name))

    edited, other = add("Lakeside Couples Group"), add("Harbor Parenting Circle")
    other_row = db_session.scalar(select(DirectoryService.id).filter_by(hsds_id=other))

    def save(description: str) -> int:
        form = _service_form(description=description)
        with count_queries(app) as queries:
            answer = client.post(f"/admin/directory/services/{edited}/edit", data=form)
        assert answer.status_code == 302
        return len(queries)

    few = save("Evenings by the lake")
    for number in range(8):
        add(f"Another Service {number}")
    many = save("Weekends by the lake")
    assert few == many  # the save reads its own service's records, however many there are
    assert names(search.search(search.SearchQuery(text="weekends"))) == ["Lakeside Couples Group"]
    # The other services' entries were left as they were, not rebuilt.
    assert db_session.scalar(select(DirectoryService.id).filter_by(hsds_id=other)) == other_row


def test_search_input_never_fails_and_a_zip_alone_is_used(client, auth, directory):
    auth.login(CounselorFactory())
    for query in (
        "radius=sNaN&zip_code=10001",
        "radius=Infinity&zip_code=10001",
        "couple=99999999999999999999",
        "page=999",
        "radius=-5",
        "q=" + "x" * 300,
    ):
        assert client.get(f"/directory?{query}").status_code in (200, 400), query
    by_zip = visible_text(
        client.get("/directory?zip_code=10001&radius=2").text.split('id="results"')[1]
    )
    assert "Midtown Couples Clinic" in by_zip and "Newark Family Center" not in by_zip
    nowhere = client.get("/directory?radius=2")
    assert "Say where to measure from" in nowhere.text


def test_words_may_appear_anywhere_in_the_listing(directory):
    add_service("Harbor Group", description="licensed couples therapists in the evening")
    found = names(search.search(search.SearchQuery(text="evening couples")))
    assert found == ["Harbor Group"]


def test_a_place_in_the_directory_is_found_by_its_words(client, auth, directory):
    auth.login(CounselorFactory())
    from_newark = client.get("/directory?near=place&place=newark+family&radius=5&unit=mi")
    text = visible_text(from_newark.text.split('id="results"')[1])
    assert from_newark.status_code == 200
    assert "Newark Family Center" in text and "0.0 mi" in text
    assert "Midtown Couples Clinic" not in text  # about nine miles away
    unknown = client.get("/directory?near=place&place=atlantis&radius=5")
    assert unknown.status_code == 400
    assert "No place in the directory matches these words." in unknown.text
    # The form lists no places: it stays small however many there are.
    assert "<option" not in unknown.text.split('name="place"')[1].split("</div>")[0]


def test_results_are_counted_and_paged_in_order_by_the_database(client, auth, db_session):
    for number in range(45):
        add_service(f"Service {number:02d}", at=(40.75 + number / 500, -73.99))
    auth.login(CounselorFactory())

    def listed(page: int) -> tuple[str, list[float]]:
        answer = client.get(f"/directory?zip_code=10001&radius=50&unit=km&page={page}")
        text = visible_text(answer.text)
        return text, [float(km) for km in re.findall(r"(\d+\.\d) km", text)]

    first, near = listed(1)
    third, far = listed(3)
    assert "45 services" in first and "45 services" in third
    assert len(near) == 20 and len(far) == 5  # 20 a page
    assert near == sorted(near) and far == sorted(far) and near[-1] <= far[0]
    assert "Service 00" in first and "Service 44" in third
    beyond, _ = listed(9)  # a page past the end shows the last one
    assert "45 services" in beyond and "Service 44" in beyond and "Service 39" not in beyond
