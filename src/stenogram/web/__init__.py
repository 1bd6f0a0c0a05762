"""The web layer: pages, JSON twins, JSON API and Atom feeds over an archive."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
