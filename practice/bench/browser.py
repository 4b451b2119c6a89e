"""Signing in over HTTP as a person's browser does: the form's CSRF token, the password, then
the two-factor code when the server asks for it.

Cookies are kept by hand: outside development the session cookie is marked Secure (for https
behind a proxy), and http.cookiejar would never send it back to the plain http:// address the
benchmark uses.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pyotp

from practice import clock
from practice.bench import BenchError

TIMEOUT = 30.0  # seconds; gunicorn gives up on a request after 30 s itself
CSRF = re.compile(rb'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')
CODE_PAGE = "/sign-in/code"
SET_UP_PAGE = "/sign-in/two-factor"
CODE_ATTEMPTS = 3  # the server counts 5 refused codes a minute per person before it waits


@dataclass(frozen=True)
class Reply:
    status: int
    location: str  # the path of a redirect, or ""
    body: bytes


class Browser:
    """One person's browser on the server at ``port``: its cookies and its requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def get(self, path: str) -> Reply:
        return self._send("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Reply:
        return self._send("POST", path, form)

    def _send(self, method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    self._keep(value)
            location = urlsplit(response.getheader("Location", "")).path
            return Reply(response.status, location, response.read())
        finally:
            connection.close()

    def _keep(self, set_cookie: str) -> None:
        pair, _, attributes = set_cookie.partition(";")
        name, _, value = pair.strip().partition("=")
        # Flask deletes a cookie by sending it empty and already expired.
        if not value or "max-age=0" in attributes.lower().replace(" ", ""):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value


def csrf_token(reply: Reply, what: str) -> str:
    match = CSRF.search(reply.body)
    # 400 is the same form again, with a field refused.
    if reply.status not in (200, 400) or match is None:
        raise BenchError(f"{what}: expected a form with a CSRF token, got HTTP {reply.status}")
    return match[1].decode()


def sign_in(browser: Browser, email: str, password: str, key: str | None, who: str) -> None:
    """Sign ``browser`` in; ``who`` names the account in messages (never its address, which
    may be a client's)."""
    browser.cookies.clear()
    token = csrf_token(browser.get("/sign-in"), "GET /sign-in")
    reply = browser.post("/sign-in", {"csrf_token": token, "email": email, "password": password})
    if reply.status != 302:
        raise BenchError(
            f"Signing in as {who} was refused (HTTP {reply.status}): check the password."
        )
    if reply.location == CODE_PAGE:
        _second_factor(browser, key, who)
    elif reply.location.startswith("/sign-in"):
        raise BenchError(f"Signing in as {who} was sent back to the sign-in page.")


def _second_factor(browser: Browser, key: str | None, who: str) -> None:
    page = browser.get(CODE_PAGE)
    if page.status == 302 and page.location == SET_UP_PAGE:
        raise BenchError(
            f"The server wants {who} to set up two-factor sign-in first. Use accounts made by "
            "`practice seed`, which gives each staff account the two-factor key it prints."
        )
    if key is None:
        raise BenchError(
            f"The server asks {who} for a two-factor code: give --two-factor-key (the "
            "`two-factor-key` line of seed's output)."
        )
    totp = pyotp.TOTP(key)
    step = totp.timecode(clock.now())
    for _attempt in range(CODE_ATTEMPTS):
        _wait_until_accepted(totp, step)
        form = {"csrf_token": csrf_token(page, f"GET {CODE_PAGE}"), "code": totp.generate_otp(step)}
        reply = browser.post(CODE_PAGE, form)
        if reply.status == 302 and not reply.location.startswith("/sign-in"):
            return
        if reply.status != 400:
            raise BenchError(f"{who}'s two-factor step ended with HTTP {reply.status}.")
        # A code is taken once per account: an earlier run may have used this time step.
        # The server also takes the next step (clocks drift), and later ones once they come.
        page, step = reply, step + 1
    raise BenchError(f"The two-factor code for {who} was refused: is the key the one seed printed?")


def _wait_until_accepted(totp: pyotp.TOTP, step: int) -> None:
    # The server accepts a step up to one ahead of its own clock (the same machine's).
    while step > totp.timecode(clock.now()) + 1:
        time.sleep(0.5)
