"""The formats that ship with stenogram, registered the way any other would be."""

from __future__ import annotations

from . import jsonl, tabular, txt

__all__ = ["jsonl", "tabular", "txt"]
