"""HSDS 3.0 packages: the official example round-trips; broken packages are refused whole."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select

from practice import db
from practice.directory import transfer as services
from practice.directory.models import DirectoryRecord, DirectoryService
from practice.directory.package import PackageRejected

HSDS = Path(__file__).resolve().parent / "hsds"
EXAMPLE = HSDS / "example"
TABULAR_SCHEMA = HSDS / "tabular.json"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def records() -> dict[tuple[str, str], dict]:
    return {(r.resource, r.hsds_id): r.data for r in db.session.scalars(select(DirectoryRecord))}


def test_the_official_example_imports_exports_and_imports_again_to_the_same_records(
    db_session, tmp_path
):
    first = services.import_package(EXAMPLE)
    assert sum(first.added.values()) == 21
    after_import = records()
    services.export_package(tmp_path / "out")
    again = services.import_package(tmp_path / "out")
    assert sum(again.added.values()) == 0 and sum(again.updated.values()) == 0
    assert records() == after_import
    service = db_session.scalar(select(DirectoryService))
    assert service.name == "Community Counselling" and service.organization


def test_the_export_is_valid_against_the_hsds_schemas(db_session, tmp_path):
    services.import_package(EXAMPLE)
    services.ensure_categories()
    services.export_package(tmp_path / "out")
    schema = json.loads(TABULAR_SCHEMA.read_text())
    descriptor = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert descriptor["profile"] == "tabular-data-package"
    checked = 0
    for spec in schema["properties"].values():
        item = spec["items"]
        path = tmp_path / "out" / item["path"]
        assert path.exists(), item["path"]
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                jsonschema.validate(_typed(row, item), item)
                checked += 1
    assert checked >= 28


def _typed(row: dict[str, str], item: dict) -> dict:
    """A CSV row as the JSON object the schema describes (blank cells left out)."""
    typed = {}
    for key, value in row.items():
        if value == "":
            continue
        kind = item["properties"][key].get("type")
        if kind == "number":
            typed[key] = float(value)
        elif kind == "integer":
            typed[key] = int(value)
        else:
            typed[key] = value
    return typed


def test_importing_twice_updates_in_place_and_never_duplicates(db_session, tmp_path):
    services.import_package(EXAMPLE)
    changed = _copy(tmp_path)
    _edit(changed / "services.csv", 2, "name", "Community Counselling (evenings)")
    result = services.import_package(changed)
    assert result.updated["service"] == 1
    assert db_session.scalar(select(func.count()).select_from(DirectoryService)) == 1
    assert db_session.scalar(select(DirectoryService.name)) == "Community Counselling (evenings)"


def test_a_formula_in_a_service_name_is_exported_as_text_and_reads_back_unchanged(
    db_session, tmp_path
):
    hostile = '=HYPERLINK("http://attacker.example","Open")'
    services.import_package(EXAMPLE)
    changed = _copy(tmp_path)
    _edit(changed / "services.csv", 2, "name", hostile)
    services.import_package(changed)
    services.export_package(tmp_path / "out")
    with (tmp_path / "out" / "services.csv").open(newline="", encoding="utf-8") as handle:
        exported = next(csv.DictReader(handle))
    # A spreadsheet shows a cell that starts with an apostrophe as text, never as a formula.
    assert exported["name"] == "'" + hostile
    services.import_package(tmp_path / "out")
    assert db_session.scalar(select(DirectoryService.name)) == hostile


def test_a_zipped_package_imports(db_session, tmp_path):
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in EXAMPLE.glob("*"):
            if path.suffix in (".csv", ".json"):
                bundle.write(path, f"hsds/{path.name}")
    assert sum(services.import_package(archive).added.values()) == 21


# --- broken packages --------------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "package"
    shutil.copytree(EXAMPLE, target)
    return target


def _edit(path: Path, row: int, column: str, value: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    table[row - 1][table[0].index(column)] = value
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _drop_column(path: Path, column: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    index = table[0].index(column)
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([row[:index] + row[index + 1 :] for row in table])
    path.write_text(buffer.getvalue(), encoding="utf-8")


BROKEN = [
    (
        "missing column",
        lambda p: _drop_column(p / "services.csv", "name"),
        "services.csv, row 1, column name: a required column is missing",
    ),
    (
        "missing value",
        lambda p: _edit(p / "services.csv", 2, "status", ""),
        "services.csv, row 2, column status: a required value is missing",
    ),
    (
        "not a uuid",
        lambda p: _edit(p / "locations.csv", 2, "id", "location-1"),
        "locations.csv, row 2, column id: 'location-1' is not a UUID",
    ),
    (
        "dangling reference",
        lambda p: _edit(
            p / "services.csv", 2, "organization_id", "11111111-2222-4333-8444-555555555555"
        ),
        "services.csv, row 2, column organization_id: points to an organization that is not in",
    ),
    (
        "latitude out of range",
        lambda p: _edit(p / "locations.csv", 2, "latitude", "100"),
        "locations.csv, row 2, column latitude: latitude 100 is outside -90 to 90",
    ),
    (
        "longitude out of range",
        lambda p: _edit(p / "locations.csv", 2, "longitude", "-200"),
        "locations.csv, row 2, column longitude: longitude -200 is outside -180 to 180",
    ),
    (
        "not utf-8",
        lambda p: (p / "phones.csv").write_bytes("id,number\n\xe9\n".encode("latin-1")),
        "phones.csv, row 2: not UTF-8 text",
    ),
    (
        "not csv",
        lambda p: (p / "services.csv").write_text('id,name\n"unclosed,x\n'),
        "services.csv",
    ),
    (
        "no descriptor",
        lambda p: (p / "datapackage.json").unlink(),
        "datapackage.json: the file is missing",
    ),
    (
        "bad status",
        lambda p: _edit(p / "services.csv", 2, "status", "open"),
        "services.csv, row 2, column status: 'open' is not one of",
    ),
]


@pytest.mark.parametrize(("case", "break_it", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_package_is_refused_whole_naming_file_row_and_column(
    db_session, tmp_path, case, break_it, message
):
    package = _copy(tmp_path)
    break_it(package)
    with pytest.raises(PackageRejected) as refused:
        services.import_package(package)
    assert any(message in str(problem) for problem in refused.value.problems), refused.value
    assert db_session.scalar(select(func.count()).select_from(DirectoryRecord)) == 0


def test_the_command_line_says_what_it_refused_and_writes_nothing(tmp_path):
    from click.testing import CliRunner

    from practice.cli import main
    from tests.databases import throwaway_database

    package = _copy(tmp_path)
    _edit(package / "locations.csv", 2, "latitude", "95")
    with throwaway_database(tmp_path) as url:
        env = {
            "PRACTICE_ENV": "development",
            "DATABASE_URL": url,
            "PRACTICE_INSTANCE_PATH": str(tmp_path),
        }
        result = CliRunner().invoke(main, ["directory", "import", str(package)], env=env)
        assert result.exit_code != 0
        assert "Package refused; nothing was imported." in result.output
        assert "locations.csv, row 2, column latitude" in result.output
        good = CliRunner().invoke(main, ["directory", "import", str(EXAMPLE)], env=env)
        assert good.exit_code == 0 and "21 added" in good.output


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as bundle:
        for path in folder.glob("*"):
            bundle.write(path, path.name)
    return target


def test_an_admin_uploads_a_package_and_a_broken_one_is_refused(client, auth, tmp_path):
    from tests.factories import AdminFactory

    auth.login(AdminFactory())
    broken = _copy(tmp_path)
    _edit(broken / "services.csv", 2, "id", "not-a-uuid")
    with _zip(broken, tmp_path / "broken.zip").open("rb") as upload:
        refused = client.post(
            "/admin/directory",
            data={"package": (upload, "broken.zip")},
            content_type="multipart/form-data",
        )
    assert refused.status_code == 400
    assert "services.csv, row 2, column id" in refused.text
    assert db.session.scalar(select(func.count()).select_from(DirectoryRecord)) == 0
    with _zip(EXAMPLE, tmp_path / "good.zip").open("rb") as upload:
        done = client.post(
            "/admin/directory",
            data={"package": (upload, "good.zip")},
            content_type="multipart/form-data",
        )
    assert done.status_code == 200 and "21 added" in done.text
    not_zip = client.post(
        "/admin/directory",
        data={"package": (io.BytesIO(b"x"), "a.txt")},
        content_type="multipart/form-data",
    )
    assert not_zip.status_code == 400 and "Upload a .zip file." in not_zip.text
