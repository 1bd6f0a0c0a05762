"""The verdicts' thresholds, read from data (``bench/check.py --calibrate`` rewrites them)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Thresholds:
    close: float
    close_content: float
    stitched_part: float
    paraphrase: float
    nearest: float
    same_words: float


@cache
def thresholds() -> Thresholds:
    data = tomllib.loads(resources.files(__package__).joinpath("data/thresholds.toml").read_text())
    return Thresholds(**{f.name: float(data[f.name]) for f in fields(Thresholds)})
