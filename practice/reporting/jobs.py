"""PDF reports made by a worker process, so that no web server is held up while one renders.

With ``REDIS_URL`` set, a report page reads its data (quickly), hands the rendering to the
``reports`` queue (RQ) and answers at once with a page that follows its progress; a separate
``practice worker`` renders it, records it, and leaves it for the person who asked, for ten
minutes. Without Redis, reports are made in the request, as before.

What crosses Redis holds client data (the report's content, then the PDF), so both are
sealed with AES-GCM under the practice's data key, as the database's text is: Redis only ever
holds ciphertext, and what the worker opens is known to be what the app sealed.
"""

from __future__ import annotations

import base64
import pickle
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from practice import crypto, db
from practice.accounts.models import User
from practice.reporting import services

KEPT_SECONDS = 600  # a finished report waits this long to be downloaded
RENDER_LIMIT_SECONDS = 300
JOB_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PURPOSE = "report_job"


@dataclass(frozen=True)
class Order:
    """Everything the worker needs to make a report and record who asked for it."""

    kind: str
    filename: str
    context: dict[str, Any]
    extra: dict[str, bytes] | None
    actor_id: int
    subject_id: int | None
    period: tuple[date | None, date | None]
    couple_id: int | None
    purpose: str | None = None  # a default, so that orders queued before it still open


@dataclass(frozen=True)
class Progress:
    state: str  # "waiting", "ready" or "failed"
    ahead: int = 0  # reports queued before this one
    report: services.Report | None = None


def enabled(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("REDIS_URL"))


def connection(app: Flask | None = None) -> Redis:
    app = app or current_app
    if "practice.redis" not in app.extensions:
        app.extensions["practice.redis"] = Redis.from_url(app.config["REDIS_URL"])
    return app.extensions["practice.redis"]


def queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(app.config["REPORT_QUEUE"], connection=connection(app))


def _seal(value: object) -> str:
    return crypto.keyring().encrypt(base64.b64encode(pickle.dumps(value)).decode(), PURPOSE)


def _unseal(sealed: str) -> Any:
    # Authenticated encryption: only what this practice sealed opens, so unpickling it is safe.
    return pickle.loads(base64.b64decode(crypto.keyring().decrypt(sealed, PURPOSE)))  # noqa: S301


def submit(order: Order) -> str:
    """Queue a report; return the id its progress page is found by."""
    job = queue().enqueue(
        make_report,
        _seal(order),
        job_timeout=RENDER_LIMIT_SECONDS,
        result_ttl=KEPT_SECONDS,
        failure_ttl=KEPT_SECONDS,
        meta={"actor": order.actor_id},
    )
    return job.id


def make_report(sealed: str) -> str:
    """Run by the worker: render, record (with the audit entry), and seal the PDF."""
    order: Order = _unseal(sealed)
    with current_app.app_context():  # a database session of its own for each report
        report = services.build(order.kind, order.filename, order.context, order.extra)
        actor = db.session.get(User, order.actor_id)
        services.record(
            report,
            actor,
            order.subject_id,
            order.period,
            couple_id=order.couple_id,
            purpose=order.purpose,
        )
        db.session.commit()
    return _seal(report)


def progress(job_id: str, actor_id: int) -> Progress | None:
    """Where the report stands, or None if there is no such report of this person's."""
    if not enabled() or not JOB_ID.fullmatch(job_id):
        return None
    try:
        job = Job.fetch(job_id, connection=connection())
    except NoSuchJobError:
        return None
    if job.meta.get("actor") != actor_id:
        return None  # somebody else's report: as if there were none
    status = job.get_status()
    if status == JobStatus.FINISHED:
        return Progress("ready", report=_unseal(job.return_value()))
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        return Progress("failed")
    position = job.get_position()
    return Progress("waiting", ahead=position or 0)
