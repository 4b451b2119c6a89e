from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from practice import db
from practice.directory import geography, search, taxonomy, transfer
from practice.directory.models import (
    DirectoryLocation,
    DirectoryService,
    DirectoryServiceCategory,
    DirectoryServiceLanguage,
)
from practice.referrals.models import Referral, ReferralStatus
from tests.conftest import count_queries, visible_text
from tests.factories import CounselorFactory, CoupleFactory, partner_with_login

COUPLES_THERAPY = taxonomy.CATEGORIES["couples_therapy"][0]
DV_SUPPORT = taxonomy.DOMESTIC_VIOLENCE_TERM


def add_service(
    name,
    *,
    at=None,
    online=False,
    status="active",
    category=None,
    languages=(),
    free=False,
    sliding=False,
    description="",
):
    service = DirectoryService(
        hsds_id=str(uuid.uuid4()),
        name=name,
        status=status,
        online=online,
        in_person=at is not None,
        free=free,
        sliding_scale=sliding,
        description=description,
        search_text=f"{name} {description}".lower(),
        phones=["555-0100"],
        languages=list(languages),
    )
    if at is not None:
        service.locations.append(
            DirectoryLocation(
                hsds_id=str(uuid.uuid4()),
                name=f"{name} office",
                address=f"1 Main St, {name}",
                latitude=at[0],
                longitude=at[1],
            )
        )
    if category:
        service.categories.append(DirectoryServiceCategory(term_id=category))
    for language in languages:
        service.language_rows.append(DirectoryServiceLanguage(language=language))
    db.session.add(service)
    db.session.flush()
    return service


@pytest.fixture
def directory(db_session):
    return {
        "manhattan": add_service(
            "Midtown Couples Clinic",
            at=(40.7505, -73.9934),
            category=COUPLES_THERAPY,
            languages=["Spanish"],
        ),
        "newark": add_service("Newark Family Center", at=(40.7357, -74.1724), sliding=True),
        "philadelphia": add_service("Philadelphia Counseling", at=(39.9526, -75.1652)),
        "online": add_service("Talk Online", online=True, free=True),
        "closed": add_service("Closed Down Clinic", at=(40.7484, -73.9967), status="inactive"),
        "dv": add_service("Safe Harbor", at=(40.76, -73.98), category=DV_SUPPORT),
    }


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


def test_a_shared_referral_reaches_the_portal_and_closes_the_loop(client, auth, directory):
    couple = CoupleFactory(partners=["Rae Stone", "Jules Stone"])
    rae = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    service = directory["manhattan"]
    client.post(
        f"/couples/{couple.id}/referrals/new?service={service.hsds_id}",
        data={"partner_id": "", "reason": "Weekly couples group", "shared": "y"},
    )
    referral = db.session.scalar(select(Referral))
    assert referral.status is ReferralStatus.SUGGESTED
    assert "Midtown Couples Clinic" in client.get("/couples").text  # open referrals
    auth.logout()

    auth.login(rae)
    portal = visible_text(client.get("/portal/referrals").text)
    assert "Midtown Couples Clinic" in portal and "555-0100" in portal
    assert "1 Main St, Midtown Couples Clinic" in portal
    client.post(f"/portal/referrals/{referral.id}/contacted")
    assert referral.status is ReferralStatus.CONTACTED
    auth.logout()

    auth.login(couple.counselor)
    missing_reason = client.post(f"/referrals/{referral.id}", data={"status": "declined"})
    assert "Say why the referral was declined." in missing_reason.text
    client.post(f"/referrals/{referral.id}", data={"status": "attending"})
    client.post(f"/referrals/{referral.id}", data={"status": "completed"})
    history = visible_text(client.get(f"/referrals/{referral.id}").text)
    for step in ("Suggested", "Contacted · Rae Stone", "Attending", "Completed"):
        assert step in history
    backwards = client.post(f"/referrals/{referral.id}", data={"status": "contacted"})
    assert backwards.status_code == 400


def test_a_referral_for_one_partner_never_reaches_the_other(client, auth, directory):
    couple = CoupleFactory(partners=["Rae Stone", "Jules Stone"])
    partner_with_login(couple, 1)
    jules = partner_with_login(couple, 2)
    auth.login(couple.counselor)
    client.post(
        f"/couples/{couple.id}/referrals/new?service={directory['dv'].hsds_id}",
        data={"partner_id": str(couple.partners[0].id), "reason": "For you alone", "shared": "y"},
    )
    referral = db.session.scalar(select(Referral))
    auth.logout()
    auth.login(jules)
    assert "Safe Harbor" not in client.get("/portal/referrals").text
    assert "Safe Harbor" not in client.get("/portal/").text
    assert client.post(f"/portal/referrals/{referral.id}/contacted").status_code == 404
    assert referral.status is ReferralStatus.SUGGESTED


def test_an_internal_referral_stays_with_the_counselor(client, auth, directory):
    couple = CoupleFactory()
    rae = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    client.post(
        f"/couples/{couple.id}/referrals/new?service={directory['newark'].hsds_id}",
        data={"partner_id": "", "reason": "Keep in mind"},
    )
    auth.logout()
    auth.login(rae)
    assert "Newark Family Center" not in client.get("/portal/referrals").text


def test_referring_needs_a_reason_and_an_active_service(client, auth, directory):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    response = client.post(
        f"/couples/{couple.id}/referrals/new?service={directory['manhattan'].hsds_id}",
        data={"partner_id": "", "reason": "  "},
    )
    assert response.status_code == 400 and "Give the reason for the referral." in response.text
    inactive = client.get(
        f"/couples/{couple.id}/referrals/new?service={directory['closed'].hsds_id}"
    )
    assert inactive.status_code == 404
    assert db.session.scalar(select(Referral)) is None


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


def test_referral_pages_offer_only_possible_moves_and_warn_about_gone_services(
    client, auth, directory
):
    couple = CoupleFactory()
    rae = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    service = directory["dv"]
    client.post(
        f"/couples/{couple.id}/referrals/new?service={service.hsds_id}",
        data={"partner_id": str(couple.partners[0].id), "reason": "For you", "shared": "y"},
    )
    referral = db.session.scalar(select(Referral))
    page = client.get(f"/referrals/{referral.id}").text
    assert 'value="completed"' not in page and 'value="contacted"' in page
    auth.logout()
    auth.login(rae)
    portal = client.get("/portal/referrals").text
    assert "data-quick-exit" in portal  # it lists domestic-violence support
    client.post(f"/portal/referrals/{referral.id}/contacted")
    twice = client.post(f"/portal/referrals/{referral.id}/contacted", follow_redirects=True)
    assert "Your counselor already knows you made contact." in twice.text
    service.status = "inactive"
    gone = client.get("/portal/referrals").text
    assert "This service is no longer listed." in gone and "555-0100" not in gone
