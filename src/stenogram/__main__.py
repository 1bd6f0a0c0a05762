"""``python -m stenogram``: the same command as the ``stenogram`` console script."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main()
