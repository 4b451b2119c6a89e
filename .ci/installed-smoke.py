"""Against `practice serve` from an installed wheel: the sign-in page, signing in, a PDF.

Run by .ci/installed-wheel with the installed package's Python, outside the checkout.
Usage: installed-smoke.py PORT EMAIL PASSWORD
"""

from __future__ import annotations

import http.client
import re
import sys
import threading
import time
from urllib.parse import urlencode

import pyotp

port, email, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cookies: dict[str, str] = {}


def request(method: str, path: str, body: dict[str, str] | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    # The production cookie is Secure (meant for https behind a proxy); keep it by hand.
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    return response.status, dict(response.getheaders()), response.read()


deadline = time.monotonic() + 60
while True:
    try:
        status, _headers, page = request("GET", "/sign-in")
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the server did not start")
        threading.Event().wait(0.3)

assert status == 200 and b"Sign in" in page, status
token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
assert token, "no CSRF token on the sign-in page"
status, headers, _ = request(
    "POST", "/sign-in", {"csrf_token": token[1].decode(), "email": email, "password": password}
)
# Production asks staff for a second factor: set it up as a new counselor would.
assert status == 302 and headers["Location"] == "/sign-in/code", (status, headers["Location"])
status, _, page = request("GET", "/sign-in/two-factor")
assert status == 200 and b"data:image/svg+xml;base64," in page, status
key = re.search(rb'id="two-factor-key">([A-Z2-7 ]+)<', page)[1].decode().replace(" ", "")
token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
code = pyotp.TOTP(key).now()
status, headers, _ = request(
    "POST", "/sign-in/two-factor", {"csrf_token": token[1].decode(), "code": code}
)
assert status == 302 and "/account/recovery-codes" in headers["Location"], status
status, _, page = request("GET", headers["Location"])
assert status == 200 and page.count(b"<li>") == 10, status
status, _, page = request("GET", "/couples")
assert status == 200 and b"Wheel Counselor" in page, status
status, headers, pdf = request("GET", "/exercises/1/worksheet.pdf")
assert status == 200 and pdf.startswith(b"%PDF"), status
print(
    "installed wheel: sign-in page, two-factor set up, signed in, caseload, "
    f"a {len(pdf)}-byte PDF worksheet"
)
