"""Validators for exported files and the corpus's inputs, shared by the export tests and gates."""

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
#: The development corpus's files (../shared/corpus) an archive of the whole corpus ingests.
CORPUS_INPUTS = ("kremlin-en-2000-2020.tar.xz", "kremlin-ru-2025.csv", "pm-transcripts-au.tar.xz")


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
