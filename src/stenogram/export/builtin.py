"""The formats that ship with stenogram, registered the way any other would be."""

from __future__ import annotations

from . import akn, backup, jsonl, popolo, tabular, tei, txt

__all__ = ["akn", "backup", "jsonl", "popolo", "tabular", "tei", "txt"]
