"""The formats that ship with stenogram, registered the way any other would be."""

from __future__ import annotations

from . import backup, jsonl, popolo, tabular, txt

__all__ = ["backup", "jsonl", "popolo", "tabular", "txt"]
