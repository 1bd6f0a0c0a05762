"""Exports: records rendered back into formats people and other tools read.

One module per format; each takes model objects only, never the database.
"""

from __future__ import annotations

from .textversion import render_text

__all__ = ["render_text"]
