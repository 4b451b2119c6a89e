"""Every route, every principal: the written policy table below is what the app must do.

A route added without an entry here (or without a declared audience) fails this test.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from practice import clock, db
from practice.access import audience_of
from practice.accounts import sessions
from practice.accounts.models import User
from practice.agreements.models import Agreement
from practice.db import get_database
from practice.directory import editing
from practice.directory.models import DirectoryService
from practice.exercises.fields import check_spec
from practice.exercises.models import AgreementKind, Mode, Rhythm
from practice.homework import services as homework
from practice.measures.models import SafetyScreen
from practice.plans import services as plans
from practice.referrals import services as referrals
from tests.conftest import sessions_on
from tests.factories import (
    AdminFactory,
    AppointmentFactory,
    CounselorFactory,
    CoupleFactory,
    follow_up,
    make_assignment,
    make_exercise,
    partner_with_login,
    signed_note,
)

ANON, PARTNER_A, PARTNER_B, COUNSELOR, OTHER, ADMIN = (
    "anonymous",
    "partner A",
    "partner B",
    "the couple's counselor",
    "another counselor",
    "admin",
)
PRINCIPALS = (ANON, PARTNER_A, PARTNER_B, COUNSELOR, OTHER, ADMIN)
SIGN_IN = "sign-in"  # 302 to the sign-in page


def everyone(code, anonymous=SIGN_IN):
    return {
        ANON: anonymous,
        PARTNER_A: code,
        PARTNER_B: code,
        COUNSELOR: code,
        OTHER: code,
        ADMIN: code,
    }


def only(allowed: dict[str, int], others: int) -> dict[str, object]:
    table = {principal: others for principal in PRINCIPALS}
    table[ANON] = SIGN_IN
    table.update(allowed)
    return table


STAFF_ONLY = 403  # a partner asking for a staff page
POLICY: dict[str, dict[str, dict[str, object]]] = {
    "static": {"GET": everyone(200, anonymous=200)},
    "bootstrap.static": {"GET": everyone(200, anonymous=200)},
    "healthz": {"GET": everyone(200, anonymous=200)},
    "accounts.sign_in": {"GET": everyone(302, anonymous=200), "POST": everyone(302, anonymous=400)},
    "accounts.sign_out": {"POST": everyone(302)},
    "accounts.keep_alive": {"GET": everyone(204)},
    "accounts.accept_invitation": {
        "GET": everyone(410, anonymous=410),
        "POST": everyone(410, anonymous=410),
    },
    "accounts.forgot_password": {
        "GET": everyone(200, anonymous=200),
        "POST": everyone(400, anonymous=400),
    },
    "accounts.reset_password": {
        "GET": everyone(410, anonymous=410),
        "POST": everyone(410, anonymous=410),
    },
    "accounts.profile": {"GET": everyone(200), "POST": everyone(400)},
    "accounts.sign_out_everywhere": {"POST": everyone(302)},
    # Without a password just checked, the second step sends everyone back to sign in.
    "accounts.second_factor": {
        "GET": everyone(302, anonymous=302),
        "POST": everyone(302, anonymous=302),
    },
    "accounts.set_up_second_factor": {
        "GET": everyone(302, anonymous=302),
        "POST": everyone(302, anonymous=302),
    },
    "accounts.account_second_factor": {"GET": everyone(200), "POST": everyone(400)},
    "accounts.recovery_codes": {"GET": everyone(200)},
    "accounts.turn_off_second_factor": {"POST": everyone(302)},
    "accounts.staff_accounts": {"GET": only({ADMIN: 200}, 403)},
    "accounts.audit_trail": {"GET": only({ADMIN: 200}, 403)},
    "accounts.audit_trail_csv": {"GET": only({ADMIN: 200}, 403)},
    "accounts.new_staff_account": {"GET": only({ADMIN: 200}, 403), "POST": only({ADMIN: 400}, 403)},
    "accounts.edit_staff_account": {
        "GET": only({ADMIN: 200}, 403),
        "POST": only({ADMIN: 400}, 403),
    },
    "accounts.disable_staff_account": {"POST": only({ADMIN: 302}, 403)},
    "accounts.enable_staff_account": {"POST": only({ADMIN: 302}, 403)},
    "accounts.invite_staff_account": {"POST": only({ADMIN: 302}, 403)},
    "accounts.invitation_link": {"GET": only({ADMIN: 200, COUNSELOR: 200, OTHER: 200}, 403)},
    "pages.home": {"GET": everyone(302)},
    "pages.caseload": {"GET": only({COUNSELOR: 200, OTHER: 200}, 403)},
    "couples.new_couple": {
        "GET": only({COUNSELOR: 200, OTHER: 200}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 400}, 403),
    },
    "pages.couple": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "couples.edit_couple": {
        "GET": only({COUNSELOR: 200, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 404}, 403),
    },
    "couples.invite_partner": {"POST": only({COUNSELOR: 302, OTHER: 404}, 403)},
    "couples.end_portal_access": {"POST": only({COUNSELOR: 302, OTHER: 404}, 403)},
    "couples.admin_couples": {"GET": only({ADMIN: 200}, 403)},
    "couples.reassign_couple": {"POST": only({ADMIN: 302}, 403)},
    "portal.home": {"GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403)},
    "appointments.new_appointment": {
        "GET": only({COUNSELOR: 200, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 404}, 403),
    },
    "appointments.appointment": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "appointments.record_attendance": {"POST": only({COUNSELOR: 400, OTHER: 404}, 403)},
    "appointments.calendar_file": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "appointments.start_note": {"POST": only({COUNSELOR: 302, OTHER: 404}, 403)},
    # The note in this table is signed: reading works, editing is refused as locked.
    "appointments.note": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "appointments.edit_note": {
        "GET": only({COUNSELOR: 302, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 409, OTHER: 404}, 403),
    },
    "appointments.add_addendum": {"POST": only({COUNSELOR: 400, OTHER: 404}, 403)},
    "reports.note_pdf": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "reports.exercise_worksheet": {"GET": only({COUNSELOR: 200, OTHER: 404, ADMIN: 200}, 403)},
    "reports.portal_worksheet": {"GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403)},
    "reports.handout": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "reports.prepared": {"GET": everyone(404)},
    "reports.download_prepared": {"GET": everyone(404)},
    "reports.progress_report": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "reports.progress_form": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "reports.summary_report": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "records.couple_record": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "records.retention_list": {"GET": only({ADMIN: 200}, 403)},
    # The world's couple is open, so the admin is told it cannot be purged.
    "records.purge": {"GET": only({ADMIN: 200}, 403), "POST": only({ADMIN: 200}, 403)},
    "appointments.enter_measure": {
        "GET": only({COUNSELOR: 200, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 404}, 403),
    },
    "measures.chart": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    # The world's screen is positive and open: the form shows; a post without answers is 400.
    "safety.follow_up": {
        "GET": only({COUNSELOR: 200, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 404}, 403),
    },
    "safety.resume": {"POST": only({COUNSELOR: 302, OTHER: 404}, 403)},
    "safety.partner_safety": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    # The world's appointment is not attended: nothing to rate.
    "feedback.rate": {
        "GET": only({}, 403) | {PARTNER_A: 404, PARTNER_B: 404},
        "POST": only({}, 403) | {PARTNER_A: 404, PARTNER_B: 404},
    },
    "feedback.chart": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "measures.contact_preference": {
        "GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403),
        "POST": only({PARTNER_A: 400, PARTNER_B: 400}, 403),
    },
    "measures.safety_plan": {
        "GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403),
        "POST": only({PARTNER_A: 302, PARTNER_B: 302}, 403),
    },
    "measures.print_safety_plan": {"GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403)},
    "measures.portal_answer": {
        "GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403),
        "POST": only({PARTNER_A: 400, PARTNER_B: 400}, 403),
    },
    "measures.safety_check": {
        "GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403),
        "POST": only({PARTNER_A: 400, PARTNER_B: 400}, 403),
    },
    "measures.safety_resources": {"GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403)},
    "intake.portal_intake": {
        "GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403),
        "POST": only({PARTNER_A: 400, PARTNER_B: 400}, 403),
    },
    "intake.couple_intake": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "consent.sign_consent": {
        "GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403),
        "POST": only({PARTNER_A: 400, PARTNER_B: 400}, 403),
    },
    "plans.plan": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "plans.plan_version": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "plans.edit_plan": {
        "GET": only({COUNSELOR: 200, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 404}, 403),
    },
    "plans.objective_met": {"POST": only({COUNSELOR: 302, OTHER: 404}, 403)},
    "plans.portal_plan": {
        "GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403),
        "POST": only({PARTNER_A: 400, PARTNER_B: 400}, 403),
    },
    "consent.edit_consent": {"GET": only({ADMIN: 200}, 403), "POST": only({ADMIN: 400}, 403)},
    # The exercise in this table is the couple's counselor's own, not shared.
    "exercises.library": {"GET": only({COUNSELOR: 200, OTHER: 200, ADMIN: 200}, 403)},
    "exercises.exercise": {"GET": only({COUNSELOR: 200, OTHER: 404, ADMIN: 200}, 403)},
    "exercises.new_exercise": {
        "GET": only({COUNSELOR: 200, OTHER: 200}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 400}, 403),
    },
    "exercises.edit_exercise": {
        "GET": only({COUNSELOR: 200, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 404}, 403),
    },
    "exercises.share_exercise": {"POST": only({ADMIN: 302}, 403)},
    "homework.new_assignment": {
        "GET": only({COUNSELOR: 200, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 404}, 403),
    },
    "homework.assignment": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "homework.close_assignment": {"POST": only({COUNSELOR: 302, OTHER: 404}, 403)},
    "homework.add_feedback": {"POST": only({COUNSELOR: 302, OTHER: 404}, 403)},
    # Partner A has already sent today's answer (409: done for today); B saves a draft.
    "homework.answer": {
        "GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403),
        "POST": only({PARTNER_A: 409, PARTNER_B: 302}, 403),
    },
    "directory.import_upload": {"GET": only({ADMIN: 200}, 403), "POST": only({ADMIN: 400}, 403)},
    # The endpoint has two rules, new (no id) and edit (the id of the table's service).
    "directory.edit_service": {"GET": only({ADMIN: 200}, 403), "POST": only({ADMIN: 400}, 403)},
    "directory.search": {"GET": only({COUNSELOR: 200, OTHER: 200, ADMIN: 200}, 403)},
    "directory.service": {"GET": only({COUNSELOR: 200, OTHER: 200, ADMIN: 200}, 403)},
    "referrals.new_referral": {
        "GET": only({COUNSELOR: 200, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 404}, 403),
    },
    "referrals.referral": {
        "GET": only({COUNSELOR: 200, OTHER: 404}, 403),
        "POST": only({COUNSELOR: 400, OTHER: 404}, 403),
    },
    "referrals.portal_referrals": {"GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403)},
    "referrals.mark_contacted": {"POST": only({PARTNER_A: 302, PARTNER_B: 302}, 403)},
    "agreements.staff_agreement": {"GET": only({COUNSELOR: 200, OTHER: 404}, 403)},
    "agreements.agreement": {"GET": only({PARTNER_A: 200, PARTNER_B: 200}, 403)},
    "agreements.accept_agreement": {"POST": only({PARTNER_A: 302, PARTNER_B: 302}, 403)},
    # Partner A made the pending proposal, so A is sent back to wait for B's answer.
    "agreements.amend_agreement": {
        "GET": only({PARTNER_A: 302, PARTNER_B: 200}, 403),
        "POST": only({PARTNER_A: 302, PARTNER_B: 400}, 403),
    },
}


def test_every_route_has_a_policy_entry_and_a_declared_audience(app):
    for rule in app.url_map.iter_rules():
        assert rule.endpoint in POLICY, f"{rule.rule} ({rule.endpoint}) has no policy entry"
        assert audience_of(app, rule.endpoint) is not None, f"{rule.endpoint} has no audience"
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert methods == set(POLICY[rule.endpoint]), f"{rule.endpoint} methods {methods}"


CASES = [
    (endpoint, method, principal)
    for endpoint, methods in POLICY.items()
    for method, expectations in methods.items()
    for principal in PRINCIPALS
]


@pytest.fixture(scope="module")
def world_moment():
    """The whole module lives at one frozen moment: the world is built at it, tests run at it."""
    return clock.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def frozen_clock(world_moment):
    clock.freeze(world_moment)
    yield
    clock.unfreeze()


@pytest.fixture(scope="module")
def world_connection(app, world_moment):
    """One world for every route and principal, built once on a connection of its own; each
    test runs on that connection inside a savepoint that is rolled back."""
    connection = get_database(app).engine.connect()
    transaction = connection.begin()
    clock.freeze(world_moment)
    try:
        with sessions_on(app, connection), app.app_context():
            built = _build_world()
            db.session.commit()  # into the connection's transaction, which is rolled back below
    finally:
        clock.unfreeze()
    yield connection, built
    transaction.rollback()
    connection.close()


@pytest.fixture
def db_connection(world_connection):
    """The world's connection, in place of a fresh one (see tests/conftest.py)."""
    return world_connection[0]


@pytest.fixture
def world(world_connection, client):
    user_ids, values = world_connection[1]
    people = {principal: db.session.get(User, user_id) for principal, user_id in user_ids.items()}
    return people, values


def _build_world():
    couple = CoupleFactory()
    other_counselor = CounselorFactory()
    people = {
        PARTNER_A: partner_with_login(couple, 1),
        PARTNER_B: partner_with_login(couple, 2),
        COUNSELOR: couple.counselor,
        OTHER: other_counselor,
        ADMIN: AdminFactory(),
    }
    appointment = AppointmentFactory(couple=couple)
    note = signed_note(appointment)
    screen = SafetyScreen(
        couple_id=couple.id,
        partner_id=couple.partners[0].id,
        answers={"humiliated": 0, "afraid": 1, "raped": 0, "kicked": 0},
        positive=True,
    )
    db.session.add(screen)
    db.session.flush()
    own_exercise = make_exercise(owner=couple.counselor)
    assignment = make_assignment(couple, own_exercise)
    completion = homework.save_answers(
        assignment,
        couple.partners[0],
        {"heard": "x", "connected": 5},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=people[PARTNER_A],
    )
    pause = make_exercise(
        mode=Mode.TOGETHER,
        rhythm=Rhythm.ONCE,
        agreement_kind=AgreementKind.PAUSE,
        fields=check_spec(
            [{"key": "signal", "label": "Signal", "type": "short_text", "required": True}]
        ),
    )
    proposal = homework.save_answers(
        make_assignment(couple, pause, rhythm="once"),
        couple.partners[0],
        {"signal": "hand up"},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=people[PARTNER_A],
    )
    service_id = editing.save_service(
        {
            "organization": "Harbor",
            "name": "Harbor Counseling",
            "description": "Counseling",
            "status": "active",
            "category": "",
            "fees": "",
            "languages": "",
            "phone": "",
            "email": "",
            "url": "",
            "accreditations": "",
            "last_verified": None,
            "online": True,
            "address": "",
            "city": "",
            "state": "",
            "zip_code": "",
        },
        people[ADMIN],
    )
    service = db.session.scalar(
        select(DirectoryService).where(DirectoryService.hsds_id == service_id)
    )
    referral = referrals.refer(
        couple, service, partner=None, reason="Evening groups", shared=True, actor=couple.counselor
    )
    # Partner B's check, followed up with a pause of joint work that can be resumed.
    paused_check = SafetyScreen(
        couple_id=couple.id,
        partner_id=couple.partners[1].id,
        answers={"humiliated": 1, "afraid": 0, "raped": 0, "kicked": 0},
        positive=True,
    )
    db.session.add(paused_check)
    db.session.flush()
    paused = follow_up(paused_check, decision="pause")
    plan = plans.save_plan(
        couple,
        [
            {
                "partner_id": None,
                "title": "Calmer evenings",
                "objectives": [
                    {"kind": "own_words", "text": "Two calm talks", "target_on": "2099-01-01"}
                ],
            }
        ],
        clock.today(),
        couple.counselor,
    )
    values = {
        "follow_up_id": paused.id,
        "number": plan.number,
        "key": plan.goals[0]["objectives"][0]["key"],
        "couple_id": couple.id,
        "partner_id": couple.partners[0].id,
        "user_id": other_counselor.id,
        "token": "no-such-invitation",
        "appointment_id": appointment.id,
        "note_id": note.id,
        "screen_id": screen.id,
        "measure_key": "checkin",
        "partner": couple.partners[0].id,  # a query argument of appointments.enter_measure
        "exercise_id": own_exercise.exercise_id,
        "assignment_id": assignment.id,
        "completion_id": completion.id,
        "hsds_id": service.hsds_id,
        "referral_id": referral.id,
        "agreement_id": proposal.assignment.couple_id and _agreement_id(proposal),
    }
    return {principal: user.id for principal, user in people.items()}, values


def _agreement_id(completion) -> int:
    return db.session.scalar(
        select(Agreement.id).where(Agreement.assignment_id == completion.assignment_id)
    )


def _sign_in_directly(client, user) -> None:
    # The sign-in form itself is tested elsewhere; here a real server-side session is made
    # directly, which keeps this walk over every route fast.
    token = sessions.start_session(user)
    with client.session_transaction() as session:
        session["sid"] = token
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def _url(app, endpoint: str, values: dict[str, object]) -> str:
    rule = next(app.url_map.iter_rules(endpoint))
    arguments = {name: values[name] for name in rule.arguments if name in values}
    if endpoint == "appointments.enter_measure":
        arguments["partner"] = values["partner"]
    if endpoint == "referrals.new_referral":
        arguments["service"] = values["hsds_id"]
    if endpoint == "static":
        arguments["filename"] = "practice.css"
    elif endpoint == "bootstrap.static":
        arguments["filename"] = "css/bootstrap.min.css"
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **arguments)


@pytest.mark.parametrize(("endpoint", "method", "principal"), CASES)
def test_route_answers_each_principal_as_the_policy_says(
    app, client, world, endpoint, method, principal
):
    people, values = world
    if principal != ANON:
        _sign_in_directly(client, people[principal])
    response = client.open(_url(app, endpoint, values), method=method, data={})
    expected = POLICY[endpoint][method][principal]
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")
    else:
        assert response.status_code == expected


POST_CASES = [
    (endpoint, principal)
    for endpoint, methods in POLICY.items()
    if "POST" in methods
    for principal in PRINCIPALS
]


@pytest.mark.parametrize(("endpoint", "principal"), POST_CASES)
def test_every_form_refuses_a_post_without_its_csrf_token(app, client, world, endpoint, principal):
    people, values = world
    if principal != ANON:
        _sign_in_directly(client, people[principal])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(_url(app, endpoint, values), data={"name": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "The form had expired" in response.text
