"""The package ships whole: every area, and the folders kept at the top of the repository."""

from __future__ import annotations

import tomllib
from pathlib import Path

from practice import resources

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_of_the_code_is_listed_for_the_wheel():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "practice").rglob("__init__.py")
    }
    assert on_disk <= listed, f"add to pyproject.toml: {sorted(on_disk - listed)}"


def test_templates_reports_and_migrations_are_found_as_package_resources():
    assert (resources.templates() / "base.html").is_file()
    assert (resources.reports() / "_shared" / "print.css").is_file()
    assert (resources.migrations() / "env.py").is_file()
    assert any((resources.migrations() / "versions").glob("*.py"))
