"""Where things are: distances between coordinates and the centres of US ZIP codes, offline."""

from __future__ import annotations

import math

import zipcodes

KM_PER_MILE = 1.609344

EARTH_RADIUS_KM = 6371.0088


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def zip_centroid(zip_code: str) -> tuple[float, float] | None:
    """The centre of a US ZIP code, from the installed zipcodes package (no network)."""

    try:
        matches = zipcodes.matching(zip_code.strip()[:5])
    except (TypeError, ValueError):
        return None
    if not matches:
        return None
    return float(matches[0]["lat"]), float(matches[0]["long"])
