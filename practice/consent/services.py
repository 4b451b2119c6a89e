from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from practice import db
from practice.accounts.models import User
from practice.audit import services as audit
from practice.consent.default import DEFAULT_BODY, DEFAULT_POLICY
from practice.consent.models import (
    ConsentSignature,
    ConsentVersion,
    SecretsPolicy,
    fingerprint,
    full_text,
)
from practice.couples.models import Partner
from practice.unit_of_work import UserError


class ConsentChanged(UserError):
    """The consent was changed while a partner was reading it."""


class NothingChanged(UserError):
    """A new version must differ from the current one."""


def current_version() -> ConsentVersion | None:
    """The consent in force: the latest version the practice published."""
    return db.session.scalar(select(ConsentVersion).order_by(ConsentVersion.number.desc()))


def current_or_default() -> ConsentVersion:
    """The consent in force, or the project's own (version 1, not yet stored) until the
    practice publishes one; it is stored when the first partner signs it."""
    return current_version() or _version(1, DEFAULT_POLICY, DEFAULT_BODY, None)


def _version(number: int, policy: SecretsPolicy, body: str, actor: User | None) -> ConsentVersion:
    return ConsentVersion(
        number=number,
        secrets_policy=policy,
        body=body,
        sha256=fingerprint(full_text(body, policy)),
        created_by_id=actor.id if actor else None,
    )


def publish(policy: SecretsPolicy, body: str, actor: User) -> ConsentVersion:
    """Make a new version of the consent; every partner is asked to sign it again."""
    current = current_or_default()
    body = body.strip().replace("\r\n", "\n")
    if current.secrets_policy is policy and current.body == body:
        raise NothingChanged("This is the consent already in force: change the text or the policy.")
    number = current.number + 1 if current.id is not None else 2
    if current.id is None:
        # The project's default was in force though never signed: keep it as version 1, so
        # that the history of versions has no gap.
        db.session.add(current)
    version = _version(number, policy, body, actor)
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "consent.publish", actor)
    return version


def versions() -> list[ConsentVersion]:
    return list(db.session.scalars(select(ConsentVersion).order_by(ConsentVersion.number.desc())))


def signature_of(partner: Partner, version: ConsentVersion) -> ConsentSignature | None:
    if version.id is None:
        return None
    return db.session.scalar(
        select(ConsentSignature).where(
            ConsentSignature.partner_id == partner.id, ConsentSignature.version_id == version.id
        )
    )


def names_match(typed: str, name: str) -> bool:
    """A typed name matches the name on record, whatever its case and spacing."""
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


def sign(
    partner: Partner, number: int, seen_sha256: str, typed_name: str, today: date, actor: User
) -> ConsentSignature:
    """Record a partner's signature of the version they read; refuse if it is no longer the
    one in force (the text changed while they read it)."""
    if partner.user_id != actor.id:
        raise PermissionError("a partner signs the consent for themselves")
    version = current_or_default()
    if version.number != number or version.sha256 != seen_sha256:
        raise ConsentChanged(
            "The practice changed its consent while you were reading it. Please read this "
            "version and sign it."
        )
    existing = signature_of(partner, version)
    if existing is not None:
        return existing
    if version.id is None:
        db.session.add(version)
        db.session.flush()
    signature = ConsentSignature(
        couple_id=partner.couple_id,
        partner_id=partner.id,
        version_id=version.id,
        typed_name=" ".join(typed_name.split()),
        signed_on=today,
        text_sha256=version.sha256,
    )
    db.session.add(signature)
    db.session.flush()
    audit.record(actor, "consent.sign", signature)
    return signature


def signed_current(couple_ids: Sequence[int]) -> dict[int, int]:
    """For each couple, how many partners have signed the consent in force (one query)."""
    if not couple_ids:
        return {}
    latest = select(func.max(ConsentVersion.number)).scalar_subquery()
    rows = db.session.execute(
        select(ConsentSignature.couple_id, func.count(ConsentSignature.id))
        .join(ConsentVersion, ConsentVersion.id == ConsentSignature.version_id)
        .where(ConsentSignature.couple_id.in_(couple_ids), ConsentVersion.number == latest)
        .group_by(ConsentSignature.couple_id)
    )
    return {couple_id: count for couple_id, count in rows}


def signatures_of_couple(couple_id: int) -> list[ConsentSignature]:
    """Every signature of the couple's partners, newest first, with the versions signed."""
    return list(
        db.session.scalars(
            select(ConsentSignature)
            .where(ConsentSignature.couple_id == couple_id)
            .options(joinedload(ConsentSignature.version))
            .order_by(ConsentSignature.signed_at.desc())
        )
    )
