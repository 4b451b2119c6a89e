"""E-mail reminders of exercises due today, queued in the outbox. Off unless SMTP_HOST is set.

A reminder names the exercises and links to the portal. It never contains anything a partner
wrote, nor the counselor's notes: e-mail is not a private channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from practice import db
from practice.accounts.models import User
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.homework import schedule
from practice.homework.models import Assignment, ReminderSent
from practice.measures.services import partners_unsafe_by_email
from practice.outbox import services as outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    partner: Partner
    assignments: list[Assignment]


def due_today(today: date) -> list[Reminder]:
    """Partners with a portal sign-in who still have something to do today, not yet reminded."""
    assignments = db.session.scalars(
        select(Assignment)
        .join(Couple, Couple.id == Assignment.couple_id)
        .where(
            Couple.status == CoupleStatus.ACTIVE,
            Assignment.closed_at.is_(None),
            Assignment.start_on <= today,
            Assignment.due_on >= today,
        )
        .options(
            selectinload(Assignment.version),
            selectinload(Assignment.completions),
            selectinload(Assignment.couple)
            .selectinload(Couple.partners)
            .selectinload(Partner.user),
        )
    ).all()
    already = set(
        db.session.execute(
            select(ReminderSent.partner_id, ReminderSent.assignment_id).where(
                ReminderSent.for_day == today
            )
        ).all()
    )
    by_partner: dict[int, Reminder] = {}
    for assignment in assignments:
        for partner in assignment.couple.partners:
            if not _reachable(partner) or assignment.partner_id not in (None, partner.id):
                continue
            if (partner.id, assignment.id) in already or _done_for_now(assignment, partner, today):
                continue
            by_partner.setdefault(partner.id, Reminder(partner, [])).assignments.append(assignment)
    # A partner who said e-mail is not safe for them gets no reminder by e-mail, ever.
    unsafe = partners_unsafe_by_email(list(by_partner))
    return [reminder for reminder in by_partner.values() if reminder.partner.id not in unsafe]


def _reachable(partner: Partner) -> bool:
    user: User | None = partner.user
    return user is not None and user.is_active and user.password_hash is not None


def _done_for_now(assignment: Assignment, partner: Partner, today: date) -> bool:
    who = schedule.answerer_of(assignment, partner.id)
    progress = schedule.adherence_of(assignment, who, today)
    return progress.this_period_done >= progress.this_period_expected


def message_for(reminder: Reminder, *, portal_url: str) -> tuple[str, str, str]:
    """The reminder's recipient, subject and text: exercise titles and a link, nothing more."""
    titles = "\n".join(f"- {a.version.title}" for a in reminder.assignments)
    body = (
        f"Hello {reminder.partner.name},\n\n"
        f"These exercises are waiting for you today:\n{titles}\n\n"
        f"Open your portal to do them: {portal_url}\n\n"
        "You get this e-mail because your counselor set up reminders. "
        "Reply to your counselor if you would rather not receive them.\n"
    )
    return reminder.partner.user.email, "A reminder from your counselor's practice", body


def queue_due(today: date, base_url: str) -> int:
    """Put today's reminders in the outbox (each partner and exercise once a day); return
    how many e-mails were queued. They are sent after the commit, by the outbox."""
    portal_url = base_url.rstrip("/") + "/portal/"
    reminders = due_today(today)
    for reminder in reminders:
        outbox.enqueue(*message_for(reminder, portal_url=portal_url))
        for assignment in reminder.assignments:
            db.session.add(
                ReminderSent(
                    partner_id=reminder.partner.id, assignment_id=assignment.id, for_day=today
                )
            )
        log.info("reminder queued for partner %s", reminder.partner.id)
    db.session.flush()
    return len(reminders)
