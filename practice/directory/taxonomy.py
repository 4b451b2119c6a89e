"""The kinds of help the framework names: always in the directory, whatever is imported."""

from __future__ import annotations

PRACTICE_TAXONOMY_ID = "6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a01"

CATEGORIES = {
    "couples_therapy": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a11", "Couples therapy"),
    "licensed_counseling": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a12", "Licensed counseling"),
    "relationship_programs": (
        "6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a13",
        "Community relationship programs and workshops",
    ),
    "financial_counseling": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a14", "Financial counseling"),
    "parenting_support": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a15", "Parenting support"),
    "domestic_violence": ("6f0b1c1e-6a4f-4d59-9a3e-3f2d7f7e0a16", "Domestic-violence support"),
}

DOMESTIC_VIOLENCE_TERM = CATEGORIES["domestic_violence"][0]
