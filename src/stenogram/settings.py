"""Every setting stenogram reads, declared once.

Settings come from ``STENOGRAM_*`` environment variables (and explicit overrides from the CLI);
nothing is read at import time. :func:`load_settings` turns the declared table into one frozen
:class:`Settings`, which the library functions take as an argument.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError


def _int(value: str) -> int:
    return int(value.replace("_", ""))


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str
    convert: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return "STENOGRAM_" + self.name.upper()


SETTINGS_TABLE: tuple[Setting, ...] = (
    Setting("archive", Path("archive"), "Archive folder (SQLite database and search index).", Path),
    Setting(
        "max_document_bytes",
        20 * 1024 * 1024,
        "Documents larger than this are refused rather than parsed.",
        _int,
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    archive: Path = Path("archive")
    max_document_bytes: int = 20 * 1024 * 1024


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings: declared default, then environment, then explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS_TABLE:
        value = setting.default
        raw = env.get(setting.env)
        if raw is not None and raw != "":
            try:
                value = setting.convert(raw)
            except ValueError as exc:
                raise ConfigError(f"{setting.env}={raw!r} is not valid: {exc}") from None
        if overrides and overrides.get(setting.name) is not None:
            value = overrides[setting.name]
        values[setting.name] = value
    known = {f.name for f in fields(Settings)}
    assert known == set(values), "SETTINGS_TABLE and Settings disagree"
    return Settings(**values)
