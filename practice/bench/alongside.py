"""Reports asked for one after another in the background, as a counselor does who prints a
progress report between sessions, while another page is measured under load."""

from __future__ import annotations

import threading
import time

from practice.bench.browser import Browser

REPORT_WAIT = 60.0  # seconds a report made by the worker may take before it is given up


class ReportsAlongside:
    """Asks ``browser`` for the report at ``path`` until stopped; counts the reports made."""

    def __init__(self, browser: Browser, path: str) -> None:
        self.browser, self.path = browser, path
        self.made = 0
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> ReportsAlongside:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=REPORT_WAIT + 5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                made = self._one()
            except OSError:
                made = False
            if made:
                self.made += 1
            else:
                self.failed += 1

    def _one(self) -> bool:
        reply = self.browser.get(self.path)
        if reply.status == 200:  # made in the web worker and sent at once
            return reply.body.startswith(b"%PDF")
        if reply.status != 302 or not reply.location.startswith("/reports/"):
            return False
        # Made by the RQ worker: the page the browser is sent to waits for it.
        waiting = reply.location
        deadline = time.monotonic() + REPORT_WAIT
        while time.monotonic() < deadline and not self._stop.is_set():
            page = self.browser.get(waiting)
            if page.status != 200:
                return False
            if f"{waiting}/download".encode() in page.body:
                return self.browser.get(f"{waiting}/download").status == 200
            time.sleep(0.2)
        return False
