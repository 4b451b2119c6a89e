"""The printed result: one aligned row per page and connection count, and what it means."""

from __future__ import annotations

import math
import os
import statistics
from collections import Counter

from practice.bench.pages import CEILING
from practice.bench.runner import Results

COLUMNS = (
    ("page", "<"),
    ("path", "<"),
    ("conns", ">"),
    ("req/s", ">"),
    ("p50 ms", ">"),
    ("p95 ms", ">"),
    ("p99 ms", ">"),
    ("ceiling", ">"),
    ("queries", ">"),
    ("errors", ">"),
    ("client cpu", ">"),
)


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values (``share`` from 0 to 100)."""
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def row(results: Results, name: str, path: str, connections: int) -> list[str]:
    rounds = results.runs[(name, connections)]
    ceiling = results.runs[(CEILING, connections)]
    # Latencies pooled over the rounds: a single 5-second round has too few slow requests
    # to put a figure on the 99th percentile of a heavy page.
    latencies = sorted(value for measured in rounds for value in measured.latencies)
    shares = [
        page.rate / bare.rate for page, bare in zip(rounds, ceiling, strict=True) if bare.rate > 0
    ]
    return [
        name,
        path,
        str(connections),
        f"{statistics.median(m.rate for m in rounds):.1f}",
        *(_ms(latencies, share) for share in (50, 95, 99)),
        f"{statistics.median(shares):.1%}" if shares else "-",
        str(results.queries.get(name, "-")),
        str(sum(m.errors for m in rounds)),
        f"{statistics.median(m.client_cpu for m in rounds):.0%}",
    ]


def _ms(ordered: list[float], share: float) -> str:
    return f"{percentile(ordered, share) * 1000:.1f}" if ordered else "-"


def table(rows: list[list[str]]) -> list[str]:
    header = [title for title, _align in COLUMNS]
    widths = [max(len(cells[i]) for cells in [header, *rows]) for i in range(len(COLUMNS))]
    return [
        "  ".join(
            f"{cell:{align}{width}}"
            for cell, (_title, align), width in zip(cells, COLUMNS, widths, strict=True)
        ).rstrip()
        for cells in [header, *rows]
    ]


def render(results: Results, command_line: str) -> str:
    settings = results.settings
    rows = [
        row(results, page.name, page.path, connections)
        for page in results.pages
        for connections in settings.connections
    ]
    lines = [
        f"$ {command_line}",
        f"server: {' '.join(results.server_command)} "
        f"(PRACTICE_ENV={results.environment}, {results.database}), "
        f"answering {results.started_in:.1f} s after its start",
        f"load: {settings.rounds} round(s) of {settings.seconds:g} s per page and connection "
        f"count, pages interleaved; {settings.warmup:g} s of warm-up per page first",
        "",
        *table(rows),
        "",
        *_notes(),
        "",
        *_alongside(results),
        *_failures(results),
        "gunicorn workers' resident memory (VmRSS):",
        *_memory(results.memory_before, results.memory_after),
    ]
    return "\n".join(lines)


def _notes() -> list[str]:
    notes = (
        ("req/s", "successful requests per second, median of the rounds"),
        ("p50-p99", "latency of every successful request of every round, in milliseconds"),
        (
            "ceiling",
            f"the page's req/s over {CEILING}'s (no database, no template) in the same "
            "round, median of the rounds",
        ),
        ("queries", "SQL statements of one request with the same session, counted in this process"),
        ("errors", "answers other than 2xx, and requests that failed, in all rounds"),
        (
            "client cpu",
            f"the load client's share of one core; it shares the machine's "
            f"{os.cpu_count()} cores with the server",
        ),
    )
    return [f"{term:<10}  {meaning}" for term, meaning in notes]


def _alongside(results: Results) -> list[str]:
    lines = []
    for page in results.pages:
        if page.alongside is None:
            continue
        lines.append(f"progress reports asked for one after another during {page.name}:")
        for connections in results.settings.connections:
            rounds = results.alongside.get((page.name, connections), [])
            made, failed = sum(m for m, _ in rounds), sum(f for _, f in rounds)
            seconds = results.settings.seconds * len(rounds)
            lines.append(
                f"  at {connections} connections: {made} made in {seconds:g} s"
                + (f", {failed} failed" if failed else "")
                + f" (GET {page.alongside})"
            )
        lines.append("")
    return lines


def _failures(results: Results) -> list[str]:
    lines = []
    for (name, connections), rounds in results.runs.items():
        failures = Counter()
        for measured in rounds:
            failures.update(measured.failures)
        if failures:
            kinds = ", ".join(f"{kind} × {count}" for kind, count in failures.most_common())
            lines.append(f"  {name} at {connections} connections: {kinds}")
    return ["errors by kind:", *lines, ""] if lines else []


def _memory(before: dict[int, float], after: dict[int, float]) -> list[str]:
    lines = []
    for pid in sorted(before.keys() | after.keys()):
        was = f"{before[pid]:.1f} MB" if pid in before else "not running"
        now = f"{after[pid]:.1f} MB" if pid in after else "gone"
        lines.append(f"  worker pid {pid}: {was} before the load, {now} after it")
    return lines or ["  (no worker found)"]
