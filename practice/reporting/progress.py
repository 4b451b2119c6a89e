"""The couple progress report for a period: attendance, measures, homework, agreements,
notes, referrals and safety."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from practice import clock, db
from practice.agreements import services as agreements
from practice.appointments.models import Appointment, Attendance, ProgressNote
from practice.clock import to_local
from practice.framework import AREAS_BY_KEY
from practice.homework import schedule
from practice.homework import services as homework
from practice.measures import charts, scoring
from practice.measures.definitions import PROGRESS_MEASURES
from practice.measures.models import MeasureResponse
from practice.measures.services import endorsed_items, safety_screens_of
from practice.plans import services as plans
from practice.referrals.services import referrals_of
from practice.reporting.forms import CLINICAL, OUTSIDE, PURPOSE_DETAILS, PURPOSES
from practice.reporting.render import ASSET_BASE
from practice.reporting.services import DAY, WHEN


def measures_section(couple, start: date, end: date) -> tuple[list[dict], dict[str, bytes]]:
    """Each progress measure for a period: a table, a chart, change and divergence flags."""

    def within(day: date) -> bool:
        return start <= day <= end

    responses = [
        r
        for r in db.session.scalars(
            select(MeasureResponse)
            .where(MeasureResponse.couple_id == couple.id)
            .order_by(MeasureResponse.taken_on, MeasureResponse.id)
        )
        if within(r.taken_on)
    ]
    extra: dict[str, bytes] = {}
    measures = []
    for measure in PROGRESS_MEASURES:
        series = []
        rows = []
        latest = {}
        for partner in couple.partners:
            mine = [
                r for r in responses if r.measure_key == measure.key and r.partner_id == partner.id
            ]
            series.append((partner.name, tuple((r.taken_on, r.total) for r in mine)))
            if mine:
                change = scoring.change(measure, mine[0].total, mine[-1].total)
                latest[partner.id] = mine[-1]
                rows.append(
                    {
                        "partner": partner.name,
                        "first": f"{mine[0].total:g}",
                        "latest": f"{mine[-1].total:g}",
                        "change": f"{change.difference:+g}",
                        "count": len(mine),
                    }
                )
            else:
                rows.append(
                    {
                        "partner": partner.name,
                        "first": "—",
                        "latest": "—",
                        "change": "—",
                        "count": 0,
                    }
                )
        flags = []
        if len(latest) == 2:
            one, other = latest.values()
            if scoring.totals_diverge(measure, one.total, other.total):
                flags.append(
                    f"The partners' latest scores are {measure.divergence:g} or more apart."
                )
            items = scoring.diverging_items(measure, one.answers, other.answers)
            if items:
                names = [item.short for item in measure.items if item.key in items]
                flags.append(
                    f"They differ by {measure.item_divergence:g} or more on: {', '.join(names)}."
                )
        chart_url = None
        if any(points for _name, points in series):
            chart_url = f"{ASSET_BASE}generated/{measure.key}.svg"
            extra[chart_url] = charts.progress_chart(measure.key, tuple(series), True)
        measures.append(
            {
                "title": measure.title,
                "rows": rows,
                "flags": flags,
                "chart": chart_url,
                "cutoff": measure.cutoff_meaning,
                "source": measure.source if measure.citation_required else "",
            }
        )
    return measures, extra


def adherence_section(couple, start: date, end: date) -> list[dict]:
    """Homework done and missed in a period, by framework area and by who answers."""
    adherence_rows = []
    names = {p.id: p.name for p in couple.partners}
    by_area: dict[tuple[str, str], list[int]] = {}
    for assignment in homework.assignments_of(couple):
        if assignment.due_on < start or assignment.start_on > end:
            continue
        for who in schedule.answerers(assignment):
            result = schedule.adherence_of(assignment, who, min(end, clock.today()))
            key = (
                AREAS_BY_KEY[assignment.version.area].label,
                "Together" if who is None else names[who],
            )
            done, missed = by_area.get(key, [0, 0])
            by_area[key] = [done + result.done, missed + result.missed]
    for (area, who), (done, missed) in sorted(by_area.items()):
        due = done + missed
        adherence_rows.append(
            {
                "area": area,
                "who": who,
                "done": done,
                "missed": missed,
                "percent": f"{round(100 * done / due)}%" if due else "—",
            }
        )
    return adherence_rows


def agreements_section(couple) -> list[dict]:
    """Agreements in force, with who signed them and their text."""
    rows = []
    for agreement in agreements.agreements_of(couple.id):
        version = agreement.in_force
        if version is None:
            continue
        labels = {f["key"]: f["label"] for f in agreement.version.fields}
        rows.append(
            {
                "title": agreement.title,
                "signed": f"{version.proposed_by.name} and {version.accepted_by.name}",
                "revisit": agreement.revisit_on.strftime(DAY) if agreement.revisit_on else "",
                "content": [
                    (labels.get(k, k), ", ".join(v) if isinstance(v, list) else v)
                    for k, v in version.content.items()
                ],
            }
        )
    return rows


def baseline_of(couple) -> date:
    """The first day of a report by default: the first answer on record, as on the couple
    page, or the intake date before any."""
    first = db.session.scalar(
        select(func.min(MeasureResponse.taken_on)).where(MeasureResponse.couple_id == couple.id)
    )
    return min(first, clock.today()) if first else min(couple.intake_date, clock.today())


def plan_section(couple, *, shared_only: bool) -> dict[str, object] | None:
    """The treatment plan in force with each objective's status from the record."""
    plan = plans.plan_of(couple.id)
    if plan is None:
        return None
    goals = [g for g in plans.goal_views(couple, plan) if not (shared_only and g.partner)]
    return {
        "version": plan.current.number,
        "written": to_local(plan.current.written_at).strftime(DAY),
        "review": plan.review_on.strftime(DAY),
        "goals": [
            {
                "title": goal.title,
                "whose": goal.partner.name if goal.partner else "The couple",
                "objectives": [(o.status.label, o.wording, o.evidence) for o in goal.objectives],
            }
            for goal in goals
        ],
    }


def progress_context(
    couple, start: date, end: date, purpose: str = CLINICAL
) -> tuple[dict[str, object], dict[str, bytes]]:
    """Everything the progress report shows for a period, and the charts it embeds. For
    someone outside the practice it holds the minimum necessary: no safety section, no
    individual appointments (nor their notes), no goals of one partner alone (and, like every
    report, no answer a partner kept for the counselor)."""
    outside = purpose == OUTSIDE

    def within(day: date) -> bool:
        return start <= day <= end

    appointments = [
        a
        for a in db.session.scalars(
            select(Appointment)
            .where(Appointment.couple_id == couple.id)
            .options(selectinload(Appointment.note).selectinload(ProgressNote.addenda))
            .order_by(Appointment.starts_at)
        )
        if within(to_local(a.starts_at).date())
        and not (outside and a.individual_partner_id is not None)
    ]
    attended = sum(a.attendance in (Attendance.BOTH, Attendance.ONE_PARTNER) for a in appointments)
    measures, extra = measures_section(couple, start, end)
    adherence_rows = adherence_section(couple, start, end)
    agreements = agreements_section(couple)
    notes = [
        {
            "when": to_local(a.starts_at).strftime(DAY),
            "assessment": a.note.assessment,
            "plan": a.note.plan,
            "addenda": [
                {"when": to_local(x.signed_at).strftime(DAY), "reason": x.reason, "body": x.body}
                for x in a.note.addenda
            ],
        }
        for a in appointments
        if a.note is not None and a.note.is_signed
    ]
    referral_rows = [
        {
            "service": r.service_name,
            "for_whom": r.partner.name if r.partner else "the couple",
            "status": r.status.label,
            "when": to_local(r.events[-1].at).strftime(DAY),
        }
        for r in referrals_of(couple)
    ]
    safety = [
        {
            "when": to_local(s.taken_at).strftime(DAY),
            "partner": s.partner.name,
            "result": (
                "positive: "
                + "; ".join(endorsed_items(s))
                + (f"; followed up {to_local(s.reviewed_at):%d %b %Y}" if s.reviewed_at else "")
            )
            if s.positive
            else "no concerns answered",
        }
        for s in safety_screens_of(couple)
        if within(to_local(s.taken_at).date())
    ]
    context = {
        "couple_name": couple.display_name,
        "period": f"{start:%d %b %Y} to {end:%d %b %Y}",
        "counselor": couple.counselor.name,
        "status": couple.status.label,
        "goals": couple.goals,
        "attendance": {
            "summary": f"{attended} of {len(appointments)} appointments attended.",
            "rows": [
                {
                    "when": to_local(a.starts_at).strftime(WHEN),
                    "format": a.format.label,
                    "attendance": a.attendance_label,
                }
                for a in appointments
            ],
        },
        "measures": measures,
        "adherence": adherence_rows,
        "agreements": agreements,
        "notes": notes,
        "referrals": referral_rows,
        "safety": None if outside else safety,
        "purpose": PURPOSES[purpose],
        "purpose_detail": PURPOSE_DETAILS[purpose],
        "plan": plan_section(couple, shared_only=outside),
    }
    return context, extra
