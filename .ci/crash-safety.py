#!/usr/bin/env python3
"""Crash safety: no write the server acknowledged is lost when the server is killed.

What it shows. A client that got "saved" from Practice keeps that promise even if the server
dies the next instant: the write is in the database once the server has answered, whatever
happens to the server afterwards, and the database is not damaged by the crash.

How. For each database (a new SQLite file, or a new PostgreSQL database that is dropped at the
end), the script migrates it with `practice db upgrade`, creates a counselor with
`practice user create`, and starts the server as production does: `practice serve` (gunicorn,
two workers) in its own process group. It signs in over HTTP as the counselor would, then
runs rounds. In each round three writer threads open cases through the real form
(POST /couples/new, CSRF token included), each with a partner name of its own such as
"Crash R03 W0042"; after about a second, with writes still in flight, the whole process group
(master and workers) is killed with SIGKILL. The script waits for every process of the group
to be gone, starts the server again on the same database, waits until GET /sign-in answers,
and goes on, signing in again only if the session did not survive the restart (sessions live
in the database, so it normally does). A write counts as acknowledged only when the server
answered with its success redirect, 302 to /couples/<id>; the id and the name are noted as
soon as that status line and header are read, even if the rest of the reply is cut off.

After the last round the server is stopped and the database opened directly (sqlite3,
psycopg). Every acknowledged case must be there under its id with both partners' names; a
case must be whole (both partners, its "opened" history event, its audit entry); nothing may
appear that was never sent, and nothing twice. Integrity: on SQLite `PRAGMA integrity_check`
must say ok and `PRAGMA foreign_key_check` find nothing; on PostgreSQL amcheck checks every
btree index of the public schema (bt_index_check with heapallindexed) and every table
(verify_heapam); without amcheck, each table is counted instead, which shows only that it can
be read. On both, `practice audit verify` must find the audit log's hash chain intact.

Why production. PRACTICE_ENV=production is what runs for real, and it can be driven here: the
script sets SECRET_KEY, an encryption key from `practice keys new`, and Redis for the sign-in
throttle (memory:// when Redis does not answer). Its session cookie is marked Secure, for https
behind a proxy, so the script keeps cookies by hand over plain http (http.cookiejar would
never send a Secure cookie to http://); and staff must use two-factor sign-in, so the script
sets up a code generator the way a new counselor does and computes the codes with pyotp. Two
more details: the writers send the cookie as it was after sign-in and do not keep the one each
success returns, because that one carries the "added to your caseload" message, and messages
nobody reads would pile up in the cookie until the server refused it as too large; and
XDG_RUNTIME_DIR points into the temporary folder, so gunicorn's control socket stays there
instead of in the home folder.

Usage: .venv/bin/python .ci/crash-safety.py [--rounds 20] [--database sqlite|postgresql|both]
Exit status 0 only if, on every database, no acknowledged write is lost and every check
passes.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pyotp
from psycopg import sql

from practice import clock
from practice.config import SETTINGS

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = ("127.0.0.1", 6379)
REDIS_DATABASE = 9
PRACTICE = Path(sys.executable).with_name("practice")  # the virtualenv's own command
WORKERS = 2  # gunicorn workers, as `practice serve` starts by default
WRITERS = 3  # threads writing at once, so that some writes are in flight at the kill
REQUEST_TIMEOUT = 20.0  # seconds; a request the kill cuts off fails long before this
START_TIMEOUT = 60.0  # seconds for a (re)started server to answer GET /sign-in
SUCCESS = re.compile(r"^/couples/(\d+)$")
CSRF = re.compile(rb'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')
TWO_FACTOR_KEY = re.compile(rb'id="two-factor-key">([A-Z2-7 ]+)<')
NAME_PREFIX = "Crash R"  # every partner name this script writes starts so
# How long each round writes before the kill: 0.6 to 1.2 s, varied so that the kill lands at
# a different point of a request each time, the same way on every run.
KILL_AFTER = [0.6 + 0.6 * ((7 * n) % 20) / 19 for n in range(20)]


class Failure(RuntimeError):
    """The check could not be carried out (not a lost write: those are counted)."""


# --- HTTP -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    location: str  # the path of a redirect, or ""
    body: bytes


class Client:
    """One browser: its cookies, kept by hand (the production cookie is Secure; see above)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        *,
        cookies: dict[str, str] | None = None,
        keep_cookies: bool = True,
        on_headers: Callable[[int, str], None] | None = None,
        connection: http.client.HTTPConnection | None = None,
    ) -> Reply:
        """One request, on ``connection`` or a new one (gunicorn's sync workers close each
        connection after one request anyway)."""
        jar = self.cookies if cookies is None else cookies
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            location = urlsplit(response.getheader("Location", "")).path
            if on_headers is not None:
                on_headers(response.status, location)
            if keep_cookies:
                for name, value in response.getheaders():
                    if name.lower() == "set-cookie":
                        key, _, rest = value.partition("=")
                        self.cookies[key] = rest.split(";", 1)[0]
            return Reply(response.status, location, response.read())
        finally:
            connection.close()

    def get(self, path: str) -> Reply:
        return self.send("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Reply:
        return self.send("POST", path, form)


def csrf_token(reply: Reply, what: str) -> str:
    match = CSRF.search(reply.body)
    if reply.status != 200 or match is None:
        raise Failure(f"{what}: expected a form with a CSRF token, got HTTP {reply.status}")
    return match[1].decode()


class Counselor:
    """Signs in as the counselor (with the second factor production requires of staff) and
    holds what the writers need: the signed-in cookie and the form's CSRF token."""

    def __init__(self, client: Client, email: str, password: str) -> None:
        self.client = client
        self.email = email
        self.password = password
        self.totp: pyotp.TOTP | None = None
        self.last_step: int | None = None  # the server refuses a time step used before
        self.csrf = ""
        self.cookies: dict[str, str] = {}
        self.sign_ins = 0

    def sign_in(self) -> None:
        client = self.client
        client.cookies.clear()
        token = csrf_token(client.get("/sign-in"), "GET /sign-in")
        reply = client.post(
            "/sign-in", {"csrf_token": token, "email": self.email, "password": self.password}
        )
        refused = reply.location.startswith("/sign-in") and reply.location != "/sign-in/code"
        if reply.status != 302 or refused:
            raise Failure(f"POST /sign-in: expected a redirect, got HTTP {reply.status}")
        if reply.location == "/sign-in/code":
            page = client.get("/sign-in/code")
            if page.status == 302 and page.location == "/sign-in/two-factor":
                self._set_up_second_factor()
            else:
                self._enter_code(csrf_token(page, "GET /sign-in/code"))
        self.sign_ins += 1
        if not self.open_form():
            raise Failure("signed in, yet GET /couples/new does not show the form")

    def _set_up_second_factor(self) -> None:
        page = self.client.get("/sign-in/two-factor")
        key = TWO_FACTOR_KEY.search(page.body)
        if key is None:
            raise Failure(f"GET /sign-in/two-factor: no key on the page (HTTP {page.status})")
        self.totp = pyotp.TOTP(key[1].decode().replace(" ", ""))
        step = self.totp.timecode(clock.now())
        reply = self.client.post(
            "/sign-in/two-factor",
            {
                "csrf_token": csrf_token(page, "GET /sign-in/two-factor"),
                "code": self.totp.generate_otp(step),
            },
        )
        if reply.status != 302 or not reply.location.startswith("/account/recovery-codes"):
            raise Failure(f"POST /sign-in/two-factor: HTTP {reply.status} {reply.location}")
        self.last_step = step
        self.client.get("/account/recovery-codes")  # shown once; this script does not need them

    def _enter_code(self, token: str) -> None:
        if self.totp is None:
            raise Failure("the server asks for a code, but no second factor was set up here")
        step = self._next_step()
        reply = self.client.post(
            "/sign-in/code", {"csrf_token": token, "code": self.totp.generate_otp(step)}
        )
        if reply.status != 302 or reply.location.startswith("/sign-in"):
            raise Failure(f"POST /sign-in/code: HTTP {reply.status} {reply.location}")
        self.last_step = step

    def _next_step(self) -> int:
        """A time step the server takes (it allows one either side of now) and has not seen."""
        assert self.totp is not None
        while True:
            current = self.totp.timecode(clock.now())
            step = current if self.last_step is None else max(current, self.last_step + 1)
            if step <= current + 1:
                return step
            time.sleep(1)

    def open_form(self) -> bool:
        """Read the new-couple form; False when the server wants a sign-in first."""
        reply = self.client.get("/couples/new")
        if reply.status == 302 and reply.location.startswith("/sign-in"):
            return False
        self.csrf = csrf_token(reply, "GET /couples/new")
        missing = [
            name for name in couple_form("", "x") if f'name="{name}"'.encode() not in reply.body
        ]
        if missing:
            raise Failure(f"the new-couple form has no field named {', '.join(missing)}")
        self.cookies = dict(self.client.cookies)
        return True


def couple_form(csrf: str, name: str) -> dict[str, str]:
    """A new case for two fictional partners, the first named ``name``."""
    return {
        "csrf_token": csrf,
        "partner_a-name": name,
        "partner_a-pronouns": "",
        "partner_a-email": "",
        "partner_a-phone": "",
        "partner_b-name": f"{name} B",
        "partner_b-pronouns": "",
        "partner_b-email": "",
        "partner_b-phone": "",
        "presenting_concerns": "Written by the crash-safety check.",
        "goals": "",
        "intake_date": clock.now().date().isoformat(),
        "zip_code": "",
        "status": "active",
        "closed_on": "",
        "closing_reason": "",
    }


# --- the writers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acknowledged:
    round: int
    couple_id: int
    name: str


@dataclass
class Stream:
    """What the writers sent and what the server acknowledged, for one database."""

    port: int
    sent: set[str] = field(default_factory=set)
    acknowledged: list[Acknowledged] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    number: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_name(self, round_number: int) -> str:
        with self.lock:
            self.number += 1
            return f"{NAME_PREFIX}{round_number:02d} W{self.number:04d}"

    def note(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1


def write_until_stopped(
    stream: Stream,
    counselor: Counselor,
    round_number: int,
    killed: threading.Event,
    stop: threading.Event,
) -> None:
    client = Client(stream.port)
    cookies, csrf = dict(counselor.cookies), counselor.csrf
    while not stop.is_set():
        name = stream.next_name(round_number)
        connection = http.client.HTTPConnection("127.0.0.1", stream.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.connect()  # refused once the server is dead: nothing was sent
        except OSError:
            connection.close()
            stop.wait(0.01)
            continue
        acknowledged: list[int] = []

        def on_headers(status: int, location: str, acknowledged: list[int] = acknowledged) -> None:
            # Acknowledged the moment the success redirect is read, as a browser would take it.
            match = SUCCESS.match(location)
            if status == 302 and match:
                acknowledged.append(int(match[1]))

        with stream.lock:
            stream.sent.add(name)
            stream.in_flight += 1
        try:
            reply = client.send(
                "POST",
                "/couples/new",
                couple_form(csrf, name),
                cookies=cookies,
                keep_cookies=False,  # the answer's cookie carries a message nobody reads
                on_headers=on_headers,
                connection=connection,
            )
            outcome = "acknowledged" if acknowledged else f"refused: HTTP {reply.status}"
            if reply.status == 302 and reply.location.startswith("/sign-in"):
                outcome = "refused: signed out"
        except (OSError, http.client.HTTPException):
            if acknowledged:
                outcome = "acknowledged (rest of the reply cut off)"
            elif killed.is_set():
                outcome = "cut off by the kill"
            else:
                outcome = "connection failed before the kill"
        finally:
            with stream.lock:
                stream.in_flight -= 1
                if acknowledged:
                    stream.acknowledged.append(Acknowledged(round_number, acknowledged[0], name))
        stream.note(outcome)
        if outcome == "refused: signed out":
            return  # the session ended; the next restart signs in again


# --- the server -----------------------------------------------------------------------------------


class Server:
    """`practice serve` in a process group of its own, so that one SIGKILL takes it all."""

    def __init__(self, env: dict[str, str], port: int, workdir: Path) -> None:
        self.env = env
        self.port = port
        self.workdir = workdir
        self.log_path = workdir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start the server and return the seconds until it answered GET /sign-in."""
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
                [
                    str(PRACTICE),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(WORKERS),
                ],
                env=self.env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        probe = Client(self.port)
        while time.monotonic() - started < START_TIMEOUT:
            if self.process.poll() is not None:
                raise Failure(
                    f"the server exited with {self.process.returncode}\n{self.log_tail()}"
                )
            with suppress(OSError, http.client.HTTPException):
                if probe.get("/sign-in").status == 200:
                    return time.monotonic() - started
            time.sleep(0.05)
        raise Failure(f"the server did not answer within {START_TIMEOUT:.0f} s\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL to the whole group, then wait until none of its processes is left."""
        self._signal_group(signal.SIGKILL, wait=10)

    def stop(self) -> None:
        """Stop as an operator would (SIGTERM); SIGKILL if it does not stop in time."""
        self._signal_group(signal.SIGTERM, wait=30)

    def _signal_group(self, signum: int, wait: float) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        # The workers are the group's other members: a worker still alive could still write.
        deadline = time.monotonic() + 10
        while group_alive(process.pid):
            if time.monotonic() > deadline:
                raise Failure(f"processes of the server's group {process.pid} outlived it")
            time.sleep(0.02)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def group_alive(pgid: int) -> bool:
    """Whether a process of this group is still running (zombies, already dead, aside)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def practice(env: dict[str, str], cwd: Path, *args: str, stdin: str = "") -> str:
    """Run a `practice` command; return what it printed, or fail with it."""
    done = subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [str(PRACTICE), *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise Failure(f"practice {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout.strip()


# --- the databases --------------------------------------------------------------------------------


@dataclass
class Findings:
    """What the database holds of the writes, and what its checks said."""

    found: int = 0
    lost: list[Acknowledged] = field(default_factory=list)
    committed_unacknowledged: int = 0
    partial: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    integrity_ok: bool = False
    integrity: str = ""
    audit_ok: bool = False
    audit: str = ""


# Each case written here, with its partners and whether its history event and audit entry exist.
CASES_QUERY = """
SELECT c.id, a.name, b.name,
       EXISTS (SELECT 1 FROM case_events e WHERE e.couple_id = c.id AND e.kind = 'opened'),
       EXISTS (SELECT 1 FROM audit_entries x
               WHERE x.action = 'couple.create' AND x.object_id = c.id)
FROM couples c
JOIN partners a ON a.couple_id = c.id AND a.position = 1
LEFT JOIN partners b ON b.couple_id = c.id AND b.position = 2
WHERE a.name LIKE 'Crash R%'
"""


def compare(rows: list[tuple], stream: Stream, findings: Findings) -> None:
    cases = {}
    names = Counter()
    for couple_id, name_a, name_b, opened, audited in rows:
        cases[couple_id] = name_a
        names[name_a] += 1
        if name_b != f"{name_a} B" or not opened or not audited:
            findings.partial.append(couple_id)
    acknowledged_names = {write.name for write in stream.acknowledged}
    for write in stream.acknowledged:
        if cases.get(write.couple_id) == write.name:
            findings.found += 1
        else:
            findings.lost.append(write)
    findings.unexpected = sorted(
        {name for name, times in names.items() if times > 1 or name not in stream.sent}
    )
    findings.committed_unacknowledged = sum(
        1 for name in names if name in stream.sent and name not in acknowledged_names
    )


def check_sqlite(path: Path, stream: Stream, findings: Findings) -> None:
    connection = sqlite3.connect(path)
    try:
        compare(connection.execute(CASES_QUERY).fetchall(), stream, findings)
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    findings.integrity_ok = integrity == ["ok"] and not foreign
    findings.integrity = (
        f"PRAGMA integrity_check: {'; '.join(integrity[:5])}; "
        f"PRAGMA foreign_key_check: {len(foreign)} rows"
    )


INDEXES_QUERY = """
SELECT c.oid::regclass::text
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = c.relam
WHERE n.nspname = 'public' AND am.amname = 'btree' AND i.indisvalid AND i.indisready
ORDER BY 1
"""
TABLES_QUERY = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1
"""


def check_postgresql(url: str, stream: Stream, findings: Findings) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        compare(connection.execute(CASES_QUERY).fetchall(), stream, findings)
        tables = [row[0] for row in connection.execute(TABLES_QUERY)]
        available = connection.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'"
        ).fetchone()
        if available is None:
            counted = []
            for table in tables:
                query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                counted.append(f"{table} {connection.execute(query).fetchone()[0]}")
            findings.integrity_ok = True
            findings.integrity = (
                "amcheck is not available here, so the tables were only read through: "
                + ", ".join(counted)
            )
            return
        connection.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        problems = []
        indexes = [row[0] for row in connection.execute(INDEXES_QUERY)]
        for index in indexes:
            try:
                connection.execute("SELECT bt_index_check(%s::regclass, true)", (index,))
            except psycopg.Error as error:
                problems.append(f"index {index}: {error}".strip())
        heap_checked = 0
        has_heapam = connection.execute(
            "SELECT 1 FROM pg_proc WHERE proname = 'verify_heapam'"
        ).fetchone()
        if has_heapam:
            for table in tables:
                rows = connection.execute(
                    "SELECT blkno, offnum, msg FROM verify_heapam(%s::regclass)", (table,)
                ).fetchall()
                problems.extend(f"table {table}: {row}" for row in rows[:5])
                heap_checked += 1
    findings.integrity_ok = not problems and bool(indexes)
    findings.integrity = (
        f"amcheck: {len(indexes)} btree indexes (bt_index_check, heapallindexed) and "
        f"{heap_checked} tables (verify_heapam) checked, "
        + ("no corruption" if not problems else f"problems: {'; '.join(problems[:5])}")
    )


@contextmanager
def sqlite_database(workdir: Path) -> Iterator[tuple[str, Path]]:
    path = workdir / "crash.db"
    yield f"sqlite:///{path}", path


@contextmanager
def postgresql_database() -> Iterator[tuple[str, str]]:
    name = f"practice_crash_{os.getpid()}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as server:
        server.execute(drop)
        server.execute(create)
    try:
        url = POSTGRES_SERVER.rsplit("/", 1)[0] + "/" + name
        yield url, url
    finally:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as server:
            server.execute(drop)


# --- one database ----------------------------------------------------------------------------


@dataclass
class Run:
    label: str
    rounds: int = 0
    stream: Stream | None = None
    findings: Findings = field(default_factory=Findings)
    restarts: list[float] = field(default_factory=list)
    in_flight_at_kill: list[int] = field(default_factory=list)
    sessions_kept: int = 0
    sign_ins: int = 0
    seconds: float = 0.0
    rate_limit_storage: str = ""
    error: str = ""

    @property
    def passed(self) -> bool:
        f = self.findings
        return (
            not self.error
            and self.stream is not None
            and bool(self.stream.acknowledged)
            and not f.lost
            and not f.partial
            and not f.unexpected
            and f.integrity_ok
            and f.audit_ok
        )


def server_env(database_url: str, workdir: Path) -> dict[str, str]:
    # Nothing of the caller's own Practice settings (mail, keys, another database) leaks in.
    ours = {setting.name for setting in SETTINGS}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ours and not k.startswith(("PRACTICE_", "GUNICORN_"))
    }
    runtime = workdir / "run"
    runtime.mkdir(mode=0o700)
    env.update(
        PRACTICE_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=database_url,
        PRACTICE_INSTANCE_PATH=str(workdir / "instance"),
        # A Redis database number of its own, so other runs' sign-in counts never meet ours.
        RATELIMIT_STORAGE_URI=f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DATABASE}"
        if redis_answers()
        else "memory://",
        XDG_RUNTIME_DIR=str(runtime),
    )
    env["PRACTICE_ENCRYPTION_KEY"] = practice(env, workdir, "keys", "new")
    return env


def run_database(kind: str, rounds: int) -> Run:
    run = Run("SQLite" if kind == "sqlite" else "PostgreSQL")
    started = time.monotonic()
    print(f"\n== {run.label}: {rounds} rounds of writes, each ended by SIGKILL", flush=True)
    log_tail = ""
    try:
        with tempfile.TemporaryDirectory(prefix="practice-crash-") as temp:
            workdir = Path(temp)
            database = sqlite_database(workdir) if kind == "sqlite" else postgresql_database()
            with database as (url, target):
                env = server_env(url, workdir)
                run.rate_limit_storage = env["RATELIMIT_STORAGE_URI"]
                practice(env, workdir, "db", "upgrade")
                email = f"crash-{os.getpid()}-{secrets.token_hex(3)}@example.com"
                password = secrets.token_urlsafe(18)
                practice(
                    env,
                    workdir,
                    *("user", "create", email, "--role", "counselor", "--name", "Crash Counselor"),
                    stdin=password + "\n",
                )
                port = free_port()
                server = Server(env, port, workdir)
                run.stream = stream = Stream(port)
                counselor = Counselor(Client(port), email, password)
                try:
                    first_start = server.start()
                    counselor.sign_in()
                    print(
                        f"  server up in {first_start:.1f} s; signed in with two factors",
                        flush=True,
                    )
                    for number in range(1, rounds + 1):
                        one_round(run, server, counselor, number)
                    server.stop()
                finally:
                    # Before the database and the folder go: nothing may be left running.
                    run.sign_ins = counselor.sign_ins
                    log_tail = server.log_tail()
                    server.kill()
                check = check_sqlite if kind == "sqlite" else check_postgresql
                check(target, stream, run.findings)
                try:
                    run.findings.audit = practice(env, workdir, "audit", "verify")
                    run.findings.audit_ok = True
                except Failure as error:
                    run.findings.audit = str(error).strip()
    except (Failure, OSError, psycopg.Error, subprocess.SubprocessError) as error:
        run.error = f"{error.__class__.__name__}: {error}"
    if not run.passed and log_tail:
        print(f"  last lines of the server's log:\n{log_tail}", flush=True)
    run.seconds = time.monotonic() - started
    return run


def one_round(run: Run, server: Server, counselor: Counselor, number: int) -> None:
    stream = run.stream
    assert stream is not None
    before_sent, before_ack = len(stream.sent), len(stream.acknowledged)
    killed, stop = threading.Event(), threading.Event()
    writers = [
        threading.Thread(
            target=write_until_stopped,
            args=(stream, counselor, number, killed, stop),
            name=f"writer-{number}-{n}",
            daemon=True,
        )
        for n in range(WRITERS)
    ]
    try:
        for writer in writers:
            writer.start()
        time.sleep(KILL_AFTER[(number - 1) % len(KILL_AFTER)])
        with stream.lock:
            in_flight = stream.in_flight
        killed.set()
        server.kill()
    finally:
        stop.set()
    for writer in writers:
        writer.join(REQUEST_TIMEOUT + 5)
        if writer.is_alive():
            raise Failure(f"{writer.name} did not stop")
    run.rounds = number
    run.in_flight_at_kill.append(in_flight)
    back = server.start()
    run.restarts.append(back)
    kept = counselor.open_form()
    if kept:
        run.sessions_kept += 1
    else:
        counselor.sign_in()
    print(
        f"  round {number:02d}: {len(stream.sent) - before_sent:3d} sent, "
        f"{len(stream.acknowledged) - before_ack:3d} acknowledged, "
        f"{in_flight} in flight at the kill; back in {back:.1f} s, "
        + ("still signed in" if kept else "signed in again"),
        flush=True,
    )


# --- the report ---------------------------------------------------------------------------------


def report(run: Run) -> None:
    stream, f = run.stream, run.findings
    sent = len(stream.sent) if stream else 0
    acknowledged = len(stream.acknowledged) if stream else 0
    lines = [
        ("rounds (SIGKILL, restart)", f"{run.rounds}"),
        ("writes sent", f"{sent}"),
        ("writes acknowledged", f"{acknowledged}"),
        ("acknowledged, found after the crashes", f"{f.found}"),
        ("acknowledged, lost (must be 0)", f"{len(f.lost)}"),
        ("committed, not acknowledged (cut off)", f"{f.committed_unacknowledged}"),
        ("cases incomplete (must be 0)", f"{len(f.partial)}"),
        ("never sent, or twice (must be 0)", f"{len(f.unexpected)}"),
        ("integrity", f"{'passed' if f.integrity_ok else 'FAILED'}: {f.integrity}"),
        ("audit chain", f"{'passed' if f.audit_ok else 'FAILED'}: {f.audit}"),
    ]
    if stream:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(stream.outcomes.items()))
        lines.append(("outcomes of the writes sent", outcomes or "none"))
    if run.in_flight_at_kill:
        hit = sum(1 for n in run.in_flight_at_kill if n)
        lines.append(("kills with writes in flight", f"{hit} of {len(run.in_flight_at_kill)}"))
    if run.restarts:
        lines.append(
            (
                "restart until it answered",
                f"median {statistics.median(run.restarts):.1f} s, max {max(run.restarts):.1f} s",
            )
        )
        lines.append(
            (
                "session kept across a restart",
                f"{run.sessions_kept} of {len(run.restarts)} (sign-ins: {run.sign_ins})",
            )
        )
    lines.append(("sign-in throttle storage", run.rate_limit_storage or "-"))
    lines.append(("total time", f"{run.seconds:.1f} s"))
    if run.error:
        lines.append(("error", run.error))
    lines.append(("result", "PASS" if run.passed else "FAIL"))
    print(f"\n-- {run.label}")
    for label, value in lines:
        print(f"  {label:<40} {value}")
    for write in f.lost[:20]:
        print(f"  LOST: round {write.round}, couple {write.couple_id}, {write.name!r}")
    for couple_id in f.partial[:20]:
        print(f"  INCOMPLETE: couple {couple_id}")
    for name in f.unexpected[:20]:
        print(f"  UNEXPECTED: {name!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=20, help="kills per database (20)")
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both", help="(both)"
    )
    options = parser.parse_args()
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")
    kinds = ("sqlite", "postgresql") if options.database == "both" else (options.database,)
    started = time.monotonic()
    runs = [run_database(kind, options.rounds) for kind in kinds]
    for run in runs:
        report(run)
    passed = all(run.passed for run in runs)
    print(
        f"\n{'PASS' if passed else 'FAIL'}: "
        + "; ".join(
            f"{run.label} {len(run.findings.lost)} of "
            f"{len(run.stream.acknowledged) if run.stream else 0} acknowledged writes lost, "
            f"integrity {'passed' if run.findings.integrity_ok else 'failed'}"
            for run in runs
        )
        + f" ({time.monotonic() - started:.0f} s in all)"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
