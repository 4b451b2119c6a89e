"""The couples services called directly: opening, editing and closing cases, portal access,
reassignment, and the caseload's search, filter, sorts and pages."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby
from operator import itemgetter

import pytest

from practice import clock
from practice.access import Role
from practice.accounts import invitations, sessions
from practice.accounts import services as accounts
from practice.couples import services
from practice.couples.models import CoupleStatus
from practice.couples.services import CoupleError
from tests.factories import (
    PASSWORD,
    AdminFactory,
    ClientFactory,
    CounselorFactory,
    CoupleFactory,
    partner_with_login,
)

TTL = timedelta(hours=72)
IDLE, LIFETIME = timedelta(minutes=15), timedelta(hours=12)


def link_state(token: str) -> str:
    return invitations.find_invitation(token, invitations.Purpose.INVITATION)[0]


def case_data(**changes: object) -> dict[str, object]:
    data = {
        "partner_a": {"name": "Noor Haddad", "pronouns": "she/her", "email": "", "phone": ""},
        "partner_b": {"name": "Rafe Haddad", "pronouns": "", "email": "", "phone": ""},
        "presenting_concerns": "Arguments about chores.",
        "goals": "Share the week's tasks fairly.",
        "intake_date": clock.today(),
        "status": "active",
        "closed_on": None,
        "closing_reason": None,
    }
    return {**data, **changes}


def closing(couple, reason: str = "Goals met") -> dict[str, object]:
    return {
        **services.form_data_of(couple),
        "status": "closed",
        "closed_on": clock.today(),
        "closing_reason": reason,
    }


def names(page) -> str:
    """The first partners' names of a page's couples, in the page's order."""
    return ", ".join(couple.partners[0].name for couple in page.items)


# --- opening and editing a case ------------------------------------------------------------


def test_a_new_case_has_both_partners_in_order_on_the_counselors_caseload(db_session):
    counselor = CounselorFactory()
    data = case_data()
    data["partner_a"] = {**data["partner_a"], "email": "  Noor.Haddad@Example.ORG "}
    couple = services.create_couple(counselor, data)
    assert [(p.position, p.name) for p in couple.partners] == [
        (1, "Noor Haddad"),
        (2, "Rafe Haddad"),
    ]
    # The e-mail is the partner's future sign-in, so it is kept in one canonical form.
    assert couple.partners[0].email == "noor.haddad@example.org"
    assert couple.partners[1].email is None
    assert services.caseload_of(counselor).items == [couple]


def test_closing_details_are_not_kept_on_a_case_that_is_not_closed(db_session):
    couple = services.create_couple(
        CounselorFactory(), case_data(closed_on=clock.today(), closing_reason="Moved away")
    )
    assert couple.status is CoupleStatus.ACTIVE
    assert (couple.closed_on, couple.closing_reason) == (None, None)


def test_closing_a_case_ends_every_partners_portal_access_and_open_sessions(db_session):
    couple = CoupleFactory()
    user, other = partner_with_login(couple, 1), partner_with_login(couple, 2)
    token = sessions.start_session(user)
    assert services.update_couple(couple, closing(couple), couple.counselor) is True
    assert couple.status is CoupleStatus.CLOSED
    assert (couple.closed_on, couple.closing_reason) == (clock.today(), "Goals met")
    assert user.is_disabled and other.is_disabled
    assert accounts.authenticate(user.email, PASSWORD) is None
    assert sessions.user_for_session(token, idle=IDLE, lifetime=LIFETIME) == (None, False)


def test_closing_says_access_ended_only_when_there_was_access_to_end(db_session):
    without_sign_ins = CoupleFactory()
    ended = services.update_couple(without_sign_ins, closing(without_sign_ins), CounselorFactory())
    assert ended is False
    couple = CoupleFactory()
    partner_with_login(couple, 1)
    services.update_couple(couple, closing(couple), couple.counselor)
    # Editing a case that is already closed ends nothing more.
    assert services.update_couple(couple, closing(couple, "Typo fixed"), couple.counselor) is False
    assert couple.closing_reason == "Typo fixed"


def test_reopening_a_case_clears_the_closing_but_does_not_give_access_back(db_session):
    couple = CoupleFactory()
    user = partner_with_login(couple, 1)
    services.update_couple(couple, closing(couple), couple.counselor)
    reopened = {**services.form_data_of(couple), "status": "active"}
    services.update_couple(couple, reopened, couple.counselor)
    assert couple.status is CoupleStatus.ACTIVE
    assert (couple.closed_on, couple.closing_reason) == (None, None)
    # Access comes back only when the counselor deliberately invites the partner again.
    assert user.is_disabled


def test_a_new_email_for_a_partner_with_a_sign_in_moves_the_sign_in_and_ends_sessions(
    db_session,
):
    couple = CoupleFactory()
    user = partner_with_login(couple, 1)
    token = sessions.start_session(user)
    data = services.form_data_of(couple)
    data["partner_a"] = {**data["partner_a"], "email": "Avery.New@Example.com"}
    services.update_couple(couple, data, couple.counselor)
    assert user.email == "avery.new@example.com"
    assert accounts.authenticate("avery.new@example.com", PASSWORD) is user
    assert sessions.user_for_session(token, idle=IDLE, lifetime=LIFETIME)[0] is None


# --- portal access --------------------------------------------------------------------------


def test_ending_portal_access_stops_sign_in_sessions_and_outstanding_links(db_session):
    couple = CoupleFactory()
    partner = couple.partners[0]
    partner.email = "avery@example.com"
    issued = services.invite_partner(partner, couple.counselor, TTL)
    token = sessions.start_session(partner.user)
    services.end_portal_access(partner, couple.counselor)
    assert partner.user.is_disabled
    assert sessions.user_for_session(token, idle=IDLE, lifetime=LIFETIME)[0] is None
    assert (
        invitations.find_invitation(issued.token, invitations.Purpose.INVITATION)[0]
        == invitations.InvitationState.UNKNOWN
    )


def test_ending_access_that_does_not_exist_is_refused_by_name(db_session):
    couple = CoupleFactory(partners=["Ines Fox", "Omar Fox"])
    with pytest.raises(CoupleError, match="Ines Fox has no portal access to end"):
        services.end_portal_access(couple.partners[0], couple.counselor)
    partner_with_login(couple, 2)
    services.end_portal_access(couple.partners[1], couple.counselor)
    with pytest.raises(CoupleError, match="Omar Fox has no portal access to end"):
        services.end_portal_access(couple.partners[1], couple.counselor)


def test_a_first_invitation_makes_a_client_sign_in_with_a_link_valid_for_its_lifetime(
    db_session, frozen_clock
):
    couple = CoupleFactory(partners=["Ines Fox", "Omar Fox"])
    partner = couple.partners[0]
    partner.email = "ines@example.org"
    issued = services.invite_partner(partner, couple.counselor, TTL)
    assert (partner.user.email, partner.user.name, partner.user.role) == (
        "ines@example.org",
        "Ines Fox",
        Role.CLIENT,
    )
    assert (
        invitations.find_invitation(issued.token, invitations.Purpose.INVITATION)[0]
        == invitations.InvitationState.VALID
    )
    frozen_clock.advance(hours=72)
    assert (
        invitations.find_invitation(issued.token, invitations.Purpose.INVITATION)[0]
        == invitations.InvitationState.EXPIRED
    )


def test_inviting_again_gives_ended_access_back_to_the_same_sign_in(db_session):
    couple = CoupleFactory()
    user = partner_with_login(couple, 1)
    user.password_hash = None  # invited, but not signed up yet
    partner = couple.partners[0]
    first = services.invite_partner(partner, couple.counselor, TTL)
    services.end_portal_access(partner, couple.counselor)
    second = services.invite_partner(partner, couple.counselor, TTL)
    assert partner.user is user and not user.is_disabled
    assert (
        invitations.find_invitation(second.token, invitations.Purpose.INVITATION)[0]
        == invitations.InvitationState.VALID
    )
    # Only the newest link works.
    assert (
        invitations.find_invitation(first.token, invitations.Purpose.INVITATION)[0]
        == invitations.InvitationState.EXPIRED
    )


def test_a_partner_of_a_closed_case_cannot_be_invited(db_session):
    couple = CoupleFactory(status=CoupleStatus.CLOSED, closed_on=clock.today())
    couple.partners[0].email = "avery@example.com"
    with pytest.raises(CoupleError, match="This case is closed"):
        services.invite_partner(couple.partners[0], couple.counselor, TTL)
    assert couple.partners[0].user is None


def test_a_partner_without_an_email_cannot_be_invited(db_session):
    couple = CoupleFactory(partners=["Ines Fox", "Omar Fox"])
    with pytest.raises(CoupleError, match="Add an e-mail address for Ines Fox first"):
        services.invite_partner(couple.partners[0], couple.counselor, TTL)


def test_a_partner_cannot_be_invited_with_an_email_that_is_another_account(db_session):
    ClientFactory(email="taken@example.com")
    couple = CoupleFactory()
    couple.partners[0].email = "taken@example.com"
    with pytest.raises(CoupleError, match="belongs to another account"):
        services.invite_partner(couple.partners[0], couple.counselor, TTL)
    assert couple.partners[0].user is None


# --- moving a couple to another counselor ---------------------------------------------------


def test_a_reassigned_couple_leaves_one_caseload_for_the_other(db_session):
    couple = CoupleFactory()
    before, after = couple.counselor, CounselorFactory()
    services.reassign_couple(couple, after, AdminFactory())
    assert services.caseload_of(before).items == []
    assert services.caseload_of(after).items == [couple]


@pytest.mark.parametrize(
    "make_target",
    [AdminFactory, ClientFactory, lambda: CounselorFactory(is_disabled=True)],
    ids=["admin", "client", "disabled counselor"],
)
def test_a_couple_can_only_move_to_an_active_counselor(db_session, make_target):
    couple = CoupleFactory()
    owner = couple.counselor
    with pytest.raises(CoupleError, match="Choose an active counselor"):
        services.reassign_couple(couple, make_target(), AdminFactory())
    assert couple.counselor is owner


def test_moving_a_couple_to_its_own_counselor_is_refused_by_name(db_session):
    counselor = CounselorFactory(name="Dana Wren")
    couple = CoupleFactory(counselor=counselor, partners=["Ines Fox", "Omar Fox"])
    with pytest.raises(CoupleError, match="Ines Fox & Omar Fox is already on Dana Wren's"):
        services.reassign_couple(couple, counselor, AdminFactory())


# --- the caseload ---------------------------------------------------------------------------


def test_caseload_search_finds_either_partner_by_part_of_the_name_in_any_case(db_session):
    counselor = CounselorFactory()
    CoupleFactory(counselor=counselor, partners=["Ines Fox", "Omar Fox"])
    CoupleFactory(counselor=counselor, partners=["Lena Park", "Theo Marsh"])
    CoupleFactory(counselor=counselor, partners=["Kim Oduya", "Sol Oduya"])
    assert names(services.caseload_of(counselor, search="MARSH")) == "Lena Park"
    assert names(services.caseload_of(counselor, search="od")) == "Kim Oduya"
    assert services.caseload_of(counselor, search="Nobody").total == 0


def test_caseload_search_finds_names_with_accented_capitals(db_session):
    counselor = CounselorFactory()
    CoupleFactory(counselor=counselor, partners=["Élodie Brun", "Marc Brun"])
    # Typed exactly as the name is written, then in small letters.
    assert names(services.caseload_of(counselor, search="Élodie")) == "Élodie Brun"
    assert names(services.caseload_of(counselor, search="élodie")) == "Élodie Brun"


def test_caseload_status_filter_shows_only_that_status_and_ignores_unknown_ones(db_session):
    counselor = CounselorFactory()
    CoupleFactory(counselor=counselor, partners=["Ada Ross", "Ben Ross"])
    CoupleFactory(counselor=counselor, partners=["Cy Lund", "Di Lund"], status=CoupleStatus.PAUSED)
    assert names(services.caseload_of(counselor, status="paused")) == "Cy Lund"
    assert names(services.caseload_of(counselor, status="active")) == "Ada Ross"
    assert names(services.caseload_of(counselor, status="archived")) == "Ada Ross, Cy Lund"


def test_caseload_shows_only_the_counselors_own_couples(db_session):
    counselor = CounselorFactory()
    own = CoupleFactory(counselor=counselor, partners=["Ada Ross", "Ben Ross"])
    CoupleFactory(partners=["Ada Hart", "Bo Hart"])  # another counselor's
    page = services.caseload_of(counselor, search="Ada")
    assert (page.items, page.total) == ([own], 1)


def test_caseload_sorts_by_first_partner_name_ignoring_case(db_session):
    counselor = CounselorFactory()
    for first in ("Cal Moss", "bea Park", "Ada Ross"):
        CoupleFactory(counselor=counselor, partners=[first, "Zed Other"])
    assert names(services.caseload_of(counselor, sort="name")) == "Ada Ross, bea Park, Cal Moss"
    # An unknown sort falls back to the name.
    assert (
        names(services.caseload_of(counselor, sort="shoe size")) == "Ada Ross, bea Park, Cal Moss"
    )


def test_caseload_sorts_by_newest_intake_first(db_session):
    counselor = CounselorFactory()
    for first, days_ago in (("Ada Ross", 40), ("Ben Lee", 10), ("Cy Lund", 20)):
        CoupleFactory(
            counselor=counselor,
            partners=[first, "Zed Other"],
            intake_date=clock.today() - timedelta(days=days_ago),
        )
    assert names(services.caseload_of(counselor, sort="intake")) == "Ben Lee, Cy Lund, Ada Ross"


def test_caseload_sorts_the_most_recently_updated_first(db_session, frozen_clock):
    counselor = CounselorFactory()
    oldest = CoupleFactory(counselor=counselor, partners=["Ada Ross", "Ben Ross"])
    CoupleFactory(counselor=counselor, partners=["Cy Lund", "Di Lund"])
    CoupleFactory(counselor=counselor, partners=["Ed Park", "Flo Park"])
    frozen_clock.advance(minutes=5)
    data = {**services.form_data_of(oldest), "goals": "Plan one evening out a week."}
    services.update_couple(oldest, data, counselor)
    # The edited couple first; the others, updated at the same moment, newest first.
    assert names(services.caseload_of(counselor, sort="updated")) == "Ada Ross, Ed Park, Cy Lund"


def test_caseload_sort_by_status_groups_each_status_with_names_in_order(db_session):
    counselor = CounselorFactory()
    for first, status in (
        ("Fay Cole", CoupleStatus.ACTIVE),
        ("Eli Dunn", CoupleStatus.PAUSED),
        ("Dot Ames", CoupleStatus.ACTIVE),
        ("Cam Bell", CoupleStatus.CLOSED),
        ("Bo Ames", CoupleStatus.PAUSED),
        ("Al Cruz", CoupleStatus.ACTIVE),
    ):
        CoupleFactory(counselor=counselor, partners=[first, "Zed Other"], status=status)
    page = services.caseload_of(counselor, sort="status")
    rows = [(c.status, c.partners[0].name) for c in page.items]
    runs = [(status, [name for _, name in run]) for status, run in groupby(rows, itemgetter(0))]
    assert len(runs) == len(CoupleStatus)  # each status in one run
    assert all(names_in_run == sorted(names_in_run) for _, names_in_run in runs)


def test_caseload_pages_and_a_page_past_the_end_shows_the_last_page(db_session):
    counselor = CounselorFactory()
    for first in ("Ada Ross", "Ben Lee", "Cy Lund", "Dot Ames", "Eli Dunn"):
        CoupleFactory(counselor=counselor, partners=[first, "Zed Other"])
    first_page = services.caseload_of(counselor, page=1, per_page=2)
    assert names(first_page) == "Ada Ross, Ben Lee"
    assert (first_page.total, first_page.pages) == (5, 3)
    assert first_page.has_next and not first_page.has_previous
    past_the_end = services.caseload_of(counselor, page=99, per_page=2)
    assert (past_the_end.number, names(past_the_end)) == (3, "Eli Dunn")
    assert not past_the_end.has_next
    assert services.caseload_of(counselor, page=0, per_page=2).number == 1
    empty = services.caseload_of(CounselorFactory(), page=4)
    assert (empty.items, empty.number, empty.pages) == ([], 1, 1)


def test_the_admins_list_holds_every_counselors_couples_by_name_with_search(db_session):
    # Each factory couple has a counselor of its own; the shared surname keeps the check to
    # these two couples, whatever else the database holds.
    lund = CoupleFactory(partners=["Cy Lund", "Di Quillon"])
    ross = CoupleFactory(partners=["Ada Ross", "Ben Quillon"])
    page = services.all_couples(search="quillon")
    assert page.items == [ross, lund]
    assert [c.counselor for c in page.items] == [ross.counselor, lund.counselor]
    assert services.all_couples(search="di quil").items == [lund]
    assert services.all_couples(search="quillon", page=7, per_page=1).items == [lund]
