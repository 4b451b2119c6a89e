"""The server under test: `practice serve` (gunicorn), started as the operator would start it.

It runs in a process group of its own, so that stopping it stops the workers too, and with the
operator's environment (database, keys, settings) but its own runtime folder: gunicorn puts
its control socket in $XDG_RUNTIME_DIR, where a production server on the same machine keeps
its own.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

from practice.bench import BenchError

# The `practice` command of this very interpreter, wherever its script was installed.
PRACTICE = [sys.executable, "-c", "from practice.cli import main; main()"]
START_TIMEOUT = 60.0  # seconds for gunicorn to load the app and answer
STOP_TIMEOUT = 30.0  # seconds for a graceful stop (SIGTERM) before SIGKILL
READY_PATH = "/healthz"


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, workers: int, workdir: Path) -> None:
        self.port = free_port()
        self.workers = workers
        self.log_path = workdir / "serve.log"
        self.runtime = workdir / "run"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        return [
            "practice",
            "serve",
            *("--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)),
        ]

    def start(self) -> float:
        """Start the server; return the seconds until it answered."""
        self.runtime.mkdir(mode=0o700, exist_ok=True)
        env = {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime)}
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
                [*PRACTICE, *self.command[1:]],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,  # the access log: thousands of lines a second, kept off the screen
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        while time.monotonic() - started < START_TIMEOUT:
            if self.process.poll() is not None:
                raise BenchError(
                    f"`practice serve` exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            if self._answers():
                return time.monotonic() - started
            time.sleep(0.1)
        raise BenchError(
            f"The server did not answer within {START_TIMEOUT:.0f} s:\n{self.log_tail()}"
        )

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", READY_PATH)
            return connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop as an operator would (SIGTERM to the group), SIGKILL if it does not stop."""
        process, self.process = self.process, None
        if process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def worker_memory(self) -> dict[int, float]:
        """Each worker's resident memory in MB (VmRSS), by process id."""
        if self.process is None:
            return {}
        return {pid: _resident_mb(pid) for pid in _children(self.process.pid)}

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def _children(parent: int) -> list[int]:
    """The processes whose parent is ``parent``: gunicorn's workers, for its master."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended meanwhile
        # The command name, in parentheses, may hold spaces: the fields after it are plain.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(parent):
            found.append(int(entry.name))
    return sorted(found)


def _resident_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024  # the kernel reports kB
    except OSError:
        pass
    return float("nan")
