"""stenogram: press-office event archives as a searchable, citable record of what was said.

The pipeline, one package per stage: ``sources`` -> ``parse`` -> ``resolve`` -> ``archive`` ->
``search`` -> ``web``/export. The CLI and the web pages are thin layers over these functions.
"""

from __future__ import annotations

from .errors import (
    ConfigError,
    FetchError,
    NotFound,
    ParseError,
    QueryError,
    SourceError,
    StenogramError,
    StoreError,
)
from .model import Document, Narrative, Participant, Photo, Speech, Tag, Tags
from .parse import detect, parse_bytes
from .settings import Settings, load_settings

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Document",
    "FetchError",
    "Narrative",
    "NotFound",
    "ParseError",
    "Participant",
    "Photo",
    "QueryError",
    "Settings",
    "SourceError",
    "Speech",
    "StenogramError",
    "StoreError",
    "Tag",
    "Tags",
    "detect",
    "load_settings",
    "parse_bytes",
]
