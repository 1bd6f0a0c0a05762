"""Files kept beside the archive's database (raw bodies), written so that a crash never leaves
half a file under a real name."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: The folder of raw bodies in an archive folder, each named by its SHA-256.
RAW_DIR = "raw"


def write_atomically(target: Path, body: bytes) -> None:
    """Write ``body`` to a temporary file beside ``target``, flush it to disk, rename it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
