"""Who the benchmark signs in as: the accounts `practice seed` printed, or given one by one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from practice.bench import BenchError

# The lines `practice seed` ends with; everything else it prints (progress) is ignored.
SEED_LINE = re.compile(r"^(counselor|admin|partner|couple|two-factor-key) (\S+)$")
BASE32 = re.compile(r"^[A-Z2-7]+=*$")


@dataclass(frozen=True)
class Accounts:
    counselor: str  # a counselor with a typical caseload
    large_counselor: str  # the counselor with the largest caseload
    partner: str  # a partner with a portal sign-in
    couple: int  # the couple with the most history, in one of the two caseloads
    two_factor_key: str | None  # the TOTP key seed gives every staff account


def from_seed_output(text: str) -> dict[str, str]:
    """The accounts named in seed's output: the first counselor line is the typical caseload,
    the second the largest; of the other kinds, the first line counts."""
    found: dict[str, str] = {}
    counselors: list[str] = []
    for line in text.splitlines():
        match = SEED_LINE.match(line.strip())
        if match is None:
            continue
        kind, value = match[1], match[2]
        if kind == "counselor":
            counselors.append(value)
        else:
            found.setdefault(kind.replace("-", "_"), value)
    if counselors:
        found["counselor"] = counselors[0]
    if len(counselors) > 1:
        found["large_counselor"] = counselors[1]
    return found


def resolve(seeded: dict[str, str], overrides: dict[str, str | int | None]) -> Accounts:
    """Seed's accounts with the options given one by one taking precedence."""
    values: dict[str, object] = dict(seeded)
    values.update({key: value for key, value in overrides.items() if value not in (None, "")})
    missing = [
        f"--{key.replace('_', '-')}"
        for key in ("counselor", "large_counselor", "partner", "couple")
        if not values.get(key)
    ]
    if missing:
        raise BenchError(
            "Say whom to sign in as: give --accounts FILE (what `practice seed` printed) "
            f"or {', '.join(missing)}."
        )
    try:
        couple = int(values["couple"])
    except ValueError:
        raise BenchError("The couple must be a record number, such as 1234.") from None
    key = values.get("two_factor_key")
    if key is not None:
        key = "".join(str(key).split()).upper()
        if not BASE32.match(key):
            raise BenchError("The two-factor key must be base32 (letters A-Z and digits 2-7).")
    return Accounts(
        counselor=str(values["counselor"]),
        large_counselor=str(values["large_counselor"]),
        partner=str(values["partner"]),
        couple=couple,
        two_factor_key=key,
    )
