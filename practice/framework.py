"""The relationship-repair framework the product is built around: its areas, in our words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    key: str
    number: int
    label: str
    summary: str


AREAS: tuple[Area, ...] = (
    Area(
        "naming_the_gap",
        0,
        "Naming the gap",
        "Both partners put the distance into words, without blame, and agree to small, "
        "steady changes.",
    ),
    Area(
        "communication",
        1,
        "Communication",
        "Short, regular talks with a speaker and a listener; feelings and concrete behaviour "
        "described from one's own side; checking what was heard.",
    ),
    Area(
        "empathy",
        2,
        "Empathy and listening",
        "Reflecting feelings, open questions, holding off on fixing; accepting a feeling without "
        "having to share the conclusion; summarising before answering.",
    ),
    Area(
        "boundaries",
        3,
        "Boundaries",
        "Concrete agreements about money, time and how to pause a heated argument, made together "
        "and looked at again when life changes.",
    ),
    Area(
        "finances_parenting",
        4,
        "Finances and parenting",
        "A regular money meeting and a parenting plan built on shared goals; stepping away when "
        "heated and coming back with proposals; outside help where useful.",
    ),
    Area(
        "commitment_repair",
        5,
        "Commitment and repair",
        "Small reliable acts every day: being on time, keeping promises, apologising, and a "
        "practised way to repair after a fight.",
    ),
    Area(
        "local_services",
        6,
        "Local services",
        "Professional or community help when distance persists or conflict becomes harmful.",
    ),
)

AREAS_BY_KEY = {area.key: area for area in AREAS}
