"""Reading and checking an HSDS 3.0 tabular data package (a folder or a .zip).

A package is checked whole before anything is written: every problem is reported with its
file, row and column, and one problem is enough to refuse the package.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath

from practice.directory.hsds import Column, Resource, resource_order, resources_by_name
from practice.spreadsheet_cells import restored

MAX_PROBLEMS = 50
MAX_FILE_BYTES = 50 * 1024 * 1024
csv.field_size_limit(1024 * 1024)


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # 1 is the header line; data starts on row 2
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class PackageRejected(ValueError):
    """The package cannot be imported; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


Rows = dict[str, list[dict[str, str]]]  # resource name -> rows (column -> text)


def _reader(source: Path) -> Callable[[str], bytes | None]:
    """A function giving a file's bytes by name (None when absent), for a folder or a zip."""
    if source.is_dir():

        def from_folder(name: str) -> bytes | None:
            path = source / name
            return path.read_bytes() if path.is_file() else None

        return from_folder
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise PackageRejected(
            [Problem(source.name, None, None, "not a folder or a .zip file")]
        ) from None
    # Packages are often zipped with a top folder; find datapackage.json wherever it is.
    names = {PurePosixPath(info.filename).name: info for info in archive.infolist()}

    def from_zip(name: str) -> bytes | None:
        info = names.get(name)
        if info is None:
            return None
        if info.file_size > MAX_FILE_BYTES:
            raise PackageRejected([Problem(name, None, None, "the file is too large")])
        return archive.read(info)

    return from_zip


def read_package(source: Path, known: dict[str, set[str]] | None = None) -> Rows:
    """Read and check a package; return its rows, or raise PackageRejected with every problem.

    ``known`` holds the ids already in the directory, which rows may point at as well.
    """
    read = _reader(source)
    problems: list[Problem] = []
    descriptor = read("datapackage.json")
    if descriptor is None:
        raise PackageRejected([Problem("datapackage.json", None, None, "the file is missing")])
    try:
        json.loads(descriptor.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackageRejected(
            [Problem("datapackage.json", None, None, "not valid UTF-8 JSON")]
        ) from None
    rows: Rows = {}
    for resource in resource_order():
        content = read(resource.path)
        if content is not None:
            rows[resource.name] = _read_csv(resource, content, problems)
    if not rows.get("service") and not rows.get("organization"):
        problems.append(
            Problem(
                "datapackage.json",
                None,
                None,
                "the package has no organizations.csv or services.csv",
            )
        )
    _check_references(rows, problems, known)
    if problems:
        raise PackageRejected(problems[:MAX_PROBLEMS])
    return rows


def _read_csv(resource: Resource, content: bytes, problems: list[Problem]) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        problems.append(Problem(resource.path, line, None, "not UTF-8 text"))
        return []
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        problems.append(Problem(resource.path, None, None, f"not a valid CSV file ({error})"))
        return []
    if not table:
        problems.append(Problem(resource.path, 1, None, "the file is empty (no header line)"))
        return []
    header = [name.strip() for name in table[0]]
    for column in resource.columns:
        if column.required and column.name not in header:
            problems.append(Problem(resource.path, 1, column.name, "a required column is missing"))
    known = {column.name: column for column in resource.columns}
    rows = []
    seen: set[str] = set()
    for number, values in enumerate(table[1:], start=2):
        if not any(value.strip() for value in values):
            continue  # a blank line
        if len(values) != len(header):
            problems.append(
                Problem(
                    resource.path,
                    number,
                    None,
                    f"has {len(values)} values for {len(header)} columns",
                )
            )
            continue
        # Cells our own export marked as text (a leading apostrophe) read as they were.
        given = dict(zip(header, map(restored, values), strict=True))
        row = {name: given.get(name, "") for name in resource.column_names}
        for name, value in row.items():
            if name in known:
                _check_value(resource, known[name], value, number, problems)
        if row["id"] in seen:
            problems.append(Problem(resource.path, number, "id", "this id appears twice"))
        seen.add(row["id"])
        rows.append(row)
        if len(problems) >= MAX_PROBLEMS:
            break
    return rows


_CHECKS: dict[str, Callable[[str], object]] = {
    "number": float,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "datetime": lambda text: datetime.fromisoformat(text.replace("Z", "+00:00")),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_value(
    resource: Resource, column: Column, value: str, row: int, problems: list[Problem]
) -> None:
    def problem(message: str) -> None:
        problems.append(Problem(resource.path, row, column.name, message))

    if value == "":
        if column.required:
            problem("a required value is missing")
        return
    if column.format == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            problem(f"{value[:40]!r} is not a UUID")
            return
    if column.format == "email" and not EMAIL.match(value):
        problem(f"{value[:40]!r} is not an e-mail address")
    if column.format == "uri" and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
        problem(f"{value[:40]!r} is not a URL")
    if column.enum and value not in column.enum:
        problem(f"{value[:40]!r} is not one of: {', '.join(column.enum)}")
    check = _CHECKS.get(column.type)
    if check is not None:
        try:
            number = check(value)
        except ValueError:
            problem(f"{value[:40]!r} is not a valid {column.type}")
            return
        if column.name == "latitude" and not -90 <= number <= 90:
            problem(f"latitude {value} is outside -90 to 90")
        if column.name == "longitude" and not -180 <= number <= 180:
            problem(f"longitude {value} is outside -180 to 180")


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"


def _check_references(
    rows: Rows, problems: list[Problem], known: dict[str, set[str]] | None = None
) -> None:
    """Every id a row points at must be in the package (or, when given, already stored)."""
    ids = {name: {row["id"] for row in table} for name, table in rows.items()}
    unreadable = {name for name, table in rows.items() if not table}
    for name, table in rows.items():
        resource = resources_by_name()[name]
        for column, target in resource.references.items():
            if target in unreadable:
                continue  # that file's own problem is reported; no echo for every row here
            available = ids.get(target, set()) | (known or {}).get(target, set())
            for number, row in enumerate(table, start=2):
                value = row.get(column, "")
                if value and value not in available:
                    problems.append(
                        Problem(
                            resource.path,
                            number,
                            column,
                            f"points to {_article(target)} {target} that is not in the package",
                        )
                    )
