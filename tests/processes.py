"""Running the `practice` command in a process of its own, as an operator would.

CI also runs the suite under libfaketime, where time.sleep() fails (EINVAL) and so does
every subprocess wait with a timeout; these helpers wait on an Event instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

CLI = [sys.executable, "-c", "from practice.cli import main; main()"]
# gunicorn itself sleeps with time.sleep(), so it cannot run under libfaketime at all; the
# normal runs (SQLite and PostgreSQL) cover what needs it.
UNDER_FAKETIME = "faketime" in os.environ.get("LD_PRELOAD", "")


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pause(seconds: float) -> None:
    threading.Event().wait(seconds)


def wait_for_exit(process: subprocess.Popen, timeout: float) -> int:
    """The process's exit code; it is killed, and the test fails, if it runs too long."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"{process.args!r} ran longer than {timeout} s")
        pause(0.05)
    return process.returncode


def run_cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `practice ARGS` to the end and return what it printed."""
    process = subprocess.Popen(
        [*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    try:
        stdout, stderr = process.communicate()
    finally:
        watchdog.cancel()
    wait_for_exit(process, timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
