"""One benchmark run: start the server, sign in, check every page, then load, interleaved.

Every round measures every page at every connection count, the ceiling among them, and each
round takes the pages in a different order: whatever else the machine does meanwhile (a CI
job, a backup) falls on all pages alike, and a page's share of the ceiling compares two
figures taken a few seconds apart.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import make_url

from practice.bench import BenchError
from practice.bench.accounts import Accounts
from practice.bench.alongside import ReportsAlongside
from practice.bench.browser import Browser, sign_in
from practice.bench.load import Measurement, drive, prepare
from practice.bench.pages import COUNSELOR, LARGE_COUNSELOR, PARTNER, Page, Search, pages
from practice.bench.queries import queries_of
from practice.bench.server import Server
from practice.db import get_database

# How each account is named in messages: never by its address (a partner's is a client's).
WHO = {
    COUNSELOR: "the counselor with a typical caseload",
    LARGE_COUNSELOR: "the counselor with the largest caseload",
    PARTNER: "the partner",
}


@dataclass(frozen=True)
class Settings:
    connections: tuple[int, ...]
    rounds: int
    seconds: float
    warmup: float
    workers: int
    search: Search


@dataclass
class Results:
    settings: Settings
    environment: str  # PRACTICE_ENV
    database: str  # sqlite or postgresql: the URL itself may carry a password
    server_command: list[str] = field(default_factory=list)
    started_in: float = 0.0
    pages: list[Page] = field(default_factory=list)
    queries: dict[str, int] = field(default_factory=dict)
    # (page name, connections) → one measurement per round, in order
    runs: dict[tuple[str, int], list[Measurement]] = field(default_factory=dict)
    # (page name, connections) → (reports made, reports that failed) alongside, per round
    alongside: dict[tuple[str, int], list[tuple[int, int]]] = field(default_factory=dict)
    memory_before: dict[int, float] = field(default_factory=dict)
    memory_after: dict[int, float] = field(default_factory=dict)


def duration(settings: Settings) -> float:
    """Roughly how long the load lasts, in seconds (start-up and sign-in aside)."""
    per_page = settings.warmup + settings.rounds * len(settings.connections) * settings.seconds
    return len(pages(1, COUNSELOR, settings.search)) * per_page


def run(
    app: Flask,
    accounts: Accounts,
    passwords: dict[str, str],
    settings: Settings,
    progress: Callable[[str], None],
) -> Results:
    """Measure every page; ``app`` (built from the same settings as the server) counts queries.
    ``passwords`` holds the staff accounts' password and the partner's."""
    results = Results(
        settings=settings,
        environment=app.config["PRACTICE_ENV"],
        database=make_url(app.config["DATABASE_URL"]).get_backend_name(),
    )
    with tempfile.TemporaryDirectory(prefix="practice-bench-") as workdir:
        server = Server(settings.workers, Path(workdir))
        results.server_command = server.command
        started = False
        try:
            results.started_in = server.start()  # says itself why it could not
            started = True
            progress(f"server up in {results.started_in:.1f} s on port {server.port}")
            browsers = _sign_in_everyone(server.port, accounts, passwords)
            progress("signed in: two counselors and a partner")
            owner = _owner_of(browsers, accounts.couple)
            results.pages = pages(accounts.couple, owner, settings.search)
            _check(server.port, results.pages, browsers)
            results.queries = _count_queries(app, results.pages, browsers)
            results.memory_before = server.worker_memory()
            _load(server.port, results, browsers, progress)
            results.memory_after = server.worker_memory()
        except BenchError as error:
            if not started:
                raise
            # What the server logged says why a page failed (paths and errors only, never
            # what anyone wrote: see practice/logs.py).
            tail = server.log_tail()
            raise BenchError(f"{error}\nLast lines of the server's log:\n{tail}") from None
        finally:
            server.stop()
    return results


def _sign_in_everyone(
    port: int, accounts: Accounts, passwords: dict[str, str]
) -> dict[str, Browser]:
    # Once per account: a two-factor code is taken once per 30-second step, and one session
    # (one cookie) serves every connection of the load.
    browsers = {}
    for who, email in (
        (COUNSELOR, accounts.counselor),
        (LARGE_COUNSELOR, accounts.large_counselor),
        (PARTNER, accounts.partner),
    ):
        browsers[who] = Browser(port)
        password = passwords["partner" if who == PARTNER else "staff"]
        sign_in(browsers[who], email, password, accounts.two_factor_key, WHO[who])
    return browsers


def _owner_of(browsers: dict[str, Browser], couple: int) -> str:
    """Which of the two counselors has the couple (another counselor's couple is a 404)."""
    statuses = []
    for who in (COUNSELOR, LARGE_COUNSELOR):
        status = browsers[who].get(f"/couples/{couple}").status
        if status == 200:
            return who
        statuses.append(str(status))
    raise BenchError(
        f"Couple {couple} is in neither counselor's caseload (HTTP {', '.join(statuses)})."
    )


def _check(port: int, checked: list[Page], browsers: dict[str, Browser]) -> None:
    """Every page answers 2xx before it is measured: a page that does not is a setting to fix,
    not a figure. Reading each page once also takes any message waiting in the session, so the
    cookie the load sends is the one a reader's browser would hold."""
    for page in checked:
        browser = browsers[page.who] if page.who else Browser(port)
        reply = browser.get(page.path)
        if not 200 <= reply.status < 300:
            who = WHO.get(page.who, "nobody signed in")
            raise BenchError(f"GET {page.path} as {who} answered HTTP {reply.status}.")


def _count_queries(app: Flask, counted: list[Page], browsers: dict[str, Browser]) -> dict[str, int]:
    # No app context around the requests: each pushes its own, so that nothing (the signed-in
    # user, the database session) carries over from one account's request to the next.
    try:
        return {
            page.name: queries_of(app, page.path, browsers[page.who].cookies if page.who else {})
            for page in counted
        }
    finally:
        get_database(app).engine.dispose()


def _load(
    port: int, results: Results, browsers: dict[str, Browser], progress: Callable[[str], None]
) -> None:
    settings = results.settings
    requests = {
        page.name: prepare(
            port, page.path, browsers[page.who].cookie_header() if page.who else None
        )
        for page in results.pages
    }
    if settings.warmup > 0:
        progress(f"warming up: {settings.warmup:g} s per page")
        for page in results.pages:
            drive(port, requests[page.name], max(settings.connections), settings.warmup)
    for number in range(settings.rounds):
        turn = number % len(results.pages)
        order = results.pages[turn:] + results.pages[:turn]
        for connections in settings.connections:
            figures = []
            for page in order:
                if page.alongside is None:
                    measured = drive(port, requests[page.name], connections, settings.seconds)
                else:
                    reports = ReportsAlongside(browsers[page.alongside_who], page.alongside)
                    with reports:
                        measured = drive(port, requests[page.name], connections, settings.seconds)
                    made = results.alongside.setdefault((page.name, connections), [])
                    made.append((reports.made, reports.failed))
                results.runs.setdefault((page.name, connections), []).append(measured)
                figures.append(f"{page.name} {measured.rate:.0f}")
            progress(
                f"round {number + 1}/{settings.rounds}, {connections} connections, req/s: "
                + ", ".join(figures)
            )
