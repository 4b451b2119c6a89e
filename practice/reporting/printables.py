"""What partners take home on paper: exercise worksheets and handouts of services."""

from __future__ import annotations

from practice.reporting.services import Report, build


def worksheet_context(version, assignment=None) -> dict[str, object]:
    """A blank form of an exercise version, with the assignment's details when there is one."""
    context: dict[str, object] = {
        "title": version.title,
        "for_whom": "Exercise worksheet",
        "dates": None,
        "minutes": version.minutes,
        "rhythm": version.rhythm.label.lower(),
        "mode": version.mode.label,
        "purpose": version.purpose,
        "note": None,
        "instructions": version.instructions,
        "fields": version.fields,
    }
    if assignment is not None:
        context["for_whom"] = (
            assignment.partner.name if assignment.partner else assignment.couple.display_name
        )
        context["dates"] = f"{assignment.start_on:%d %b %Y} to {assignment.due_on:%d %b %Y}"
        context["rhythm"] = assignment.rhythm.label.lower()
        context["note"] = assignment.note or None
    return context


def worksheet(version, assignment=None) -> Report:
    name = f"worksheet-{version.exercise_id}-v{version.number}.pdf"
    return build("worksheet", name, worksheet_context(version, assignment))


def handout_context(services_listed, for_whom: str, counselor: str) -> dict[str, object]:
    """Chosen services with how to reach them, for partners to take home."""
    return {
        "for_whom": for_whom,
        "counselor": counselor,
        "services": [
            {
                "name": service.name,
                "organization": service.organization,
                "description": service.description,
                "addresses": [place.address for place in service.locations if place.address],
                "online": service.online,
                "phones": list(dict.fromkeys(service.phones)),
                "email": service.email,
                "url": service.url,
                "hours": service.hours,
                "languages": service.languages,
                "fees": service.fees,
            }
            for service in services_listed
        ],
    }
