"""The load client: a fixed number of connections, each sending one request after another.

Each connection is a thread with a plain socket and a request prepared once as bytes, so the
client spends as little of the machine as it can on itself (http.client parses every reply's
headers with the e-mail parser, which costs more than some of the pages it would measure).
Connections are kept alive when the server allows it; gunicorn's sync workers close each one
after a single reply, and the client then opens a new one, as any browser would.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

TIMEOUT = 30.0  # seconds; gunicorn's own worker timeout
MAX_LINE = 65536  # a status or header line longer than this is not from our server
PAUSE_AFTER_FAILURE = 0.01  # seconds, so that a dead server is not hammered in a tight loop


class BadReply(Exception):
    """The server's answer was cut off or not HTTP."""


def prepare(port: int, path: str, cookie: str | None) -> bytes:
    """A GET request for ``path``, as bytes, with the session's cookie if there is one."""
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "User-Agent: practice-bench",
        "Accept: */*",
        "Connection: keep-alive",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class Measurement:
    """What one run of load at one connection count gave."""

    connections: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of the successful requests, in s
    failures: Counter[str] = field(default_factory=Counter)  # "HTTP 500", "connection"...
    cpu_seconds: float = 0.0  # spent by this process (the client) meanwhile

    @property
    def errors(self) -> int:
        """Answers other than 2xx, and requests that failed outright."""
        return sum(self.failures.values())

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.seconds

    @property
    def client_cpu(self) -> float:
        """The share of one core the client used."""
        return self.cpu_seconds / self.seconds


class Connection:
    """One keep-alive connection that opens itself again when the server has closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.reader = None

    def fetch(self, request: bytes) -> int:
        """Send ``request``, read the whole reply and return its status."""
        reused = self.sock is not None
        if not reused:
            self._open()
        try:
            self.sock.sendall(request)
            status, close = read_reply(self.reader)
        except (OSError, BadReply):
            self.close()
            if not reused:
                raise
            # A kept-alive connection the server had already closed: try once on a new one.
            return self.fetch(request)
        if close:
            self.close()
        return status

    def _open(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        if self.sock is not None:
            self.sock.close()
        self.sock = self.reader = None


def read_reply(reader) -> tuple[int, bool]:
    """Read one HTTP/1.1 reply; return its status and whether the server closes after it."""
    line = reader.readline(MAX_LINE)
    if not line:
        raise BadReply("closed before the reply")
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        raise BadReply("not an HTTP status line")
    status = int(parts[1])
    close = parts[0] == b"HTTP/1.0"
    length, chunked = None, False
    while True:
        header = reader.readline(MAX_LINE)
        if not header:
            raise BadReply("closed in the headers")
        if header in (b"\r\n", b"\n"):
            break
        name, _, value = header.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
        elif name == b"connection":
            close = value == b"close"
    if status in (204, 304) or 100 <= status < 200:
        return status, close
    if chunked:
        _read_chunks(reader)
    elif length is not None:
        if len(reader.read(length)) != length:
            raise BadReply("closed in the body")
    else:
        reader.read()  # the body runs to the end of the connection
        close = True
    return status, close


def _read_chunks(reader) -> None:
    while True:
        size = int(reader.readline(MAX_LINE).split(b";", 1)[0], 16)
        if size == 0:
            break
        if len(reader.read(size + 2)) != size + 2:  # the chunk and its CRLF
            raise BadReply("closed in a chunk")
    while reader.readline(MAX_LINE) not in (b"\r\n", b"\n", b""):
        pass  # trailers


def drive(port: int, request: bytes, connections: int, seconds: float) -> Measurement:
    """Send ``request`` over ``connections`` connections at once for ``seconds``.

    A request still unanswered when the time is up is neither counted nor timed; the call
    returns once it has been answered, so that no load spills into the next measurement.
    """
    measurement = Measurement(connections, seconds)
    lock = threading.Lock()
    go = threading.Event()
    deadline = [0.0]

    def one_connection() -> None:
        connection = Connection(port)
        latencies: list[float] = []
        failures: Counter[str] = Counter()
        go.wait()
        end = deadline[0]
        try:
            while (started := time.perf_counter()) < end:
                try:
                    status = connection.fetch(request)
                    failure = None if 200 <= status < 300 else f"HTTP {status}"
                except OSError as error:
                    failure = "timed out" if isinstance(error, TimeoutError) else "connection"
                except (BadReply, ValueError):
                    failure = "bad reply"
                finished = time.perf_counter()
                if finished > end:
                    break
                if failure is None:
                    latencies.append(finished - started)
                    continue
                failures[failure] += 1
                if not failure.startswith("HTTP"):
                    time.sleep(PAUSE_AFTER_FAILURE)
        finally:
            connection.close()
            with lock:
                measurement.latencies.extend(latencies)
                measurement.failures.update(failures)

    threads = [
        threading.Thread(target=one_connection, name=f"bench-{n}", daemon=True)
        for n in range(connections)
    ]
    for thread in threads:
        thread.start()
    cpu_before = time.process_time()
    deadline[0] = time.perf_counter() + seconds
    go.set()
    for thread in threads:
        thread.join()
    measurement.cpu_seconds = time.process_time() - cpu_before
    return measurement
