"""`practice bench`: the bare endpoint it measures against, and a short real run of it.

Figures are printed, never asserted: a test only checks that every page was measured and
answered without errors.
"""

from __future__ import annotations

import os

import pytest

from practice.bench.accounts import from_seed_output, resolve
from practice.cli.bench import shown_command_line
from tests.conftest import count_queries
from tests.databases import throwaway_database
from tests.processes import UNDER_FAKETIME, run_cli

PASSWORD = "bench-password-2026-long"
PAGES = (
    "caseload-typical",
    "caseload-largest",
    "caseload-during-reports",
    "couple",
    "progress-chart",
    "portal-home",
    "directory-distance",
    "directory-words",
    "healthz",
)


def test_the_bare_endpoint_answers_ok_without_touching_the_database(app, client):
    with count_queries(app) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.text == "ok"
    assert len(queries) == 0, queries.statements


def test_the_accounts_are_read_from_what_seed_printed():
    printed = "\n".join(
        [
            "directory: 40 services",  # progress lines around the accounts are ignored
            "counselor typical.counselor@seed.example.org",
            "counselor largest.counselor@seed.example.org",
            "admin admin@seed.example.org",
            "partner some.partner@seed.example.org",
            "couple 1234",
            "two-factor-key JBSWY3DPEHPK3PXP",
        ]
    )
    accounts = resolve(from_seed_output(printed), {"couple": 99, "partner": None})
    assert accounts.counselor == "typical.counselor@seed.example.org"
    assert accounts.large_counselor == "largest.counselor@seed.example.org"
    assert accounts.partner == "some.partner@seed.example.org"
    assert accounts.couple == 99  # an option given one by one wins
    assert accounts.two_factor_key == "JBSWY3DPEHPK3PXP"


def test_the_printed_command_line_hides_secrets_and_the_partners_address():
    shown = shown_command_line(
        ["bench", "--password", "s3cret-pw", "--partner=ann@example.org", "--rounds", "3"]
    )
    assert shown == "practice bench --password '[hidden]' '--partner=[hidden]' --rounds 3"


@pytest.mark.skipif(UNDER_FAKETIME, reason="gunicorn cannot run under libfaketime")
def test_a_short_run_measures_every_page_without_errors(tmp_path):
    with throwaway_database(tmp_path) as url:
        env = {
            **os.environ,
            # Production, as the bench is meant to be run: staff sign in with two factors.
            "PRACTICE_ENV": "production",
            "SECRET_KEY": "bench-test-secret-key-0123456789-abcdef",
            "DATABASE_URL": url,
            "PRACTICE_INSTANCE_PATH": str(tmp_path),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
        seeded = run_cli(
            *("seed", "--counselors", "2", "--couples-per-counselor", "2", "--services", "20"),
            *("--large-caseload", "3", "--password", PASSWORD),
            env=env,
        )
        assert seeded.returncode == 0, seeded.stderr
        accounts = tmp_path / "accounts.txt"
        accounts.write_text(seeded.stdout)
        result = run_cli(
            *("bench", "--accounts", str(accounts), "--password", PASSWORD),
            *("--seconds", "0.5", "--rounds", "1", "--connections", "2", "--warmup", "0"),
            env=env,
            timeout=90,
        )
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert "practice bench --accounts" in result.stdout  # the command line, repeated
    rows = {
        cells[0]: cells
        for cells in (line.split() for line in result.stdout.splitlines())
        if cells and cells[0] in PAGES
    }
    assert sorted(rows) == sorted(PAGES)
    for name, cells in rows.items():
        _page, _path, connections, rate, *_latencies, _share, queries, errors, _cpu = cells
        assert connections == "2"
        assert float(rate) > 0, name
        assert errors == "0", name
        assert queries.isdigit() and (queries == "0") == (name == "healthz"), name
    assert "worker pid" in result.stdout
    assert "progress reports asked for one after another during caseload-during-reports" in (
        result.stdout
    )
