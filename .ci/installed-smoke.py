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
assert status == 302 and headers["Location"] == "/", (status, headers["Location"])
status, headers, _ = request("GET", "/")
assert status == 302 and headers["Location"] == "/couples", (status, headers["Location"])
status, _, page = request("GET", "/couples")
assert status == 200 and b"Wheel Counselor" in page, status
status, headers, pdf = request("GET", "/exercises/1/worksheet.pdf")
assert status == 200 and pdf.startswith(b"%PDF"), status
print(f"installed wheel: sign-in page, signed in, caseload, a {len(pdf)}-byte PDF worksheet")
