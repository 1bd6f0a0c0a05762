"""Validators for exported files, shared by tests/test_export.py and tests/export_gate.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

#: Popolo's top-level lists -> the schema of their items.
POPOLO_KINDS = {
    "persons": "person",
    "organizations": "organization",
    "memberships": "membership",
    "events": "event",
    "speeches": "speech",
}
POPOLO_BASE = "http://www.popoloproject.com/schemas/"


def popolo_validators(root: Path) -> dict[str, Draft3Validator]:
    """A draft-03 validator per Popolo list, its ``$ref``s resolved to the schema files in
    ``root`` (never fetched)."""
    schemas = {p.name: json.loads(p.read_text()) for p in root.glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (POPOLO_BASE + name, Resource(schema, DRAFT3)) for name, schema in schemas.items()
    )
    return {
        key: Draft3Validator(schemas[f"{kind}.json"], registry=registry)
        for key, kind in POPOLO_KINDS.items()
    }


def popolo_errors(data: dict[str, Any], validators: dict[str, Draft3Validator]) -> list[str]:
    return [
        f"{key}[{n}]: {error.message}"
        for key, validator in validators.items()
        for n, item in enumerate(data[key])
        for error in validator.iter_errors(item)
    ]
