"""Importing and exporting HSDS 3.0 packages, and the records they are kept as."""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select

from practice import clock, db
from practice.accounts.models import User
from practice.audit import services as audit
from practice.directory.hsds import descriptor, resource_order, resources_by_name
from practice.directory.index import rebuild_index, refresh_services
from practice.directory.models import DirectoryRecord
from practice.directory.package import read_package
from practice.directory.taxonomy import CATEGORIES, PRACTICE_TAXONOMY_ID
from practice.spreadsheet_cells import neutralised

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def summary(self) -> str:
        def total(counts: dict[str, int]) -> int:
            return sum(counts.values())

        lines = [
            f"{total(self.added)} added, {total(self.updated)} updated, "
            f"{total(self.unchanged)} left as they were"
        ]
        for name in sorted(set(self.added) | set(self.updated) | set(self.unchanged)):
            lines.append(
                f"  {name}: {self.added.get(name, 0)} added, {self.updated.get(name, 0)} updated, "
                f"{self.unchanged.get(name, 0)} unchanged"
            )
        return "\n".join(lines)


def _stored(hsds_ids: Collection[str] | None = None) -> dict[tuple[str, str], DirectoryRecord]:
    """The records stored: all of them, or those with one of these HSDS ids."""
    query = select(DirectoryRecord)
    if hsds_ids is not None:
        query = query.where(DirectoryRecord.hsds_id.in_(set(hsds_ids)))
    return {(record.resource, record.hsds_id): record for record in db.session.scalars(query)}


def _upsert(rows: dict[str, list[dict[str, str]]], stored, result: ImportResult) -> None:
    for resource in resource_order():
        for row in rows.get(resource.name, []):
            record = stored.get((resource.name, row["id"]))
            if record is None:
                record = DirectoryRecord(resource=resource.name, hsds_id=row["id"], data=row)
                db.session.add(record)
                stored[(resource.name, row["id"])] = record
                result.added[resource.name] += 1
            elif record.data != row:
                record.data = row
                record.updated_at = clock.now()
                result.updated[resource.name] += 1
            else:
                result.unchanged[resource.name] += 1


def delete_records(keys: list[tuple[str, str]]) -> None:
    """Remove records by (resource, HSDS id); the caller rebuilds the index."""
    for resource, hsds_id in keys:
        db.session.execute(
            delete(DirectoryRecord).where(
                DirectoryRecord.resource == resource, DirectoryRecord.hsds_id == hsds_id
            )
        )


LOOKUP_BY_ID = 1_000  # rows; well under what one statement may carry as parameters


def load_rows(
    rows: dict[str, list[dict[str, str]]], services: Collection[str] | None = None
) -> ImportResult:
    """Store rows already checked (demo data, forms), then refresh the search index: of the
    ``services`` named (their HSDS ids), or the whole index when none are named."""
    result = ImportResult()
    ids = {row["id"] for table in rows.values() for row in table}
    # A few rows (one service's form) are looked up by id; a whole demo set, all at once.
    _upsert(rows, _stored(ids if len(ids) <= LOOKUP_BY_ID else None), result)
    db.session.flush()
    if services is None:
        rebuild_index()
    else:
        refresh_services(services)
    return result


def import_package(source: Path, actor: User | None = None) -> ImportResult:
    """Import a package whole (matching records by their HSDS id), or refuse it whole."""
    stored = _stored()
    known: dict[str, set[str]] = defaultdict(set)
    for resource, hsds_id in stored:
        known[resource].add(hsds_id)
    rows = read_package(source, known)
    result = ImportResult()
    _upsert(rows, stored, result)
    db.session.flush()
    rebuild_index()
    log.info("directory package imported: %s", result.summary().splitlines()[0])
    if actor is not None:
        audit.record(actor, "directory.import", actor)
    return result


def ensure_categories() -> None:
    """Put the practice's own kinds of help into the directory (once)."""
    taxonomy = {
        "id": PRACTICE_TAXONOMY_ID,
        "name": "Practice referral categories",
        "description": "Kinds of help a couples counselor refers to.",
        "uri": "",
        "version": "1",
    }
    rows = {
        "taxonomy": [taxonomy],
        "taxonomy_term": [
            {
                "id": term_id,
                "code": key,
                "name": name,
                "description": name,
                "parent_id": "",
                "taxonomy": "Practice",
                "language": "en",
                "taxonomy_id": PRACTICE_TAXONOMY_ID,
                "term_uri": "",
            }
            for key, (term_id, name) in CATEGORIES.items()
        ],
    }
    stored = _stored()
    for name, table in rows.items():
        columns = resources_by_name()[name].column_names
        for row in table:
            if (name, row["id"]) not in stored:
                full = {column: row.get(column, "") for column in columns}
                db.session.add(DirectoryRecord(resource=name, hsds_id=row["id"], data=full))
    db.session.flush()


def export_package(target: Path) -> dict[str, int]:
    """Write every record as an HSDS 3.0 tabular data package (a folder, or a .zip)."""
    by_resource: dict[str, list[dict[str, str]]] = defaultdict(list)
    for record in db.session.scalars(select(DirectoryRecord).order_by(DirectoryRecord.hsds_id)):
        by_resource[record.resource].append(record.data)
    files: dict[str, bytes] = {}
    counts = {}
    for resource in resource_order():
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=list(resource.column_names), lineterminator="\n")
        writer.writeheader()
        for row in by_resource.get(resource.name, []):
            # Opened in a spreadsheet, no cell runs as a formula; our import reads them back.
            writer.writerow(
                {column: neutralised(row.get(column, "")) for column in resource.column_names}
            )
        files[resource.path] = buffer.getvalue().encode("utf-8")
        counts[resource.name] = len(by_resource.get(resource.name, []))
    files["datapackage.json"] = json.dumps(descriptor(), indent=2).encode("utf-8")
    if target.suffix == ".zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(name, content)
    else:
        target.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (target / name).write_bytes(content)
    return counts
