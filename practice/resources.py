"""Folders that ship with the package: page templates, PDF reports, migrations.

In the repository they sit at the top level; pyproject.toml maps them into the package
(``practice.templates``, ``practice.reports``, ``practice.migrations``), so the same lookup
works in a checkout installed for development and in an installed wheel.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def folder(package: str) -> Path:
    """The folder of a data package on disk (pip installs packages unzipped)."""
    return Path(str(resources.files(package)))


def templates() -> Path:
    return folder("practice.templates")


def reports() -> Path:
    return folder("practice.reports")


def migrations() -> Path:
    return folder("practice.migrations")
