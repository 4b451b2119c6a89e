"""The consent the project ships, in its own words, until the practice writes its own."""

from practice.consent.models import SecretsPolicy

DEFAULT_POLICY = SecretsPolicy.LIMITED


def _unwrapped(text: str) -> str:
    """The text with each paragraph on one line: it is wrapped here for reading the source,
    and shown with its line breaks kept, so a phone would show the source's breaks."""
    return "\n\n".join(" ".join(block.split()) for block in text.strip().split("\n\n"))


DEFAULT_BODY = _unwrapped(
    """\
Agreement to couples counselling

What the work involves

Couples counselling is joint work: most appointments are with both of you, and your counselor
may also meet each of you alone. Between appointments you may be asked to try exercises, answer
short questionnaires and make agreements together through this portal. You may ask questions
about the approach at any time, and either of you may stop at any time.

What we keep, and who reads it

Your counselor keeps notes of each appointment, your answers and the questionnaires you fill
in. They are stored encrypted and read only by your counselor and, when needed, by the
practice's administrator for running the service. You may ask for a copy of your record.

Confidentiality and its limits

What you share stays within the practice, with these exceptions required by law or safety:
when someone is at serious risk of harm, when a child or a vulnerable adult is being harmed,
and when a court orders the record to be released. Where possible, your counselor will talk
with you before acting.

Safety

Each of you can answer a private safety check that only your counselor sees. If there is
violence or fear at home, your counselor may suggest individual appointments or other help
before any further joint work.

Messages and appointments

The portal and e-mail reminders are convenient but not suited to emergencies. In an
emergency call 911. Please give notice if you cannot come to an appointment.

Your agreement

By typing your full name below you confirm that you have read this agreement, had the chance
to ask about it, and agree to take part in couples counselling on these terms."""
)
