"""SECURITY.md row 2: the id sweep.

As another counselor and as each partner, every route that takes a record id (in its path or,
where it reads one, in its query) is asked for every id of the table, 1 … max+50 (1 … max+5 on
routes refused to their role before any record is read). A record that is not theirs (another
counselor's couple and everything in it, another couple's homework, the other partner's own
assignment or referral, a referral not shared) must answer 404, or 403 where the route is not
for their role at all (a partner on a staff page). Every page they do reach is read for text
planted in records they must never see (the other partner's private answers and drafts,
feedback to the other partner, clinical notes, other couples' names).

The routes come from ``app.url_map``, so a new route is swept as soon as it exists; one taking
an id of a kind this file does not know fails ``test_every_id_route_is_swept``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from practice import clock, db
from practice.accounts.models import User
from practice.agreements.models import Agreement
from practice.appointments import services as appointments
from practice.appointments.models import Appointment, ProgressNote
from practice.couples.models import Couple, Partner
from practice.exercises.fields import check_spec
from practice.exercises.library import sync_library
from practice.exercises.models import AgreementKind, Exercise, Mode, Rhythm, Visibility
from practice.homework import services as homework
from practice.homework.models import Assignment, Completion
from practice.measures.models import SafetyFollowUp, SafetyScreen
from practice.referrals import services as referrals
from practice.referrals.models import Referral
from tests.factories import (
    SIMPLE_FIELDS,
    AdminFactory,
    AppointmentFactory,
    CounselorFactory,
    CoupleFactory,
    add_service,
    draft_note,
    follow_up,
    make_assignment,
    make_exercise,
    partner_with_login,
    signed_note,
)
from tests.security.conftest import may_reach, sign_in_directly, world_fixtures

OTHER, PARTNER_A, PARTNER_B = "another counselor", "partner A", "partner B"
PRINCIPALS = (OTHER, PARTNER_A, PARTNER_B)

# Every kind of record id a route takes, and the table it names.
ID_TABLES = {
    "couple_id": Couple,
    "partner_id": Partner,
    "appointment_id": Appointment,
    "note_id": ProgressNote,
    "screen_id": SafetyScreen,
    "follow_up_id": SafetyFollowUp,
    "exercise_id": Exercise,
    "assignment_id": Assignment,
    "completion_id": Completion,
    "referral_id": Referral,
    "agreement_id": Agreement,
    "user_id": User,
}
# Record ids some routes read from the query string (name in the query: kind of id).
QUERY_IDS = {
    "appointments.enter_measure": {"partner": "partner_id", "appointment": "appointment_id"},
    "records.couple_record": {"partner": "partner_id"},
}
# Of those, the routes that also answer without them (the whole record, not one partner's).
OPTIONAL_QUERY_IDS = {"records.couple_record"}
# Routes that only read the exercise (others with an exercise id change it).
EXERCISE_READERS = {"exercises.exercise", "reports.exercise_worksheet"}
# Not pages: files made from the principal's own records are not fetched (nothing foreign
# could be in them, and drawing them is slow).
FILES = ("reports.", "measures.chart")
# How far past the table's last id the sweep goes: 50 on every route the principal's role may
# use. A route for another role (a staff page for a partner, the portal for a counselor, an
# admin page) is refused before any record is read, whatever the id; there every row of the
# table is still asked for, and a few ids past the last.
BEYOND, BEYOND_UNREACHABLE = 50, 5


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, int]
    own_couple: dict[str, int]  # principal -> their couple (the counselor's own, the partner's)
    own_partner: dict[str, int]  # principal -> their partner record (a counselor: their couple's)
    couple_of: dict[str, dict[int, int]]  # kind of id -> record id -> its couple
    partner_of: dict[str, dict[int, int | None]]  # assignments, referrals: for one partner
    shared_referrals: set[int]
    exercises: dict[int, tuple[int | None, bool]]  # id -> (owner id, shared)
    partners_of_couple: dict[int, list[int]]
    screens_of_couple: dict[int, list[int]]
    follow_ups_of_couple: dict[int, list[int]]
    appointments_of_couple: dict[int, list[int]]
    service: str  # an active directory service, so that new referrals reach the couple check
    markers: dict[str, set[str]] = field(default_factory=dict)  # text -> who may see it


def _build() -> World:
    sync_library()
    service = add_service("Harbor Counseling", online=True)
    counselor = CounselorFactory(name="Casey Counsel")
    other = CounselorFactory(name="Olive Other")
    AdminFactory()
    markers: dict[str, set[str]] = {}

    def secret(label: str, seen_by: set[str]) -> str:
        text = f"sweepmark-{label}"
        markers[text] = set(seen_by)
        return text

    pause = make_exercise(
        mode=Mode.TOGETHER,
        rhythm=Rhythm.ONCE,
        agreement_kind=AgreementKind.PAUSE,
        fields=check_spec(
            [{"key": "signal", "label": "Signal", "type": "short_text", "required": True}]
        ),
    )
    letters = {
        who: make_exercise(
            owner=who, mode=Mode.INDIVIDUAL, privacy_choice=True, fields=check_spec(SIMPLE_FIELDS)
        )
        for who in (counselor, other)
    }
    make_exercise(owner=counselor, title=secret("c-private-exercise", set()))
    shared = make_exercise(owner=counselor, title=secret("c-shared-exercise", {OTHER}))
    shared.exercise.shared = True
    make_exercise(owner=other, title=secret("o-own-exercise", {OTHER}))

    def case(owner: User, surname: str, staff: set[str], first: str | None, second: str | None):
        """A couple with everything a case holds; ``staff`` and the partners' principals say
        who, among those swept, may read what."""
        one = {first} - {None}
        two = {second} - {None}
        both = staff | one | two
        couple = CoupleFactory(
            counselor=owner,
            partners=[f"Ada {surname}", f"Ben {surname}"],
            goals=secret(f"{surname}-goals", both),
        )
        markers[surname] = set(both)
        users = {}
        for position, principal in ((1, first), (2, second)):
            users[position] = partner_with_login(couple, position)
            if principal is None:
                users[position] = owner  # the counselor answers for them below (audit only)
        p1, p2 = couple.partners
        appointment = AppointmentFactory(couple=couple, place=secret(f"{surname}-place", both))
        note = signed_note(appointment, assessment=secret(f"{surname}-note", staff))
        appointments.add_addendum(
            note,
            {"reason": "Correction", "body": secret(f"{surname}-addendum", staff)},
            owner,
        )
        later = AppointmentFactory(
            couple=couple, starts_at=appointment.starts_at + timedelta(days=7)
        )
        draft_note(later, plan=secret(f"{surname}-draft-note", staff))
        for partner, positive in ((p1, True), (p2, False)):
            db.session.add(
                SafetyScreen(
                    couple_id=couple.id,
                    partner_id=partner.id,
                    answers={"humiliated": 0, "afraid": int(positive), "raped": 0, "kicked": 0},
                    positive=positive,
                )
            )
        # An earlier check of the second partner, followed up with a pause of joint work.
        earlier = SafetyScreen(
            couple_id=couple.id,
            partner_id=p2.id,
            answers={"humiliated": 1, "afraid": 0, "raped": 0, "kicked": 0},
            positive=True,
        )
        db.session.add(earlier)
        db.session.flush()
        follow_up(earlier, decision="pause", reason=secret(f"{surname}-follow-up", staff))
        version = letters[owner]
        today = clock.today()

        def answer(assignment, partner, user, text, *, visibility=None, submit=True):
            return homework.save_answers(
                assignment,
                partner,
                {"heard": text, "connected": 5},
                visibility=visibility,
                submit=submit,
                today=today,
                actor=user,
            )

        together = make_assignment(couple, version, note=secret(f"{surname}-assignment-note", both))
        private_one = answer(
            together,
            p1,
            users[1],
            secret(f"{surname}-p1-private-answer", staff | one),
            visibility=Visibility.COUNSELOR,
        )
        shared_two = answer(
            together,
            p2,
            users[2],
            secret(f"{surname}-p2-shared-answer", both),
            visibility=Visibility.SHARED,
        )
        homework.add_feedback(private_one, secret(f"{surname}-feedback-p1", staff | one), owner)
        homework.add_feedback(shared_two, secret(f"{surname}-feedback-p2", staff | two), owner)
        mirrored = make_assignment(couple, version)
        answer(
            mirrored,
            p2,
            users[2],
            secret(f"{surname}-p2-private-answer", staff | two),
            visibility=Visibility.COUNSELOR,
        )
        answer(
            mirrored,
            p1,
            users[1],
            secret(f"{surname}-p1-shared-answer", both),
            visibility=Visibility.SHARED,
        )
        drafts = make_assignment(couple, version)
        answer(drafts, p2, users[2], secret(f"{surname}-p2-draft", two), submit=False)
        make_assignment(
            couple, version, partner_id=p1.id, note=secret(f"{surname}-p1-only", staff | one)
        )
        for_two = make_assignment(
            couple, version, partner_id=p2.id, note=secret(f"{surname}-p2-only", staff | two)
        )
        answer(for_two, p2, users[2], secret(f"{surname}-p2-only-answer", staff | two))
        homework.save_answers(
            make_assignment(couple, pause, rhythm="once"),
            p1,
            {"signal": secret(f"{surname}-agreement", both)},
            visibility=None,
            submit=True,
            today=today,
            actor=users[1],
        )
        for partner, share, seen in (
            (None, True, both),
            (p1, True, staff | one),
            (p2, True, staff | two),
            (None, False, staff),
        ):
            referrals.refer(
                couple,
                service,
                partner=partner,
                reason=secret(f"{surname}-referral-{len(markers)}", seen),
                shared=share,
                actor=owner,
            )
        db.session.flush()
        return couple, users

    # Interleaved, so that one couple's ids sit between the others'.
    case(counselor, "Zinnia", set(), None, None)
    yarrow, _ = case(other, "Yarrow", {OTHER}, None, None)
    foxglove, logins = case(counselor, "Foxglove", set(), PARTNER_A, PARTNER_B)
    db.session.flush()

    def couples_by(model) -> dict[int, int]:
        return dict(db.session.execute(select(model.id, model.couple_id)).all())

    couple_of = {
        "couple_id": {c: c for c in db.session.scalars(select(Couple.id))},
        "partner_id": couples_by(Partner),
        "appointment_id": couples_by(Appointment),
        "note_id": couples_by(ProgressNote),
        "screen_id": couples_by(SafetyScreen),
        "follow_up_id": couples_by(SafetyFollowUp),
        "assignment_id": couples_by(Assignment),
        "referral_id": couples_by(Referral),
        "agreement_id": couples_by(Agreement),
        "completion_id": dict(
            db.session.execute(
                select(Completion.id, Assignment.couple_id).join(
                    Assignment, Assignment.id == Completion.assignment_id
                )
            ).all()
        ),
    }

    def grouped(kind: str) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for record, couple_id in sorted(couple_of[kind].items()):
            out.setdefault(couple_id, []).append(record)
        return out

    positive = set(db.session.scalars(select(SafetyScreen.id).where(SafetyScreen.positive)))
    return World(
        users={OTHER: other.id, PARTNER_A: logins[1].id, PARTNER_B: logins[2].id},
        own_couple={OTHER: yarrow.id, PARTNER_A: foxglove.id, PARTNER_B: foxglove.id},
        own_partner={
            OTHER: yarrow.partners[0].id,
            PARTNER_A: foxglove.partners[0].id,
            PARTNER_B: foxglove.partners[1].id,
        },
        couple_of=couple_of,
        partner_of={
            "assignment_id": dict(
                db.session.execute(select(Assignment.id, Assignment.partner_id)).all()
            ),
            "referral_id": dict(db.session.execute(select(Referral.id, Referral.partner_id)).all()),
        },
        shared_referrals=set(db.session.scalars(select(Referral.id).where(Referral.shared))),
        exercises={e.id: (e.owner_id, e.shared) for e in db.session.scalars(select(Exercise))},
        partners_of_couple=grouped("partner_id"),
        screens_of_couple={
            c: [s for s in ids if s in positive] or ids for c, ids in grouped("screen_id").items()
        },
        appointments_of_couple=grouped("appointment_id"),
        follow_ups_of_couple=grouped("follow_up_id"),
        service=service.hsds_id,
        markers=markers,
    )


world_connection, db_connection, world = world_fixtures(_build)


# --- who may reach what ---------------------------------------------------------------------


def _is_theirs(world: World, principal: str, endpoint: str, ids: dict[str, int]) -> bool:
    """Whether every record a URL names is the principal's to reach through it."""
    mine = world.own_couple[principal]
    counselor = principal == OTHER
    for kind, record in ids.items():
        if kind == "exercise_id":
            owner, shared = world.exercises.get(record, (-1, False))
            own = owner == world.users[principal]
            if not (own or (endpoint in EXERCISE_READERS and (owner is None or shared))):
                return False
            continue
        if kind == "user_id":
            return False  # staff accounts are for admins alone
        if world.couple_of[kind].get(record) != mine:
            return False
        if counselor:
            continue
        if kind in world.partner_of and world.partner_of[kind][record] not in (
            None,
            world.own_partner[principal],
        ):
            return False  # given to the other partner alone
        if kind == "referral_id" and record not in world.shared_referrals:
            return False
    return True


def _ids_to_sweep(kind: str, beyond: int) -> list[int]:
    """1 … max+``beyond`` of the table. Ids below its lowest row belong to no row (on
    PostgreSQL a sequence never rolls back, so earlier tests push the first id up): the first
    ``beyond`` stand for them, then every id from the lowest row on."""
    model = ID_TABLES[kind]
    low, high = db.session.execute(select(func.min(model.id), func.max(model.id))).one()
    return sorted(set(range(1, beyond + 1)) | set(range(low or 1, (high or 0) + beyond + 1)))


def _consistent(world: World, principal: str, kind: str, record: int) -> dict[str, int]:
    """The other ids of a URL, chosen to match the swept record where it exists (so that only
    whose record it is stands in the way), else the principal's own."""
    couple = world.couple_of.get(kind, {}).get(record)
    if kind == "couple_id":
        couple = record if record in world.couple_of["couple_id"] else None
    mine = world.own_couple[principal]
    couple = couple or mine

    def first(records: dict[int, list[int]]) -> int:
        return (records.get(couple) or records[mine])[0]

    return {
        "couple_id": couple,
        "partner_id": first(world.partners_of_couple),
        "screen_id": first(world.screens_of_couple),
        "follow_up_id": first(world.follow_ups_of_couple),
        "appointment_id": first(world.appointments_of_couple),
    }


@dataclass(frozen=True)
class Probe:
    method: str
    url: str
    theirs: bool


def _probes(app, world: World, principal: str, user: User, endpoint: str) -> list[Probe]:
    reachable = may_reach(app, endpoint, user)
    own = _consistent(world, principal, "couple_id", world.own_couple[principal])
    probes: dict[tuple[str, str], Probe] = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules(endpoint):
            methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
            path_ids = [name for name in rule.arguments if name in ID_TABLES]
            query_ids = QUERY_IDS.get(endpoint, {})
            swept = [(name, name) for name in path_ids] + list(query_ids.items())
            for name, kind in swept:
                for record in _ids_to_sweep(kind, BEYOND if reachable else BEYOND_UNREACHABLE):
                    # The other ids match the swept record (so that only whose it is stands in
                    # the way) and, for a record below a couple, are the principal's own too.
                    bases = [_consistent(world, principal, kind, record)]
                    if kind != "couple_id" and len(swept) > 1:
                        bases.append(own)
                    for base, with_query in [(b, True) for b in bases] + [
                        (b, False) for b in bases if endpoint in OPTIONAL_QUERY_IDS
                    ]:
                        path = {n: base[n] for n in path_ids if n in base}
                        query = {q: base[k] for q, k in query_ids.items()} if with_query else {}
                        if name not in path_ids and not with_query:
                            continue
                        (path if name in path_ids else query)[name] = record
                        named = {**path, **{query_ids[q]: v for q, v in query.items()}}
                        values = {**path, **query}
                        if "measure_key" in rule.arguments:
                            values["measure_key"] = "checkin"
                        # Below a couple's plan: a version's number, an objective's key.
                        if "number" in rule.arguments:
                            values["number"] = 1
                        if "key" in rule.arguments:
                            values["key"] = "no-such-objective"
                        if endpoint == "referrals.new_referral":
                            values["service"] = world.service
                        address = url_for(endpoint, **values)
                        theirs = reachable and _is_theirs(world, principal, endpoint, named)
                        for method in methods:
                            probes[(method, address)] = Probe(method, address, theirs)
    return list(probes.values())


def _leaks(world: World, principal: str, body: str) -> list[str]:
    return [
        text for text, seen_by in world.markers.items() if principal not in seen_by and text in body
    ]


def _id_endpoints(app) -> list[str]:
    return sorted(
        {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if any(name in ID_TABLES for name in rule.arguments)
        }
    )


@functools.cache
def _endpoints() -> list[str]:
    """Every route that takes a record id, from an app of the tests' own (made once, when the
    tests are collected; it never touches a database)."""
    from tests.conftest import make_test_app

    return _id_endpoints(make_test_app("sqlite://"))


def test_every_id_route_is_swept(app):
    known = set(ID_TABLES) | {"measure_key", "token", "hsds_id", "filename", "number", "key"}
    for rule in app.url_map.iter_rules():
        unknown = set(rule.arguments) - known
        assert not unknown, f"{rule.rule} takes {unknown}: add the kind of id to ID_TABLES"
    assert "pages.couple" in _endpoints()
    assert _id_endpoints(app) == _endpoints()


# Cases that find a real exposure: kept, and expected to fail until the app is fixed.
KNOWN_EXPOSURES: dict[tuple[str, str], str] = {}


def _sweep_cases() -> list:
    return [
        pytest.param(
            principal,
            endpoint,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_EXPOSURES[principal, endpoint])]
            if (principal, endpoint) in KNOWN_EXPOSURES
            else [],
            id=f"{principal}-{endpoint}",
        )
        for principal in PRINCIPALS
        for endpoint in _endpoints()
    ]


@pytest.mark.parametrize(("principal", "endpoint"), _sweep_cases())
def test_id_sweep_finds_nothing_foreign(app, client, world, principal, endpoint):
    user = db.session.get(User, world.users[principal])
    sign_in_directly(client, user)
    refused = 404 if may_reach(app, endpoint, user) else 403
    offending = []
    probes = _probes(app, world, principal, user, endpoint)
    for probe in probes:
        if probe.theirs and (probe.method != "GET" or endpoint.startswith(FILES)):
            continue  # their own record: nothing foreign to find, and nothing to change
        response = client.open(probe.url, method=probe.method, data={})
        body = (
            response.get_data(as_text=True)
            if response.mimetype.startswith(("text/", "image/svg", "application/json"))
            else ""
        )
        if not probe.theirs and response.status_code != refused:
            offending.append(f"{probe.method} {probe.url} -> {response.status_code}")
        if leaked := _leaks(world, principal, body):
            offending.append(f"{probe.method} {probe.url} shows {', '.join(leaked)}")
    assert any(not probe.theirs for probe in probes), "nothing foreign was asked for"
    assert not offending, f"{principal}: {len(offending)} of {len(probes)}:\n" + "\n".join(
        offending
    )


# Pages without a record id, where foreign records could still be listed.
LISTS = {
    OTHER: [
        ("pages.caseload", {}),
        ("exercises.library", {}),
        ("couples.new_couple", {}),
        ("directory.search", {}),
        ("referrals.new_referral", {"couple_id": "own", "service": "service"}),
        ("homework.new_assignment", {"couple_id": "own"}),
    ],
    PARTNER_A: [
        ("portal.home", {}),
        ("referrals.portal_referrals", {}),
        ("measures.safety_resources", {}),
        ("measures.portal_answer", {"measure_key": "checkin"}),
        ("measures.safety_check", {}),
        ("accounts.profile", {}),
    ],
}
LISTS[PARTNER_B] = LISTS[PARTNER_A]


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_lists_show_nothing_foreign(app, client, world, principal):
    sign_in_directly(client, db.session.get(User, world.users[principal]))
    offending = []
    for endpoint, arguments in LISTS[principal]:
        values = {
            name: {"own": world.own_couple[principal], "service": world.service}.get(value, value)
            for name, value in arguments.items()
        }
        with app.test_request_context():
            address = url_for(endpoint, **values)
        response = client.get(address)
        if response.status_code != 200:
            offending.append(f"GET {address} -> {response.status_code}")
        if leaked := _leaks(world, principal, response.get_data(as_text=True)):
            offending.append(f"GET {address} shows {', '.join(leaked)}")
    assert not offending, f"{principal}:\n" + "\n".join(offending)


def test_the_private_safety_check_is_no_progress_measure(app, client, world):
    """The safety check's answers are charted and entered nowhere, even on one's own couple."""
    offending = []
    for principal, endpoint, values in (
        (OTHER, "measures.chart", {"couple_id": world.own_couple[OTHER]}),
        (
            OTHER,
            "appointments.enter_measure",
            {"couple_id": world.own_couple[OTHER], "partner": world.own_partner[OTHER]},
        ),
        (PARTNER_A, "measures.portal_answer", {}),
    ):
        sign_in_directly(client, db.session.get(User, world.users[principal]))
        with app.test_request_context():
            address = url_for(endpoint, measure_key="hark", **values)
        for method in ("GET", "POST") if endpoint != "measures.chart" else ("GET",):
            response = client.open(address, method=method, data={})
            if response.status_code != 404:
                offending.append(f"{principal}: {method} {address} -> {response.status_code}")
    assert not offending, "\n".join(offending)
