"""The HSDS 3.0 tabular model, read from the official data package descriptor."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, number, date, datetime, time
    format: str | None  # uuid, uri, email, or None
    required: bool
    enum: tuple[str, ...] | None


@dataclass(frozen=True)
class Resource:
    name: str  # e.g. "service"
    path: str  # e.g. "services.csv"
    columns: tuple[Column, ...]
    references: dict[str, str]  # column -> the resource it points at

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


@cache
def descriptor() -> dict:
    """The official HSDS 3.0 data package descriptor shipped with Practice."""
    text = resources.files("practice.directory").joinpath("hsds/datapackage.json").read_text()
    return json.loads(text)


@cache
def resources_by_name() -> dict[str, Resource]:
    found = {}
    for entry in descriptor()["resources"]:
        schema = entry["schema"]
        columns = tuple(
            Column(
                name=field["name"],
                type=field["type"],
                format=field.get("format"),
                required=bool(field.get("constraints", {}).get("required")),
                enum=tuple(field["constraints"]["enum"])
                if "enum" in field.get("constraints", {})
                else None,
            )
            for field in schema["fields"]
        )
        references = {
            key["fields"]: key["reference"]["resource"] for key in schema.get("foreignKeys", [])
        }
        found[entry["name"]] = Resource(entry["name"], entry["path"], columns, references)
    return found


def blank_row(resource: str, **values: str) -> dict[str, str]:
    """A row of ``resource`` with every one of its columns, blank where no value is given."""
    return {column: values.get(column, "") for column in resources_by_name()[resource].column_names}


def resource_order() -> list[Resource]:
    """Resources with every one listed after those it points at, so they load in order."""
    remaining = dict(resources_by_name())
    ordered: list[Resource] = []
    while remaining:
        ready = [
            name
            for name, resource in remaining.items()
            if not (set(resource.references.values()) - {name}) & remaining.keys()
        ]
        for name in ready or list(remaining):  # a cycle, should one appear: take the rest
            ordered.append(remaining.pop(name))
    return ordered
