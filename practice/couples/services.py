"""Couples and their partners: opening, changing and closing a case, portal access, moving
a couple to another counselor, and the caseload's query."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, selectinload

from practice import db
from practice.access import Role
from practice.accounts import invitations, sessions
from practice.accounts import services as accounts
from practice.accounts.models import User
from practice.audit import services as audit
from practice.couples.models import CaseEvent, CaseEventKind, Couple, CoupleStatus, Partner
from practice.outbox import services as outbox
from practice.pagination import Page, paginate
from practice.unit_of_work import UserError

log = logging.getLogger(__name__)

SORTS = {
    "name": "Partner name",
    "intake": "Newest intake",
    "updated": "Recently updated",
    "status": "Status",
}


# Makes the address of a couple's page, for e-mails to counselors.
CoupleLink = Callable[[int], str]
HISTORY_SHOWN = 20


class CoupleError(UserError):
    """A change to a couple that cannot be made; the message is safe to show."""


def _history(couple: Couple, actor: User | None, kind: CaseEventKind, summary: str) -> None:
    db.session.add(
        CaseEvent(couple=couple, actor_id=actor.id if actor else None, kind=kind, summary=summary)
    )


def case_history(couple_id: int, limit: int = HISTORY_SHOWN) -> list[tuple[CaseEvent, str | None]]:
    """The case's history, newest first, each step with the name of who took it (one query)."""
    return [
        (event, name)
        for event, name in db.session.execute(
            select(CaseEvent, User.name)
            .outerjoin(User, User.id == CaseEvent.actor_id)
            .where(CaseEvent.couple_id == couple_id)
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
            .limit(limit)
        )
    ]


def _assign_partner(partner: Partner, data: dict[str, Any]) -> None:
    partner.name = data["name"]
    partner.pronouns = data["pronouns"] or ""
    partner.email = accounts.normalise_email(data["email"]) if data["email"] else None
    partner.phone = data["phone"] or ""
    if partner.user is not None:
        # The partner's sign-in follows their contact details; a new sign-in e-mail ends
        # the sessions opened under the old one.
        partner.user.name = partner.name
        if partner.email and partner.email != partner.user.email:
            partner.user.email = partner.email
            sessions.end_all_sessions(partner.user)


def _assign_case(couple: Couple, data: dict[str, Any]) -> None:
    couple.presenting_concerns = data["presenting_concerns"] or ""
    couple.goals = data["goals"] or ""
    couple.intake_date = data["intake_date"]
    couple.zip_code = data.get("zip_code") or ""
    couple.status = CoupleStatus(data["status"])
    if couple.status is CoupleStatus.CLOSED:
        couple.closed_on = data["closed_on"]
        couple.closing_reason = data["closing_reason"]
    else:
        couple.closed_on = None
        couple.closing_reason = None


def create_couple(counselor: User, data: dict[str, Any]) -> Couple:
    """Open a case for two partners on the counselor's caseload."""
    couple = Couple(counselor=counselor)
    _assign_case(couple, data)
    for position, key in ((1, "partner_a"), (2, "partner_b")):
        partner = Partner(position=position)
        _assign_partner(partner, data[key])
        couple.partners.append(partner)
    db.session.add(couple)
    _history(couple, counselor, CaseEventKind.OPENED, "Case opened")
    db.session.flush()
    audit.record(counselor, "couple.create", couple)
    log.info("couple %s created by %s", couple.id, counselor.id)
    return couple


def update_couple(couple: Couple, data: dict[str, Any], actor: User) -> bool:
    """Change a couple's details and status; return whether closing ended portal access."""
    partner_a, partner_b = couple.partners
    was = couple.status
    was_closed = was is CoupleStatus.CLOSED
    _assign_case(couple, data)
    if couple.status is not was:
        summary = f"Status changed from {was.label} to {couple.status.label}"
        _history(couple, actor, CaseEventKind.STATUS, summary)
    _assign_partner(partner_a, data["partner_a"])
    _assign_partner(partner_b, data["partner_b"])
    ended = False
    if couple.status is CoupleStatus.CLOSED and not was_closed:
        # A closed case leaves no open door into the portal; inviting again reopens it.
        for partner in couple.partners:
            if partner.user is not None and partner.user.is_active:
                accounts.set_disabled(partner.user, True, actor=actor)
                ended = True
    db.session.flush()
    audit.record(actor, "couple.update", couple)
    return ended


def end_portal_access(partner: Partner, actor: User) -> None:
    """Stop a partner from signing in to the portal, and end their open sessions now."""
    if partner.user is None or not partner.user.is_active:
        raise CoupleError(f"{partner.name} has no portal access to end.")
    accounts.set_disabled(partner.user, True, actor=actor)


def form_data_of(couple: Couple) -> dict[str, Any]:
    """The couple as the edit form's initial data."""
    partner_a, partner_b = couple.partners

    def partner_data(partner: Partner) -> dict[str, Any]:
        return {
            "name": partner.name,
            "pronouns": partner.pronouns,
            "email": partner.email,
            "phone": partner.phone,
        }

    return {
        "partner_a": partner_data(partner_a),
        "partner_b": partner_data(partner_b),
        "presenting_concerns": couple.presenting_concerns,
        "goals": couple.goals,
        "intake_date": couple.intake_date,
        "zip_code": couple.zip_code,
        "status": couple.status.value,
        "closed_on": couple.closed_on,
        "closing_reason": couple.closing_reason,
    }


def _apply_filters(query: Select, search: str, status: str | None) -> Select:
    if search:
        matching = select(Partner.couple_id).where(
            func.lower(Partner.name).contains(search.lower(), autoescape=True)
        )
        query = query.where(Couple.id.in_(matching))
    if status in {s.value for s in CoupleStatus}:
        query = query.where(Couple.status == CoupleStatus(status))
    return query


def _apply_sort(query: Select, sort: str) -> Select:
    if sort == "intake":
        return query.order_by(Couple.intake_date.desc(), Couple.id.desc())
    if sort == "updated":
        return query.order_by(Couple.updated_at.desc(), Couple.id.desc())
    first = aliased(Partner)
    query = query.join(first, (first.couple_id == Couple.id) & (first.position == 1))
    if sort == "status":
        return query.order_by(Couple.status, func.lower(first.name), Couple.id)
    return query.order_by(func.lower(first.name), Couple.id)


def caseload_of(
    counselor: User,
    *,
    search: str = "",
    status: str | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = 25,
) -> Page[Couple]:
    """One page of the counselor's own couples, with partners loaded in one more query."""
    base = _apply_filters(select(Couple).where(Couple.counselor_id == counselor.id), search, status)
    ordered = _apply_sort(base, sort if sort in SORTS else "name").options(
        selectinload(Couple.partners)
    )
    return paginate(base, ordered, page, per_page)


def all_couples(*, search: str = "", page: int = 1, per_page: int = 25) -> Page[Couple]:
    """Every couple in the practice, for the admin's reassignment list (no clinical detail)."""
    base = _apply_filters(select(Couple), search, None)
    ordered = _apply_sort(base, "name").options(
        selectinload(Couple.partners), selectinload(Couple.counselor)
    )
    return paginate(base, ordered, page, per_page)


def active_counselors() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.COUNSELOR, User.is_disabled.is_(False))
            .order_by(User.name)
        )
    )


def reassign_couple(
    couple: Couple, counselor: User, actor: User, link: CoupleLink | None = None
) -> None:
    """Move a couple to another counselor's caseload, note it in the case's history and,
    when ``link`` is given (mail is on), tell both counselors by e-mail."""
    if counselor.role is not Role.COUNSELOR or counselor.is_disabled:
        raise CoupleError("Choose an active counselor.")
    if counselor.id == couple.counselor_id:
        raise CoupleError(f"{couple.display_name} is already on {counselor.name}'s caseload.")
    before = couple.counselor
    couple.counselor = counselor
    summary = f"Moved from {before.name}'s caseload to {counselor.name}'s"
    _history(couple, actor, CaseEventKind.MOVED, summary)
    db.session.flush()
    audit.record(actor, "couple.reassign", couple)
    if link is not None:
        for message in move_messages(couple, before, actor, link(couple.id)):
            outbox.enqueue(*message)
    log.info("couple %s moved to counselor %s by %s", couple.id, counselor.id, actor.id)


def move_messages(
    couple: Couple, before: User, actor: User, page: str
) -> list[tuple[str, str, str]]:
    """The e-mails to the counselor who had a couple and to the one who has it now. They
    name the record by its number only: e-mail leaves the practice, client names do not."""
    after = couple.counselor
    record = f"record {couple.id} (intake {couple.intake_date:%d %b %Y})"
    return [
        (
            before.email,
            f"Record {couple.id} moved to {after.name}",
            f"Hello {before.name},\n\n{actor.name} has moved the couple of {record} from "
            f"your caseload to {after.name}'s. It no longer appears in your caseload.\n",
        ),
        (
            after.email,
            f"Record {couple.id} is now on your caseload",
            f"Hello {after.name},\n\n{actor.name} has moved the couple of {record} from "
            f"{before.name}'s caseload to yours. Their record:\n{page}\n",
        ),
    ]


def invite_partner(
    partner: Partner,
    actor: User,
    ttl: timedelta,
    mail_link: invitations.LinkMaker | None = None,
) -> invitations.IssuedInvitation:
    """Give a partner a portal sign-in (made on first use) and a single-use link to it, also
    e-mailed to them when ``mail_link`` is given (mail is on)."""
    if partner.couple.status is CoupleStatus.CLOSED:
        raise CoupleError("This case is closed. Reopen it before inviting a partner.")
    if not partner.email:
        raise CoupleError(f"Add an e-mail address for {partner.name} first: it is their sign-in.")
    if partner.user is None:
        if accounts.email_taken(partner.email):
            raise CoupleError("This e-mail address belongs to another account.")
        partner.user = accounts.create_user(
            email=partner.email, name=partner.name, role=Role.CLIENT, actor=actor
        )
    # Refused for a partner who signs in already: ending their access comes first.
    issued = invitations.issue_invitation(
        partner.user, created_by=actor, ttl=ttl, mail_link=mail_link
    )
    if partner.user.is_disabled:
        # Inviting again is the counselor's deliberate choice to give access back.
        accounts.set_disabled(partner.user, False, actor=actor)
    return issued
