"""What the benchmark asks for: each page, as whom, and the bare endpoint that is its ceiling."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

# Who sends a request: the key of a signed-in browser, or nobody.
COUNSELOR, LARGE_COUNSELOR, PARTNER, NOBODY = "counselor", "large_counselor", "partner", None
CEILING = "healthz"
# The chart drawn for the progress view; the check-in has the most series (every area, both
# partners), so it is the costliest of the couple's charts.
PROGRESS_MEASURE = "checkin"


@dataclass(frozen=True)
class Page:
    name: str  # one word: the first column of the table, and what the tests look for
    path: str
    who: str | None
    # A report asked for again and again (as the couple's counselor) while this page is under
    # load, to show what a PDF being made costs everyone else's pages.
    alongside: str | None = None
    alongside_who: str | None = None


@dataclass(frozen=True)
class Search:
    zip_code: str
    within_miles: float
    words: str


def pages(couple: int, couple_owner: str, search: Search) -> list[Page]:
    """Every page measured, the ceiling last."""
    by_distance = urlencode(
        {"zip_code": search.zip_code, "radius": f"{search.within_miles:g}", "unit": "mi"}
    )
    return [
        Page("caseload-typical", "/couples", COUNSELOR),
        Page("caseload-largest", "/couples", LARGE_COUNSELOR),
        Page(
            "caseload-during-reports",
            "/couples",
            COUNSELOR,
            alongside=f"/couples/{couple}/progress-report.pdf",
            alongside_who=couple_owner,
        ),
        Page("couple", f"/couples/{couple}", couple_owner),
        Page("progress-chart", f"/couples/{couple}/charts/{PROGRESS_MEASURE}.svg", couple_owner),
        Page("portal-home", "/portal/", PARTNER),
        Page("directory-distance", f"/directory?{by_distance}", COUNSELOR),
        Page("directory-words", f"/directory?{urlencode({'q': search.words})}", COUNSELOR),
        # Sent without a cookie, as a load balancer's check is: no session to look up.
        Page(CEILING, "/healthz", NOBODY),
    ]
